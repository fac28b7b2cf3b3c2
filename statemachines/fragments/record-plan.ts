import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { PlaybookContext } from '../playbook.ts';
import { auditStep } from './audit-step.ts';
import { catchToHuman } from './needs-human.ts';

/**
 * The end of every dry run: audit the plan found at `planPath` as `planned` and succeed. Nothing
 * that mutates has been called on this path; a failed audit write goes to `human`.
 */
export function recordPlan(
  ctx: PlaybookContext,
  human: sfn.IChainable,
  playbook: string,
  planPath = '$.plan',
): sfn.Chain {
  return catchToHuman(
    auditStep(ctx.scope, 'Audit plan', {
      appender: ctx.auditAppender,
      playbook,
      action: 'Plan',
      outcome: 'planned',
      detailsPath: planPath,
    }),
    human,
  ).next(new sfn.Succeed(ctx.scope, 'Dry run recorded'));
}
