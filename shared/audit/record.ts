import * as z from 'zod/mini';
import '#shared/validation-messages.ts';

/**
 * What happened, as one audit record says it. Records are append-only: writers only
 * create (conditional put), never update or delete.
 */
export const AuditOutcomeSchema = z.enum([
  // classification
  'routed',
  'duplicate',
  'skipped',
  'exempt',
  'rejected',
  'notified',
  // playbook steps
  'planned',
  'succeeded',
  'failed',
  'needs-human',
  'approval-required',
  'contained',
  // a playbook's final check: the resource read again after the change
  'verified',
  'not-verified',
  // approval gate
  'approved',
  'denied',
  'timed-out',
  'escalated',
  'defaulted',
  'refused',
  // undo: an execution's changes reversed (see shared/undo/plan.ts)
  'undone',
]);
export type AuditOutcome = z.infer<typeof AuditOutcomeSchema>;

export const AuditRecordSchema = z.object({
  /** Partition key: `FINDING#<finding id>` (or `EVENT#<event id>` for events that never became a finding). */
  pk: z.string(),
  /** Sort key: `<ISO time>#<action>`: the history of a finding reads in order. */
  sk: z.string(),
  /** GSI `byResource` partition: `RESOURCE#<kind>#<identifier>`. */
  resourceKey: z.string(),
  /** ISO-8601 time of the record. */
  at: z.string(),
  /** Who acted: `classify`, `playbook/<name>`, or an approver's ARN. */
  actor: z.string(),
  /** What was done or decided: `classify`, `UpdateAccessKey`, `PutUserPolicy`, ... */
  action: z.string(),
  outcome: AuditOutcomeSchema,
  findingId: z.optional(z.string()),
  playbook: z.optional(z.string()),
  mode: z.optional(z.string()),
  reason: z.optional(z.string()),
  /** JSON text of the state before the action, as read from AWS. */
  before: z.optional(z.string()),
  /** JSON text of the state after the action. */
  after: z.optional(z.string()),
  executionArn: z.optional(z.string()),
  /** JSON text of further detail (the plan, the validation issues, the error). */
  details: z.optional(z.string()),
  /**
   * JSON text of the original EventBridge event, untouched (its text is the sender's: shown, never
   * obeyed), on the classifier's first record of a finding, so `audit export --events` can replay
   * it. Left out when longer than {@link MAX_KEPT_EVENT_BYTES}.
   */
  event: z.optional(z.string()),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** The audit partition key of a finding. */
export function findingKey(findingId: string): string {
  return `FINDING#${findingId}`;
}

/**
 * The largest original event a record keeps (UTF-8 bytes). A DynamoDB item holds at most 400 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items);
 * 64 KB leaves room for the record's other fields and the chain head's pending copy of it.
 * EventBridge events are at most 256 KB, Security Hub's batches the largest of ours.
 */
export const MAX_KEPT_EVENT_BYTES = 64 * 1024;

/** The event as a record keeps it: its JSON when it fits, else nothing (the reason says so). */
export function keptEvent(event: unknown): { event: string } | { omitted: string } {
  const text = JSON.stringify(event) ?? 'null';
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes <= MAX_KEPT_EVENT_BYTES
    ? { event: text }
    : { omitted: `original event not kept: ${bytes} bytes, over ${MAX_KEPT_EVENT_BYTES}` };
}
