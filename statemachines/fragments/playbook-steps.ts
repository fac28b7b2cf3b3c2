import { aws_stepfunctions as sfn, type aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { AuditOutcome } from '#shared/audit/record.ts';
import type { PlaybookContext } from '../playbook.ts';
import { approvalGate } from './approval-gate.ts';
import { auditStep } from './audit-step.ts';
import { MemberAwsCall, memberCredentials } from './member-credentials.ts';
import { catchToHuman, needsHuman } from './needs-human.ts';
import { notifyStep } from './notify.ts';
import { recordPlan } from './record-plan.ts';
import { type RETRYABLE_ERRORS, retryOnThrottling } from './retry.ts';

/** JSONPaths of what an audit record keeps besides the action and outcome. */
export interface AuditPaths {
  readonly beforePath?: string;
  readonly afterPath?: string;
  readonly detailsPath?: string;
  readonly reasonPath?: string;
}

/** The building blocks of a playbook, every one already wired to its needs-human path. */
export interface PlaybookSteps {
  /** The shared end of every failed step (audit `needs-human`, notify, fail `NeedsHuman`). */
  readonly human: sfn.IChainable;
  /** Append one audit record. */
  audit(id: string, action: string, outcome: AuditOutcome, paths?: AuditPaths): tasks.LambdaInvoke;
  /** One AWS SDK integration call, retried on the service's throttling errors unless `retry` is false. */
  call(
    id: string,
    props: tasks.CallAwsServiceProps,
    retry: keyof typeof RETRYABLE_ERRORS | false,
  ): tasks.CallAwsService;
  /** Dry run: record the plan at `planPath` and end; nothing that mutates was called. */
  planRecorded(planPath: string): sfn.IChainable;
  /**
   * The one `Mode?` choice: `dry-run` records the plan at `planPath` (built by `plan`) and ends,
   * `approve` puts the approval gate in front of `contain`, `auto` runs `contain` at once.
   */
  byMode(props: ByModeProps): sfn.Choice;
  /** Approve mode: the approval gate, then `next` once approved (or on timeout with `proceed`). */
  approved(proposedActions: readonly string[], ifDenied: string, next: sfn.IChainable): sfn.IChainable;
  /**
   * The end of a successful run: record `verified` when `isVerified` holds (the resource was
   * read again after the change), notify, record `contained`; otherwise record `not-verified`
   * and hand over to a human.
   */
  verify(isVerified: sfn.Condition, paths: AuditPaths, headline: string): sfn.Choice;
}

/** What {@link PlaybookSteps.byMode} chooses between. */
export interface ByModeProps {
  /**
   * Builds the dry-run plan (a Pass writing `$.plan`); nothing that mutates is called.
   * @default none: the steps before the choice already wrote `$.plan`
   */
  readonly plan?: sfn.Pass;
  /** The approval request's lines: what will be done, in plain language. */
  readonly proposedActions: readonly string[];
  /** What happens when the approval is denied. */
  readonly ifDenied: string;
  /** The containment steps, the same in approve and auto mode. */
  readonly contain: sfn.IChainable;
}

/** The steps of the playbook named `playbook`, created in the context's scope. */
export function playbookSteps(ctx: PlaybookContext, playbook: string): PlaybookSteps {
  const { scope } = ctx;
  const human = needsHuman(ctx, playbook);
  const audit: PlaybookSteps['audit'] = (id, action, outcome, paths = {}) =>
    catchToHuman(
      auditStep(scope, id, { appender: ctx.auditAppender, playbook, action, outcome, ...paths }),
      human,
    );
  const notify = (id: string, headline: string) =>
    catchToHuman(notifyStep(scope, id, { topic: ctx.topic, playbook, headline }), human);
  return {
    human,
    audit,
    call(id, props, retry) {
      const task = new MemberAwsCall(scope, id, { credentials: memberCredentials(scope), ...props });
      return catchToHuman(retry ? retryOnThrottling(task, retry) : task, human);
    },
    planRecorded: (planPath) => recordPlan(ctx, human, playbook, planPath),
    byMode: ({ plan, proposedActions, ifDenied, contain }) =>
      new sfn.Choice(scope, 'Mode?')
        .when(
          sfn.Condition.stringEquals('$.decision.mode', 'dry-run'),
          plan
            ? plan.next(recordPlan(ctx, human, playbook, '$.plan'))
            : recordPlan(ctx, human, playbook, '$.plan'),
        )
        .when(
          sfn.Condition.stringEquals('$.decision.mode', 'approve'),
          approvalGate(ctx, { name: 'Approval', playbook, proposedActions, ifDenied }).next(contain),
        )
        .otherwise(contain),
    approved: (proposedActions, ifDenied, next) =>
      approvalGate(ctx, { name: 'Approval', playbook, proposedActions, ifDenied }).next(next),
    verify(isVerified, paths, headline) {
      const verified = audit('Audit verified', 'Verify', 'verified', paths)
        .next(notify('Notify contained', headline))
        .next(audit('Audit contained', 'Complete', 'contained'))
        .next(new sfn.Succeed(scope, 'Contained'));
      const notVerified = audit('Audit not verified', 'Verify', 'not-verified', paths)
        .next(
          new sfn.Pass(scope, 'Verification failed', {
            parameters: {
              Error: 'NotVerified',
              Cause: `${playbook}: the resource, read again after the change, is not in the expected state`,
            },
            resultPath: '$.error',
          }),
        )
        .next(human);
      return new sfn.Choice(scope, 'Verified?').when(isVerified, verified).otherwise(notVerified);
    },
  };
}
