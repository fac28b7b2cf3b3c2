import path from 'node:path';
import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/restore-trail-settings.ts';
import { trailIdentifier } from './fragments/arn-or-id.ts';
import { catchToHuman } from './fragments/needs-human.ts';
import { notifyStep } from './fragments/notify.ts';
import { plannerFunction } from './fragments/planner.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';
import { ACCOUNT_TRAIL_PATH, accountTrail } from './restore-trail-settings/account-trail.ts';

const NAME = facts.name;
const PLANNER_ENTRY = path.resolve(import.meta.dirname, '../functions/plan-trail-restore/handler.ts');

/**
 * Turn back on what a PutEventSelectors or UpdateTrail call turned off, or what Security Hub
 * CloudTrail.4 reports off (log file validation), or what CloudTrail.1 reports missing on the
 * account's trail (multi-Region logging, read and write management events, logging; the trail is
 * found first, restore-trail-settings/account-trail.ts): read the trail and its selectors, plan (the
 * planner function, shared/drift/trail-restore.ts), UpdateTrail and PutEventSelectors with exactly
 * that, read again and plan again to verify nothing is left to restore. The log destination is
 * never changed: no record names the bucket the trail used before.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
 * https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-4
 */
export const restoreTrailSettings: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: "Find the account's trail",
        does: "For a finding about the account (Security Hub CloudTrail.1): lists the Region's trails, reads whether each of the account's own trails logs and what it logs, and chooses the one needing the fewest changes.",
        states: [
          'List trails',
          'Read each trail',
          'Read trail logging',
          'Read trail selectors',
          'Choose trail',
          'No trail to fix',
        ],
        ifItStops:
          'Nothing was changed. If the account has no trail in this Region, create a multi-Region trail logging read and write management events in the CloudTrail console, choosing the bucket its logs go to.',
      },
      {
        title: 'Read the trail',
        does: 'Reads the trail and its event selectors and chooses what the call turned off that is still off.',
        states: ['Read trail', 'Read event selectors', 'Plan restore'],
        ifItStops: 'Nothing was changed. Check that the trail still exists in the CloudTrail console.',
      },
      {
        title: 'Turn the settings back on',
        does: 'Turns log file validation or multi-Region logging back on, and logs every read and write management event again; data events stay as they are.',
        states: ['Update trail', 'Put event selectors', 'Put advanced event selectors', 'Start logging'],
        ifItStops:
          'Some settings may still be off: in the CloudTrail console open the trail and turn on log file validation, "Apply trail to all Regions", and management events (Read and Write). Find out who changed them.',
      },
      {
        title: 'Check the settings are on',
        does: 'Reads the trail again and confirms nothing it turned back on is off.',
        states: ['Read trail again', 'Read event selectors again', 'Read logging again', 'Check restore'],
        ifItStops:
          'The settings were changed but could not be confirmed. Look at the trail in the CloudTrail console.',
      },
    ],
    checkAfterwards: [
      'The trail shows log file validation on, applies to all Regions, and logs read and write management events.',
      'For a CloudTrail.1 finding: the trail named in the notification shows Logging: on, and the control passes at its next periodic check.',
      'If the notification says the log destination changed, the trail delivers to a bucket you own: set it back in the console (the previous bucket is not in any record).',
      'Whoever changed the trail is known and the reason is recorded.',
    ],
    undo: '`remediate undo` does not turn the settings off again: on is the safe state. If a setting must be off, change it in the CloudTrail console and record why in the incident.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const trails = [steps.arns.trails];
    const planner = plannerFunction(ctx, {
      id: 'PlanTrailRestore',
      entry: PLANNER_ENTRY,
      description: 'Chooses the trail settings restore-trail-settings turns back on',
      human: steps.human,
    });
    const plan = (id: string, statePath: string, resultPath: string) =>
      planner.invoke(
        id,
        {
          trailId: sfn.JsonPath.stringAt('$.trail.id'),
          change: sfn.JsonPath.objectAt('$.finding.change'),
          decision: sfn.JsonPath.objectAt('$.decision'),
          trail: sfn.JsonPath.objectAt(`${statePath}.trail`),
          selectors: sfn.JsonPath.objectAt(`${statePath}.selectors`),
        },
        resultPath,
      );
    // GetTrail and GetEventSelectors accept the trail's name or ARN; the ARN reaches an
    // organization trail of another account.
    const read = (again: boolean, statePath: string) =>
      steps
        .call(`Read trail${again ? ' again' : ''}`, {
          service: 'cloudtrail',
          action: 'getTrail',
          parameters: { 'Name.$': '$.trail.id' },
          iamResources: trails,
          resultSelector: { 'trail.$': '$.Trail' },
          resultPath: statePath,
        })
        .next(
          steps.call(`Read event selectors${again ? ' again' : ''}`, {
            service: 'cloudtrail',
            action: 'getEventSelectors',
            parameters: { 'TrailName.$': '$.trail.id' },
            iamResources: trails,
            resultPath: `${statePath}.selectors`,
          }),
        );

    const trailId = trailIdentifier(scope);
    // A Security Hub control finding carries no `change`: the rule's `params.restore` says what.
    const changeKnown = new sfn.Choice(scope, 'Change recorded?')
      .when(sfn.Condition.isPresent('$.finding.change'), new sfn.Pass(scope, 'Change as recorded'))
      .otherwise(
        new sfn.Pass(scope, 'No recorded change', {
          result: sfn.Result.fromObject({}),
          resultPath: '$.finding.change',
        }),
      )
      .afterwards();

    // An account finding's trail (CloudTrail.1) may also be stopped: the control fails while
    // CloudTrail is disabled, so it is started too, and read back.
    const chosenStopped = sfn.Condition.and(
      sfn.Condition.isPresent(`${ACCOUNT_TRAIL_PATH}.isLogging`),
      sfn.Condition.booleanEquals(`${ACCOUNT_TRAIL_PATH}.isLogging`, false),
    );
    const logging = sfn.Condition.or(
      sfn.Condition.not(chosenStopped),
      sfn.Condition.and(
        sfn.Condition.isPresent('$.state.logging.IsLogging'),
        sfn.Condition.booleanEquals('$.state.logging.IsLogging', true),
      ),
    );
    const checkAfter = plan('Check restore', '$.state.after', '$.verification');
    checkAfter.next(
      steps.verify(
        sfn.Condition.and(sfn.Condition.numberEquals('$.verification.count', 0), logging),
        { afterPath: '$.state.after', detailsPath: '$.verification' },
        'trail settings restored',
      ),
    );
    const startLogging = steps
      .call('Start logging', {
        service: 'cloudtrail',
        action: 'startLogging',
        parameters: { 'Name.$': '$.trail.id' },
        iamResources: trails,
      })
      .next(
        steps.audit('Audit logging started', 'StartLogging', 'succeeded', {
          detailsPath: ACCOUNT_TRAIL_PATH,
        }),
      )
      .next(
        steps.call('Read logging again', {
          service: 'cloudtrail',
          action: 'getTrailStatus',
          parameters: { 'Name.$': '$.trail.id' },
          iamResources: trails,
          resultSelector: { 'IsLogging.$': '$.IsLogging' },
          resultPath: '$.state.logging',
        }),
      );
    const readAgain = read(true, '$.state.after').next(checkAfter);
    const audited = steps
      .audit('Audit settings restored', 'RestoreTrailSettings', 'succeeded', {
        beforePath: '$.state.before',
        detailsPath: '$.plan',
      })
      .next(
        new sfn.Choice(scope, 'Logging to start?')
          .when(chosenStopped, startLogging.next(readAgain))
          .otherwise(readAgain),
      );
    // Each part of the plan is its own call, made only when the planner put that part in the plan.
    const whenPlanned = (part: string, id: string, action: string, parameters: Record<string, unknown>) =>
      [
        sfn.Condition.isPresent(`$.plan.${part}`),
        steps.call(id, { service: 'cloudtrail', action, parameters, iamResources: trails }),
      ] as const;
    const putSelectors = new sfn.Choice(scope, 'Selectors to restore?')
      .when(
        ...whenPlanned('putEventSelectors', 'Put event selectors', 'putEventSelectors', {
          'TrailName.$': '$.trail.id',
          'EventSelectors.$': '$.plan.putEventSelectors.EventSelectors',
        }),
      )
      .when(
        ...whenPlanned('putAdvancedEventSelectors', 'Put advanced event selectors', 'putEventSelectors', {
          'TrailName.$': '$.trail.id',
          'AdvancedEventSelectors.$': '$.plan.putAdvancedEventSelectors.AdvancedEventSelectors',
        }),
      )
      .afterwards({ includeOtherwise: true })
      .next(audited);
    const restore = new sfn.Choice(scope, 'Trail to update?')
      .when(
        ...whenPlanned('updateTrail', 'Update trail', 'updateTrail', {
          'Name.$': '$.trail.id',
          'IsMultiRegionTrail.$': '$.plan.updateTrail.IsMultiRegionTrail',
          'EnableLogFileValidation.$': '$.plan.updateTrail.EnableLogFileValidation',
        }),
      )
      .afterwards({ includeOtherwise: true })
      .next(putSelectors);

    // Nothing to turn back on (already on, or only the destination changed): people still hear
    // what the call did and what was not restored.
    const nothingToRestore = catchToHuman(
      notifyStep(scope, 'Notify nothing restored', {
        topic: ctx.topic,
        playbook: NAME,
        headline: 'nothing to restore',
        detailsPath: '$.plan',
      }),
      steps.human,
    ).next(
      steps.nothingToDo(
        'Audit nothing to restore',
        'RestoreTrailSettings',
        { beforePath: '$.state.before', detailsPath: '$.plan' },
        'Nothing to restore',
      ),
    );
    const auto = new sfn.Choice(scope, 'Anything to restore?')
      .when(sfn.Condition.or(sfn.Condition.numberGreaterThan('$.plan.count', 0), chosenStopped), restore)
      .otherwise(nothingToRestore);

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'cloudtrail:{region}:{account}:trail/*'),
      reason:
        'The trail is named by the finding at run time; the role may only read a trail and its selectors and turn logging settings back on, never stop or delete a trail.',
    });
    trailId
      .next(changeKnown)
      .next(read(false, '$.state.before'))
      .next(plan('Plan restore', '$.state.before', '$.plan'))
      .next(
        steps.byMode({
          proposedActions: [
            'Turn back on what the call turned off and is still off: log file validation, multi-Region logging, or read and write management events (data event selectors stay as they are)',
            'For a finding about the account (CloudTrail.1): do this on the trail of the account chosen above, and start its logging if it is stopped',
            'Leave the log destination as it is (the previous bucket is not known)',
            'Read the trail again and record whether the settings are on',
          ],
          ifDenied: 'The playbook ends: the trail stays as the call left it.',
          contain: auto,
        }),
      );
    // A finding naming the account has no trail yet: find the one to fix first.
    return new sfn.Choice(scope, 'Account finding?')
      .when(
        sfn.Condition.stringEquals('$.finding.resource.kind', 'Account'),
        accountTrail(ctx, steps, trailId),
      )
      .otherwise(trailId);
  },
};
