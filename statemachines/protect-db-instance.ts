import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/protect-db-instance.ts';
import { DB_INSTANCE_CONTROLS } from '#shared/rds/control-settings.ts';
import { type ControlSettingEntry, controlSetting } from './fragments/control-setting.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
// Step Functions spells RDS's `DB...` members `Db...` (the AWS SDK for Java 2.x names), in and out:
// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const INSTANCE = '$.finding.resource.id';

const control = (id: string, entry: Omit<ControlSettingEntry, 'setting' | 'value'>): ControlSettingEntry => {
  const fix = DB_INSTANCE_CONTROLS[id];
  if (!fix) throw new Error(`${NAME}: no setting known for control ${id}`);
  return { ...fix, ...entry };
};

/** The three controls, each with its own states. */
const CONTROLS = {
  'RDS.8': control('RDS.8', {
    choose: 'RDS.8: deletion protection',
    change: 'Enable deletion protection',
    proposed: 'turn deletion protection on (DeleteDBInstance is refused until someone turns it off)',
  }),
  'RDS.2': control('RDS.2', {
    choose: 'RDS.2: public access',
    change: 'Turn public access off',
    proposed:
      'turn public access off: its DNS name resolves to its private address only, so clients outside its VPC can no longer connect',
  }),
  'RDS.13': control('RDS.13', {
    choose: 'RDS.13: automatic minor version upgrades',
    change: 'Enable automatic minor version upgrades',
    proposed: 'turn automatic minor version upgrades on (applied in its maintenance window from now on)',
  }),
};

/**
 * Security Hub RDS.2, RDS.8 and RDS.13 on a DB instance: change only the setting the finding's
 * control names, and read it back (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html).
 *
 * No ApplyImmediately: with it, RDS applies "the modifications in this request and any pending
 * modifications" at once, and a pending change (an instance class) can mean an outage now rather
 * than in the maintenance window
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.ApplyImmediately.html).
 * None of the three needs it: PubliclyAccessible is "applied immediately regardless of the value of
 * the ApplyImmediately parameter"; AutoMinorVersionUpgrade is applied "as soon as possible" without
 * an outage unless a newer minor version awaits the maintenance window; deletion protection takes
 * effect at once and ignores the setting
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.Settings.html).
 * Verification reads the setting back, so a change left pending is not reported as made.
 */
export const protectDbInstance: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the instance',
        does: "Picks the setting the finding's control names, and reads the instance's deletion protection, public access and automatic minor version upgrades.",
        states: [
          'DB instance?',
          'Which control?',
          ...Object.values(CONTROLS).map((c) => c.choose),
          'Read instance settings',
          'Unsupported resource',
          'Audit unsupported resource',
          'Unsupported control',
          'Audit unsupported control',
        ],
        ifItStops: 'Nothing was changed. Check that the DB instance exists in the RDS console.',
      },
      {
        title: 'Change the one setting',
        does: 'Modifies the instance with only that setting: deletion protection on (RDS.8), public access off (RDS.2) or automatic minor version upgrades on (RDS.13). Pending modifications stay pending.',
        states: ['Which setting?', ...Object.values(CONTROLS).map((c) => c.change)],
        ifItStops:
          'The setting may be unchanged: in the RDS console, modify the instance and change that one setting (Connectivity: Publicly accessible; Maintenance: Auto minor version upgrade; Deletion protection), choosing "Apply during the next scheduled maintenance window" so pending changes stay pending.',
      },
      {
        title: 'Check it is changed',
        does: 'Reads the instance again and confirms the setting is as the control requires.',
        states: ['Read instance settings again'],
        ifItStops: 'The change was made but could not be confirmed. Look at the instance in the RDS console.',
      },
    ],
    checkAfterwards: [
      'The RDS console shows the setting changed on the instance (Connectivity & security: Publicly accessible No; Maintenance & backups: Auto minor version upgrade Enabled; Configuration: Deletion protection Enabled).',
      'Public access off (RDS.2): clients outside the VPC can no longer reach the instance; they need a VPN, peering or a bastion.',
      'Deletion protection on (RDS.8): whoever deletes this database on purpose (a pipeline, a test environment) must turn it off first.',
    ],
    undo: '`remediate undo` puts the one setting back as it was, only if this run changed it.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const instances = [steps.arns.dbInstances];
    const settings = [...new Set(Object.values(CONTROLS).map((c) => c.setting))];

    const fix = controlSetting(steps, {
      controls: CONTROLS,
      read: (id, resultPath) =>
        sfn.Chain.start(
          steps.call(id, {
            service: 'rds',
            action: 'describeDBInstances',
            parameters: { 'DbInstanceIdentifier.$': INSTANCE },
            iamResources: instances,
            resultSelector: Object.fromEntries(settings.map((s) => [`${s}.$`, `$.DbInstances[0].${s}`])),
            resultPath,
          }),
        ),
      change: (id, setting, value) =>
        steps.call(id, {
          service: 'rds',
          action: 'modifyDBInstance',
          parameters: { 'DbInstanceIdentifier.$': INSTANCE, [setting]: value },
          iamResources: instances,
        }),
      action: 'ModifyDBInstance',
      planned: { action: 'ModifyDBInstance', 'dbInstanceIdentifier.$': INSTANCE },
      names: {
        read: 'Read instance settings',
        readAgain: 'Read instance settings again',
        isSet: 'Already set?',
        audit: 'Audit setting changed',
        alreadySet: { audit: 'Audit already set', end: 'Already set' },
        unsupported: { audit: 'Audit unsupported control', end: 'Unsupported control' },
      },
      ifDenied: 'The playbook ends: the setting stays as it is.',
      headline: 'RDS DB instance setting changed',
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'rds:{region}:{account}:db:*'),
      reason:
        'The DB instance is named by the finding at run time; the role may only describe instances and modify them, and only this playbook calls ModifyDBInstance, with the one setting its control names.',
    });
    const unsupported = steps
      .audit('Audit unsupported resource', 'ModifyDBInstance', 'skipped', {
        detailsPath: '$.finding.resource',
      })
      .next(new sfn.Succeed(scope, 'Unsupported resource'));
    return new sfn.Choice(scope, 'DB instance?')
      .when(sfn.Condition.stringEquals('$.finding.resource.type', 'AwsRdsDbInstance'), fix)
      .otherwise(unsupported);
  },
};
