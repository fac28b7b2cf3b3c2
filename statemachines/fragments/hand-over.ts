import { aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { PlaybookContext } from '../playbook.ts';
import { auditStep } from './audit-step.ts';
import { catchToHuman } from './needs-human.ts';
import { retryOnThrottling } from './retry.ts';

/** Where classify puts the follow-up (see `followUpOf` in functions/classify/route.ts). */
const NEXT = '$.decision.next';

/** When a playbook does not hand over although its rule names a follow-up. */
export interface HandOverOptions {
  /**
   * Skip the hand-over (audited as `skipped`) when this holds, e.g. the instance was already
   * quarantined for another finding, whose own follow-up covers it. @default never
   */
  readonly skipWhen?: sfn.Condition;
  /** JSONPath of what the skip record explains (the earlier quarantine). @default none */
  readonly skipDetailsPath?: string;
}

/**
 * The last step of a playbook whose policy rule names a follow-up (`next:`): start the follow-up
 * playbook on the same finding, under the deterministic execution name classify computed, so a
 * re-run hands over once (ExecutionAlreadyExists is recorded as already handed over). The role
 * may start only the state machines the policy lets this playbook hand over to
 * (`ctx.followUps`); with none, the fragment is a no-op state.
 */
export function handOver(
  ctx: PlaybookContext,
  human: sfn.IChainable,
  playbook: string,
  options: HandOverOptions = {},
): sfn.Chain {
  const { scope } = ctx;
  const followUps = ctx.followUps ?? [];
  // Each branch ends at its audit step: no state of its own to end on (Standard workflows bill
  // each state entered). Only a run whose rule names no follow-up needs one.
  const none = new sfn.Pass(scope, 'No follow-up named');
  if (followUps.length === 0) return sfn.Chain.start(new sfn.Pass(scope, 'No follow-up'));
  // The follow-up's input: the same finding and audit keys, its own decision. Built as JSON text
  // by the call itself (nested intrinsics; `{` and `}` of the template escaped:
  // https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html), not by a Pass
  // state of its own (Standard workflows bill each state entered).
  const input = `States.Format('\\{"finding":{},"decision":{},"audit":{},"target":{}\\}', ${[
    '$.finding',
    `${NEXT}.decision`,
    '$.audit',
    '$.target',
  ]
    .map((path) => `States.JsonToString(${path})`)
    .join(', ')})`;
  const start = retryOnThrottling(
    new tasks.CallAwsService(scope, 'Start follow-up playbook', {
      service: 'sfn',
      action: 'startExecution',
      iamAction: 'states:StartExecution',
      iamResources: followUps.map((machine) => machine.stateMachineArn),
      parameters: {
        StateMachineArn: sfn.JsonPath.stringAt(`${NEXT}.stateMachineArn`),
        Name: sfn.JsonPath.stringAt(`${NEXT}.executionName`),
        Input: sfn.JsonPath.stringAt(input),
      },
      resultSelector: { 'executionArn.$': '$.ExecutionArn' },
      resultPath: '$.handOver',
    }),
    'Sfn',
  );
  const audit = (id: string, outcome: 'succeeded' | 'skipped', detailsPath?: string) =>
    catchToHuman(
      auditStep(scope, id, {
        appender: ctx.auditAppender,
        playbook,
        action: 'HandOver',
        outcome,
        detailsPath,
      }),
      human,
    );
  const already = new sfn.Pass(scope, 'Follow-up already started', {
    parameters: { 'executionName.$': `${NEXT}.executionName`, reason: 'ExecutionAlreadyExists' },
    resultPath: '$.handOver',
  });
  start.addCatch(already.next(audit('Audit already handed over', 'skipped', '$.handOver')), {
    errors: ['Sfn.ExecutionAlreadyExistsException'],
    resultPath: '$.error',
  });
  catchToHuman(start, human);
  const choice = new sfn.Choice(scope, 'Follow-up named?');
  if (options.skipWhen)
    choice.when(
      sfn.Condition.and(sfn.Condition.isPresent(NEXT), options.skipWhen),
      audit('Audit follow-up not needed', 'skipped', options.skipDetailsPath),
    );
  return sfn.Chain.start(
    choice
      .when(sfn.Condition.isPresent(NEXT), start.next(audit('Audit handed over', 'succeeded', '$.handOver')))
      .otherwise(none)
      .afterwards(),
  );
}
