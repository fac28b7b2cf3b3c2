import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '../errors.ts';
import type { Finding } from '../findings/finding.ts';
import { loadPlaybookCatalog } from '../playbooks/catalog.ts';
import {
  PlaybookExecutionInputSchema,
  planUndo,
  type TargetExecution,
  UNDO,
  type UndoInput,
  UndoInputSchema,
  type UndoPlan,
  type UndoRefusal,
} from './plan.ts';
import { findingRecords, resourceHistory } from './resource-history.ts';

/** How undo runs once planned: at once, or after an on-call engineer approves (policy `undo.mode`). */
export const UndoModeSchema = z.enum(['auto', 'approve']);
export type UndoMode = z.infer<typeof UndoModeSchema>;

/** What the undo state machine gives the planner: its own input, and what its definition fixes. */
export const PlanUndoEventSchema = z.object({
  request: UndoInputSchema,
  mode: UndoModeSchema,
  auditTable: z.string().check(z.minLength(1)),
});
export type PlanUndoEvent = z.infer<typeof PlanUndoEventSchema>;

/**
 * The undo state machine's working state after planning: the plan, and the `finding`,
 * `decision` and `audit` of the original execution that the shared fragments (audit step,
 * approval gate, notify) read. Built here from the trail, never from the caller's input.
 */
export interface UndoRunState {
  readonly request: UndoInput;
  readonly plan: UndoPlan | UndoRefusal;
  readonly decision: {
    playbook: string;
    mode: 'auto' | 'approve' | 'dry-run';
    ruleId: string;
    reason: string;
  };
  /** Absent when the target execution could not be read. */
  readonly finding?: Finding;
  readonly audit?: { pk: string; resourceKey: string };
  /** Where the original playbook acted; an organization's member role is used again. */
  readonly target?: { accountId: string; region: string; roleArn?: string };
  /** The plan in two lines (its actions, then its notes), for the approval request. */
  readonly proposal: { actions: string; notes: string };
}

/** What {@link prepareUndo} calls. */
export interface PrepareUndoDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
}

/** The planner's event is malformed: a bug in the state machine. */
export class PlanUndoInputError extends RemediationError {
  override name = 'PlanUndoInputError';
}

/** Read the execution and its finding's trail, plan the undo, and lay out the state machine's state. */
export async function prepareUndo(event: unknown, deps: PrepareUndoDeps): Promise<UndoRunState> {
  const parsed = PlanUndoEventSchema.safeParse(event);
  if (!parsed.success)
    throw new PlanUndoInputError(`invalid plan-undo event: ${parsed.error.message}`, { cause: parsed.error });
  const { request, mode, auditTable } = parsed.data;
  const decision = {
    playbook: UNDO,
    mode: request.dryRun ? ('dry-run' as const) : mode,
    ruleId: UNDO,
    reason: `undo of ${request.executionArn} requested by ${request.requestedBy}`,
  };
  const target = await describe(deps.sfn, request.executionArn);
  if ('outcome' in target) return { request, plan: target, decision, proposal: proposalOf(target) };
  const input = PlaybookExecutionInputSchema.safeParse(target.input);
  const records = input.success ? await findingRecords(deps.dynamodb, auditTable, input.data.audit.pk) : [];
  const history = input.success
    ? await resourceHistory(deps, auditTable, input.data.audit.resourceKey)
    : undefined;
  // The facts of every playbook the plan may reverse: the target's, and those of the resource's history.
  const named = [...records, ...(history?.records ?? [])].flatMap((r) => (r.playbook ? [r.playbook] : []));
  const catalog = await loadPlaybookCatalog(input.success ? [input.data.decision.playbook, ...named] : []);
  const plan = planUndo(catalog, target, records, history);
  if (!input.success) return { request, plan, decision, proposal: proposalOf(plan) };
  return {
    request,
    plan,
    decision,
    finding: input.data.finding,
    audit: { pk: input.data.audit.pk, resourceKey: input.data.audit.resourceKey },
    ...(input.data.target ? { target: input.data.target } : {}),
    proposal: proposalOf(plan),
  };
}

/** The plan as two lines of text: numbered actions, then the notes. */
function proposalOf(plan: UndoPlan | UndoRefusal): UndoRunState['proposal'] {
  if (plan.outcome === 'refused') return { actions: `Nothing: ${plan.reason}`, notes: '' };
  const steps = [
    ...plan.followUps.map(
      (f) =>
        `Stop follow-up ${f.executionArn}${f.approvalId ? ` and cancel its approval request ${f.approvalId}` : ''}`,
    ),
    ...plan.actions.map((a) => a.description),
  ];
  const actions = plan.held
    ? 'nothing is reversed (another containment of the resource stands); the execution is recorded as undone'
    : steps.map((step, i) => `${i + 1}. ${step}`).join(' ');
  return {
    actions: `Undo ${plan.targetExecutionArn}: ${actions}`,
    notes: `Note: ${plan.notes.join(' ') || 'none'}`,
  };
}

/** DescribeExecution, or a refusal when there is no such execution or it is not one this stack may read. */
async function describe(
  sfn: PrepareUndoDeps['sfn'],
  executionArn: string,
): Promise<TargetExecution | UndoRefusal> {
  const refuse = (code: UndoRefusal['code'], reason: string): UndoRefusal => ({
    outcome: 'refused',
    targetExecutionArn: executionArn,
    code,
    reason,
  });
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return { executionArn, status: out.status ?? 'UNKNOWN', input: JSON.parse(out.input ?? '{}') };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ExecutionDoesNotExist' || name === 'InvalidArn')
      return refuse('not-found', `there is no execution ${executionArn}`);
    // The planner may read the executions of this stack's playbooks (and of undo) only.
    if (name === 'AccessDeniedException')
      return refuse('unknown-execution', `${executionArn} is not an execution of a playbook of this stack`);
    throw error;
  }
}
