import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/restart-cloudtrail-logging.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { trailIdentifier } from './fragments/trail-id.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * Turn a trail's logging back on after StopLogging: read its status, StartLogging, read the
 * status again to verify `IsLogging`. Who stopped it (the finding's actor) goes into the audit
 * trail. A deleted trail is not handled here: its configuration is gone and cannot be restored.
 */
export const restartCloudTrailLogging: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the trail',
        does: 'Reads whether the trail is logging.',
        states: ['Read trail status'],
        ifItStops: 'Nothing was changed. Check that the trail still exists in the CloudTrail console.',
      },
      {
        title: 'Turn logging back on',
        does: 'Starts logging on the trail that was stopped.',
        states: ['Start logging'],
        ifItStops:
          'The trail may still be off: turn it on in the CloudTrail console (Trails > the trail > Start logging). Find out who stopped it.',
      },
      {
        title: 'Check it is logging',
        does: 'Reads the trail again and confirms it logs.',
        states: ['Read status again'],
        ifItStops:
          'Logging was started but could not be confirmed. Look at the trail in the CloudTrail console.',
      },
    ],
    checkAfterwards: [
      'The trail shows Logging: on in the CloudTrail console.',
      'Whoever stopped the trail is known and the reason is recorded.',
    ],
    undo: '`remediate undo` does not stop logging again: logging on is the safe state. If it must be off, stop it in the CloudTrail console and record why in the incident.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // Name accepts the trail's name or ARN; the ARN also reaches a trail of another account
    // (an organization trail), so it is preferred when the finding carries it.
    const cloudtrail = (id: string, action: string, resultPath: string) =>
      steps.call(id, {
        service: 'cloudtrail',
        action,
        parameters: { 'Name.$': '$.trail.id' },
        iamResources: [steps.arns.trails],
        resultPath,
      });

    const trailId = trailIdentifier(scope);
    // CloudTrail names the caller of StopLogging; other sources may not.
    const stoppedBy = new sfn.Choice(scope, 'Actor known?')
      .when(
        sfn.Condition.isPresent('$.finding.actor'),
        new sfn.Pass(scope, 'Record actor', {
          parameters: { 'stoppedBy.$': '$.finding.actor', 'at.$': '$.finding.firstSeen' },
          resultPath: '$.stopped',
        }),
      )
      .otherwise(
        new sfn.Pass(scope, 'Actor unknown', {
          parameters: { stoppedBy: 'unknown', 'at.$': '$.finding.firstSeen' },
          resultPath: '$.stopped',
        }),
      )
      .afterwards();

    const plan = new sfn.Pass(scope, 'Build plan', {
      parameters: {
        actions: [{ action: 'StartLogging', 'trail.$': '$.trail.id' }],
        'before.$': '$.state.before',
        'stopped.$': '$.stopped',
      },
      resultPath: '$.plan',
    });

    const contain = cloudtrail('Start logging', 'startLogging', sfn.JsonPath.DISCARD)
      .next(
        steps.audit('Audit logging started', 'StartLogging', 'succeeded', {
          beforePath: '$.state.before',
          detailsPath: '$.stopped',
        }),
      )
      .next(cloudtrail('Read status again', 'getTrailStatus', '$.state.after'))
      .next(
        steps.verify(
          sfn.Condition.booleanEquals('$.state.after.IsLogging', true),
          { afterPath: '$.state.after' },
          'CloudTrail logging restarted',
        ),
      );
    // Someone (or an earlier run) already restarted it: record that and touch nothing.
    const auto = steps.unlessAlready({
      id: 'Logging?',
      already: sfn.Condition.booleanEquals('$.state.before.IsLogging', true),
      audit: {
        id: 'Audit already logging',
        action: 'StartLogging',
        paths: { beforePath: '$.state.before', detailsPath: '$.stopped' },
      },
      endId: 'Already logging',
      contain,
    });

    const byMode = steps.byMode({
      plan,
      proposedActions: [
        'Start logging on the trail the finding names',
        'Read the trail status again and record whether it logs',
      ],
      ifDenied: 'The playbook ends: the trail stays stopped.',
      contain: auto,
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'cloudtrail:{region}:{account}:trail/*'),
      reason:
        'The trail is named by the finding at run time; the role may only read a trail status and start logging, never stop or delete a trail.',
    });
    return trailId
      .next(stoppedBy)
      .next(cloudtrail('Read trail status', 'getTrailStatus', '$.state.before'))
      .next(byMode);
  },
};
