import type { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/protect-db-instance.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { rdsControlSetting, rdsControls } from './fragments/rds-control-setting.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

/** The three controls, each with its own states. */
const CONTROLS = rdsControls('instance', {
  'RDS.8': {
    choose: 'RDS.8: deletion protection',
    change: 'Enable deletion protection',
    proposed: 'turn deletion protection on (DeleteDBInstance is refused until someone turns it off)',
  },
  'RDS.2': {
    choose: 'RDS.2: public access',
    change: 'Turn public access off',
    proposed:
      'turn public access off: its DNS name resolves to its private address only, so clients outside its VPC can no longer connect',
  },
  'RDS.13': {
    choose: 'RDS.13: automatic minor version upgrades',
    change: 'Enable automatic minor version upgrades',
    proposed: 'turn automatic minor version upgrades on (applied in its maintenance window from now on)',
  },
});

/**
 * Security Hub RDS.2, RDS.8 and RDS.13 on a DB instance (or their AWS Config rules, which name the
 * instance by its resource id: the kit looks its identifier up): change only the setting the finding's
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
        does: "Picks the setting the finding's control names, and reads the instance's deletion protection, public access and automatic minor version upgrades. An AWS Config finding names the instance by its resource id (db-...): the instance with that id is looked up first, and an id no instance has goes to a person.",
        states: [
          'DB instance?',
          'Named by resource id?',
          'Named by identifier',
          'Find instance by resource id',
          'Instance with that resource id?',
          'Instance with that resource id?: first',
          'Instance with that resource id?: none',
          'Found?',
          'DB instance not found',
          'Which control?',
          ...Object.values(CONTROLS).map((c) => c.choose),
          'Read instance settings',
          'Unsupported resource',
          'Audit unsupported resource',
          'Unsupported control',
          'Audit unsupported control',
        ],
        ifItStops:
          'Nothing was changed. Check that the DB instance exists in the RDS console (for an AWS Config finding, search by its resource id, shown under Configuration).',
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
    return rdsControlSetting(playbookSteps(ctx, facts.name), {
      kind: 'instance',
      controls: CONTROLS,
      applyImmediately: false,
    });
  },
};
