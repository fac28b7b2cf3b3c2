import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RiskSchema } from './risk.ts';

/**
 * Where an approval request stands. `pending` until someone decides; an expired pending request
 * is reported as `expired` (see {@link effectiveStatus}) but never rewritten, so the record keeps
 * what was asked. `cancelled`: an undo of the execution that handed over to this playbook stopped
 * it before anyone decided (see statemachines/undo/cancel-follow-ups.ts); it is never approved.
 */
export const ApprovalStatusSchema = z.enum(['pending', 'approved', 'denied', 'cancelled']);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/** One approval request, as the approvals table holds it. */
export const ApprovalRecordSchema = z.object({
  /** Short id people type in the CLI: `apr-` and 16 hex digits. */
  id: z.string().check(z.regex(/^apr-[0-9a-f]{16}$/)),
  status: ApprovalStatusSchema,
  findingId: z.string(),
  /** The finding as classify normalized it, JSON text. */
  finding: z.string(),
  playbook: z.string(),
  ruleId: z.string(),
  mode: z.string(),
  /** The audit partition and resource key of the finding, so the decision path can audit. */
  auditPk: z.string(),
  resourceKey: z.string(),
  executionArn: z.string(),
  stateMachineArn: z.string(),
  /** The gate's name inside the playbook (a playbook may have several gates). */
  gate: z.string(),
  /** What is asked, in words: `Disable access key AKIA... of IAM user ivy?` (absent on older requests). */
  title: z.optional(z.string()),
  /** Why the policy asks: the rule and its description, as classify decided. */
  why: z.optional(z.string()),
  /** What approving puts at risk, read just before the request (see risk.ts). */
  risk: z.optional(RiskSchema),
  /** What the playbook does if approved, one line per action. */
  proposedActions: z.array(z.string()),
  /** What happens if denied. */
  ifDenied: z.string(),
  /** What happens if nobody decides in time (after escalation). */
  onTimeout: z.enum(['proceed', 'abandon']),
  /** ISO times. */
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Epoch seconds after which DynamoDB's TTL may delete the record (the audit trail keeps the story). */
  ttl: z.number().check(z.int()),
  /** SHA-256 (hex) of the raw task token: lets the decision path check what it decrypted. */
  tokenHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** The raw task token sealed with AES-256-GCM under a key only the approval functions derive. */
  sealedToken: z.string(),
  /** Random per wait; part of the signed link, so a new wait (escalation) invalidates older links. */
  nonce: z.string(),
  escalated: z.boolean(),
  decidedAt: z.optional(z.string()),
  /** Who decided: an IAM principal ARN (CLI) or `approval-page` with the client's address. */
  decidedBy: z.optional(z.string()),
  reason: z.optional(z.string()),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecordSchema>;

/** What a person sees of a request: everything except the sealed token and its hash. */
export type ApprovalView = Omit<ApprovalRecord, 'sealedToken' | 'tokenHash' | 'nonce'> & {
  effectiveStatus: ApprovalStatus | 'expired';
};

/**
 * The approval id of one gate of one execution. Deterministic, so the escalation (second wait)
 * updates the same request instead of opening another one.
 */
export function approvalId(executionArn: string, gate: string): string {
  return `apr-${createHash('sha256').update(`${executionArn}#${gate}`).digest('hex').slice(0, 16)}`;
}

/** A pending request past its expiry is `expired`; anything decided stays as decided. */
export function effectiveStatus(record: ApprovalRecord, now: Date): ApprovalStatus | 'expired' {
  if (record.status === 'pending' && Date.parse(record.expiresAt) <= now.getTime()) return 'expired';
  return record.status;
}

/** The record without its secrets, for pages, the CLI and logs. */
export function viewOf(record: ApprovalRecord, now: Date): ApprovalView {
  const { sealedToken: _sealed, tokenHash: _hash, nonce: _nonce, ...rest } = record;
  return { ...rest, effectiveStatus: effectiveStatus(record, now) };
}

// Apart from the schemas, so the command line checks `--reason` without loading zod.
export { hasReason } from './reason.ts';
