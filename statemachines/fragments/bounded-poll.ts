import { Duration, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** Where a poll keeps its iteration count and what its reads return. */
export const POLL_PATH = '$.poll';

/** Props of {@link boundedPoll}. */
export interface BoundedPollProps {
  /** Prefixes the poll's state names; unique within the playbook. */
  readonly name: string;
  /** Seconds between two reads. */
  readonly intervalSeconds: number;
  /** Reads before the poll gives up and hands over to a human. */
  readonly maxIterations: number;
  /** The reads of one iteration; they write under `$.poll`. */
  readonly read: sfn.Chain;
  /** After a read: the work failed (checked first). */
  readonly failed: sfn.Condition;
  /** After a read: the work is done. */
  readonly done: sfn.Condition;
  /** The needs-human path, entered with the error at `$.error`. */
  readonly human: sfn.IChainable;
  /** What the audit trail says when `failed` holds. */
  readonly failure: { readonly error: string; readonly cause: string };
}

/**
 * Wait, read, decide; again until done, failed, or out of iterations. Step Functions has no
 * loop state, so the count lives in the state (`$.poll.count`) and the bound is a Choice: a
 * snapshot or a task that never settles ends in `needs-human`, not in an execution that runs
 * for a year (the Standard workflow limit). The chain ends once `done` holds.
 */
export function boundedPoll(scope: Construct, props: BoundedPollProps): sfn.Chain {
  const p = props.name;
  const toHuman = (id: string, error: string, cause: string) =>
    new sfn.Pass(scope, `${p}: ${id}`, {
      parameters: { Error: error, Cause: cause },
      resultPath: '$.error',
    }).next(props.human);
  const start = new sfn.Pass(scope, `${p}: start`, {
    parameters: { count: 0 },
    resultPath: POLL_PATH,
  });
  const wait = new sfn.Wait(scope, `${p}: wait`, {
    time: sfn.WaitTime.duration(Duration.seconds(props.intervalSeconds)),
  });
  const count = new sfn.Pass(scope, `${p}: count`, {
    parameters: { 'count.$': `States.MathAdd(${POLL_PATH}.count, 1)` },
    resultPath: POLL_PATH,
  });
  const finished = new sfn.Pass(scope, `${p}: done`, { resultPath: sfn.JsonPath.DISCARD });
  const decide = new sfn.Choice(scope, `${p}: settled?`)
    .when(props.failed, toHuman('failed', props.failure.error, props.failure.cause))
    .when(props.done, finished)
    .when(
      sfn.Condition.numberGreaterThanEquals(`${POLL_PATH}.count`, props.maxIterations - 1),
      toHuman(
        'gave up',
        'PollLimitReached',
        `${p}: not settled after ${props.maxIterations} reads ${props.intervalSeconds} s apart`,
      ),
    )
    .otherwise(count.next(wait));
  start.next(wait).next(props.read).next(decide);
  return sfn.Chain.custom(start, [finished], finished);
}
