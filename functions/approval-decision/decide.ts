import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ApprovalKeys } from '#shared/approvals/keys.ts';
import { type ApprovalRecord, effectiveStatus, hasReason } from '#shared/approvals/model.ts';
import { openToken } from '#shared/approvals/sealed-token.ts';
import type { AuditWriter } from '#shared/audit/writer.ts';
import type { ApprovalStore } from './store.ts';

/** The error the gate's Catch matches to end the playbook as denied. */
export const DENIED_ERROR = 'Remediation.ApprovalDenied';

/** What the decision path needs; injected so tests can replace any part. */
export interface DecisionDeps {
  store: Pick<ApprovalStore, 'get' | 'claim' | 'release' | 'history' | 'pending'>;
  sfn: Pick<SFNClient, 'send'>;
  audit: Pick<AuditWriter, 'append'>;
  keys: () => Promise<ApprovalKeys>;
  now?: () => Date;
}

/** One decision: approve or deny, by whom, why, and through which channel. */
export interface DecisionRequest {
  id: string;
  verdict: 'approve' | 'deny';
  /** The approver: an IAM principal ARN (CLI) or `approval-page` with the client's address. */
  decidedBy: string;
  reason: string;
  /** The page's link is for one wait: its nonce must still be the request's. */
  nonce?: string;
}

/** How a decision ended; every refusal changes nothing. */
export type DecisionOutcome =
  | { kind: 'decided'; record: ApprovalRecord; status: 'approved' | 'denied' }
  | { kind: 'unknown' }
  /** No reason, or only blanks: the reason is part of the audit record, so nothing is decided. */
  | { kind: 'no-reason' }
  | { kind: 'already-decided'; record: ApprovalRecord }
  | { kind: 'expired'; record: ApprovalRecord }
  | { kind: 'superseded'; record: ApprovalRecord };

/** Step Functions' answers when the wait a token belongs to is over. */
const WAIT_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist']);

/**
 * Decide one request exactly once: claim it with a conditional write, open the sealed task token,
 * call SendTaskSuccess (approve) or SendTaskFailure (deny), then audit who decided and why.
 * A decision without a reason (empty or blanks) is refused before anything is read or written.
 */
export async function decide(request: DecisionRequest, deps: DecisionDeps): Promise<DecisionOutcome> {
  if (!hasReason(request.reason)) return { kind: 'no-reason' };
  const now = deps.now?.() ?? new Date();
  const checked = await check(request, deps, now);
  if ('kind' in checked) return checked;
  const { record } = checked;
  const status = request.verdict === 'approve' ? 'approved' : 'denied';
  const claimed = await deps.store.claim(record, {
    status,
    decidedBy: request.decidedBy,
    reason: request.reason,
    at: now,
  });
  // Lost a race with another decision or a new wait: report what is there now.
  if (!claimed) {
    const after = await check(request, deps, now);
    return 'kind' in after ? after : { kind: 'already-decided', record };
  }
  const keys = await deps.keys();
  const taskToken = openToken(keys.seal, record.sealedToken, record.id, record.tokenHash);
  const decision = { approver: request.decidedBy, reason: request.reason, decidedAt: now.toISOString() };
  try {
    if (status === 'approved') {
      const output = JSON.stringify({ decision: status, ...decision });
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken, output }));
    } else {
      const cause = JSON.stringify(decision);
      await deps.sfn.send(new SendTaskFailureCommand({ taskToken, error: DENIED_ERROR, cause }));
    }
  } catch (error) {
    if (!WAIT_OVER.has((error as Error).name)) throw error;
    await deps.store.release(record);
    return { kind: 'expired', record };
  }
  await deps.audit.append({
    pk: record.auditPk,
    resourceKey: record.resourceKey,
    at: now.toISOString(),
    actor: request.decidedBy,
    action: 'DecideApproval',
    outcome: status,
    findingId: record.findingId,
    playbook: record.playbook,
    mode: record.mode,
    reason: request.reason,
    executionArn: record.executionArn,
    details: JSON.stringify({ approvalId: record.id, gate: record.gate }),
  });
  return { kind: 'decided', record: { ...record, status, ...decision }, status };
}

/** The request if it can be decided now, or why it cannot. */
async function check(
  request: DecisionRequest,
  deps: DecisionDeps,
  now: Date,
): Promise<Exclude<DecisionOutcome, { kind: 'decided' }> | { record: ApprovalRecord }> {
  const record = await deps.store.get(request.id);
  if (!record) return { kind: 'unknown' };
  if (record.status !== 'pending') return { kind: 'already-decided', record };
  if (request.nonce !== undefined && request.nonce !== record.nonce) return { kind: 'superseded', record };
  if (effectiveStatus(record, now) === 'expired') return { kind: 'expired', record };
  return { record };
}
