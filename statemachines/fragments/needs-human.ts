import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { PlaybookContext } from '../playbook.ts';
import { auditStep } from './audit-step.ts';
import { notifyStep } from './notify.ts';

const NEEDS_HUMAN_START = 'Audit needs human';

/**
 * The end of every failed path: audit the caught error as `needs-human`, notify the on-call
 * engineer, and fail the execution with error `NeedsHuman`. Catchers put the error at `$.error`.
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
  });
  const audit = auditStep(scope, NEEDS_HUMAN_START, {
    appender: ctx.auditAppender,
    playbook,
    action: 'NeedsHuman',
    outcome: 'needs-human',
    detailsPath: '$.error',
  });
  // A trail that cannot be written (the very failure, sometimes) must not silence the page.
  audit.addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: '$.auditError' });
  return audit.next(notify).next(
    new sfn.Fail(scope, 'Needs human', {
      error: 'NeedsHuman',
      causePath: sfn.JsonPath.stringAt('$.error.Cause'),
    }),
  );
}

/** Catch everything on a task and send it to the needs-human path. */
export function catchToHuman<T extends sfn.TaskStateBase>(task: T, handler: sfn.IChainable): T {
  task.addCatch(handler, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
  return task;
}
