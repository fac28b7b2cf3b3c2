import { createHash } from 'node:crypto';
import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PlaybookContext } from '../playbook.ts';
import { RUNBOOK_DIR, runbookLink } from '../runbook.ts';
import { auditStep } from './audit-step.ts';
import { notifyStep } from './notify.ts';

const NEEDS_HUMAN_START = 'Audit needs human';
/**
 * Where the state a playbook stopped at is put, with the call it made and its runbook link (see
 * {@link catchToHuman}): inside the caught error, so the needs-human audit record, which keeps
 * `$.error` as its details, names the step and the call beside the error and its cause.
 */
const STOPPED_AT = '$.error.stoppedAt';
/** The playbook of each needs-human path, so a catch routed to it can link the right runbook. */
const PLAYBOOK_OF = new WeakMap<sfn.State, string>();

/**
 * The end of every failed path: audit the caught error as `needs-human`, notify the on-call
 * engineer with the step it stopped at and that step's place in the playbook's runbook
 * (`docs/runbooks/<playbook>.md#stopped-at-<step>`), and fail the execution with error
 * `NeedsHuman`. Catchers put the error at `$.error`; {@link catchToHuman} adds the step there.
 * Everything done before the failure is already in the audit trail, step by step.
 */
export function needsHuman(ctx: PlaybookContext, playbook: string): sfn.IChainable {
  const { scope } = ctx;
  // One needs-human path per playbook: fragments (the approval gate) ask for it too.
  const existing = scope.node.tryFindChild(NEEDS_HUMAN_START);
  if (existing instanceof sfn.State) return existing;
  const notify = notifyStep(scope, 'Notify needs human', {
    topic: ctx.topic,
    playbook,
    headline: 'needs a human',
    detailsPath: '$.error',
    stoppedAtPath: STOPPED_AT,
  });
  // Paths that enter without a step (a Map's catch, a poll that gave up) still get the runbook.
  const where = new sfn.Choice(scope, 'Stopped at known?')
    .when(sfn.Condition.isPresent(`${STOPPED_AT}.step`), notify)
    .otherwise(
      new sfn.Pass(scope, 'Stopped at unknown', {
        result: sfn.Result.fromObject({
          step: 'see the audit trail for the last step done',
          runbook: runbookLink(playbook),
        }),
        resultPath: STOPPED_AT,
      }).next(notify),
    );
  const audit = auditStep(scope, NEEDS_HUMAN_START, {
    appender: ctx.auditAppender,
    playbook,
    action: 'NeedsHuman',
    outcome: 'needs-human',
    detailsPath: '$.error',
  });
  // A trail that cannot be written (the very failure, sometimes) must not silence the page.
  audit.addCatch(where, { errors: [sfn.Errors.ALL], resultPath: '$.auditError' });
  audit.next(where);
  PLAYBOOK_OF.set(audit, playbook);
  notify.next(
    new sfn.Fail(scope, 'Needs human', {
      error: 'NeedsHuman',
      causePath: sfn.JsonPath.stringAt('$.error.Cause'),
    }),
  );
  return audit;
}

/**
 * The API a task calls, as IAM names the action (`iam:PutUserPolicy`), read from its resource
 * (`arn:aws:states:::aws-sdk:iam:putUserPolicy`, `arn:aws:states:::sns:publish`), so a stop reads
 * "AccessDenied on iam:PutUserPolicy". Undefined for a resource of another shape.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
function calledAction(task: sfn.TaskStateBase): string | undefined {
  const resource: unknown = (task.toStateJson() as { Resource?: unknown }).Resource;
  if (typeof resource !== 'string') return undefined;
  const match = /:states:::(?:aws-sdk:)?([a-z0-9-]+):([a-zA-Z0-9]+)/.exec(resource);
  if (!match?.[1] || !match[2]) return undefined;
  return `${match[1]}:${match[2].charAt(0).toUpperCase()}${match[2].slice(1)}`;
}

/** Step Functions state names are at most 80 characters. */
const MAX_STATE_NAME = 80;

/**
 * The name of the Pass that records where a task stopped: `<task>: stopped`, or, for a task whose
 * name leaves no room, its name cut short with a digest of the whole name so two long names never meet.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-machine-structure.html (state names)
 */
export function stoppedStateName(taskName: string): string {
  const name = `${taskName}: stopped`;
  if (name.length <= MAX_STATE_NAME) return name;
  const digest = createHash('sha256').update(taskName).digest('hex').slice(0, 6);
  return `${taskName.slice(0, MAX_STATE_NAME - ': stopped'.length - digest.length - 1)} ${digest}: stopped`;
}

/**
 * Catch everything on a task and send it to the needs-human path, through a Pass that records
 * which step stopped, the call it made and where its runbook says what to do (`<task>: stopped`).
 */
export function catchToHuman<T extends sfn.TaskStateBase>(
  task: T,
  handler: sfn.IChainable,
  /** The playbook whose runbook to link. @default the playbook of the needs-human path `handler` */
  runbookOf?: string,
): T {
  const playbook = runbookOf ?? (handler instanceof sfn.State ? PLAYBOOK_OF.get(handler) : undefined);
  const existing = task.node.tryFindChild('Stopped');
  const call = calledAction(task);
  const stopped =
    existing instanceof sfn.Pass
      ? existing
      : new sfn.Pass(task, 'Stopped', {
          stateName: stoppedStateName(task.stateId),
          result: sfn.Result.fromObject({
            step: task.stateId,
            ...(call && { call }),
            runbook: playbook ? runbookLink(playbook, task.stateId) : RUNBOOK_DIR,
          }),
          resultPath: STOPPED_AT,
        }).next(handler);
  task.addCatch(stopped, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  return task;
}

/**
 * The error a Map iteration fails with when one of its steps stopped: its cause is the caught
 * error, with `stoppedAt`, as JSON. A Map's catcher receives only the failed iteration's error
 * name and cause (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html), not
 * the state it failed in, so the step travels in the cause and {@link catchMapToHuman} unpacks it.
 */
export const ITERATION_STOPPED = 'Remediation.IterationStopped';

/**
 * The end of a failed step inside the Map `mapId`: fail the iteration with
 * {@link ITERATION_STOPPED} and the caught `$.error` as the cause. Catch a step to it with
 * `catchToHuman(task, stop, playbook)`, so the Pass before it names the step.
 */
export function iterationStopped(scope: Construct, mapId: string): sfn.IChainable {
  return new sfn.Pass(scope, `${mapId}: step stopped`, {
    parameters: { 'cause.$': 'States.JsonToString($.error)' },
    resultPath: '$.stopped',
  }).next(
    new sfn.Fail(scope, `${mapId}: iteration stopped`, {
      error: ITERATION_STOPPED,
      causePath: '$.stopped.cause',
    }),
  );
}

/**
 * Catch everything on `map` to the needs-human path `handler`; an iteration that stopped through
 * {@link iterationStopped} has its caught error, with the step it stopped at, put back at `$.error`,
 * so the notification names the step inside the Map and links its place in the runbook.
 */
export function catchMapToHuman(map: sfn.Map, handler: sfn.IChainable): sfn.Map {
  // The Map's own parent: its catch states sit beside it, outside the iteration.
  const scope = map.node.scope as Construct;
  const id = map.stateId;
  const read = new sfn.Pass(scope, `${id}: read stopped step`, {
    parameters: { 'caught.$': 'States.StringToJson($.error.Cause)' },
    resultPath: '$.error',
  });
  const unpack = new sfn.Pass(scope, `${id}: stopped step`, {
    inputPath: '$.error.caught',
    resultPath: '$.error',
  });
  const known = new sfn.Choice(scope, `${id}: stopped in a step?`)
    .when(sfn.Condition.stringEquals('$.error.Error', ITERATION_STOPPED), read.next(unpack).next(handler))
    .otherwise(handler);
  map.addCatch(known, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  return map;
}
