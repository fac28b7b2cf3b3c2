import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/protect-db-instance.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { BEFORE_PATH, settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
// Step Functions spells RDS's `DB...` members `Db...` (the AWS SDK for Java 2.x names), in and out:
// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const INSTANCE = '$.finding.resource.id';

/**
 * Security Hub RDS.8: turn on deletion protection of a DB instance, applied at once, and read it
 * back. Deletion protection only refuses DeleteDBInstance until it is turned off again; the
 * database, its connections and its other settings are unchanged, and the change causes no outage.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeletionProtection
 * https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-8
 */
export const protectDbInstance: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the instance',
        does: 'Reads whether deletion protection is on for the DB instance.',
        states: ['DB instance?', 'Read deletion protection', 'Unsupported resource'],
        ifItStops: 'Nothing was changed. Check that the DB instance exists in the RDS console.',
      },
      {
        title: 'Turn deletion protection on',
        does: 'Modifies the instance with deletion protection on, applied immediately.',
        states: ['Enable deletion protection'],
        ifItStops:
          'Deletion protection may still be off: in the RDS console, modify the instance, tick "Enable deletion protection" and apply immediately.',
      },
      {
        title: 'Check it is on',
        does: 'Reads the instance again and confirms deletion protection is on.',
        states: ['Read deletion protection again'],
        ifItStops: 'The change was made but could not be confirmed. Look at the instance in the RDS console.',
      },
    ],
    checkAfterwards: [
      'The RDS console shows "Deletion protection: Enabled" on the instance (Configuration tab).',
      'Whoever tears down this database on purpose (a pipeline, a test environment) must now turn deletion protection off first.',
    ],
    undo: '`remediate undo` turns deletion protection off again, only if this run turned it on.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const instances = [steps.arns.dbInstances];

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [
          { action: 'ModifyDBInstance', 'dbInstanceIdentifier.$': INSTANCE, DeletionProtection: true },
        ],
        'before.$': BEFORE_PATH,
      },
      resultPath: '$.plan',
    });
    const protect = settingToggle(steps, {
      read: (id, resultPath) =>
        sfn.Chain.start(
          steps.call(id, {
            service: 'rds',
            action: 'describeDBInstances',
            parameters: { 'DbInstanceIdentifier.$': INSTANCE },
            iamResources: instances,
            resultSelector: { 'DeletionProtection.$': '$.DbInstances[0].DeletionProtection' },
            resultPath,
          }),
        ),
      change: sfn.Chain.start(
        steps.call('Enable deletion protection', {
          service: 'rds',
          action: 'modifyDBInstance',
          parameters: {
            'DbInstanceIdentifier.$': INSTANCE,
            DeletionProtection: true,
            ApplyImmediately: true,
          },
          iamResources: instances,
        }),
      ),
      isSet: (path) => sfn.Condition.booleanEquals(`${path}.DeletionProtection`, true),
      action: 'ModifyDBInstance',
      names: {
        read: 'Read deletion protection',
        readAgain: 'Read deletion protection again',
        isSet: 'Protected?',
        audit: 'Audit protection enabled',
        alreadySet: { audit: 'Audit already protected', end: 'Already protected' },
      },
      plan,
      proposedActions: [
        'Turn on deletion protection of the DB instance, applied immediately (no restart)',
        'Read the instance again and record it',
      ],
      ifDenied: 'The playbook ends: the DB instance can still be deleted.',
      headline: 'RDS deletion protection turned on',
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'rds:{region}:{account}:db:*'),
      reason:
        'The DB instance is named by the finding at run time; the role may only describe instances and modify them, and only this playbook calls ModifyDBInstance, with deletion protection on.',
    });
    const unsupported = steps
      .audit('Audit unsupported resource', 'ModifyDBInstance', 'skipped', {
        detailsPath: '$.finding.resource',
      })
      .next(new sfn.Succeed(scope, 'Unsupported resource'));
    return new sfn.Choice(scope, 'DB instance?')
      .when(sfn.Condition.stringEquals('$.finding.resource.type', 'AwsRdsDbInstance'), protect)
      .otherwise(unsupported);
  },
};
