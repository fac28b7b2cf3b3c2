import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type ApprovalRecord, ApprovalRecordSchema, approvalId } from '#shared/approvals/model.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * What the approval gate asks once its wait has ended with an answer: was that answer a decision
 * the decision function recorded, for this wait? (see statemachines/fragments/approval-gate.ts)
 */
export const DecisionCheckEventSchema = z.object({
  check: z.enum(['approved', 'denied']),
  execution: z.string().check(z.minLength(1)),
  gate: z.string().check(z.minLength(1)),
  /** The nonce the gate gave this wait; the request recorded it. */
  nonce: z.string().check(z.minLength(1)),
});
export type DecisionCheckEvent = z.infer<typeof DecisionCheckEventSchema>;

/** The decision as the approvals table holds it: what the playbook goes on with. No secrets. */
export interface RecordedDecision {
  approvalId: string;
  status: 'approved' | 'denied';
  decidedBy: string;
  decidedAt: string;
}

/**
 * The wait was answered, but not by a decision the decision function recorded for it: someone
 * called SendTaskSuccess or SendTaskFailure with the raw task token. The gate's Catch matches
 * this name, audits `refused` and hands the finding to a human.
 */
export class ApprovalNotRecordedError extends RemediationError {
  override name = 'ApprovalNotRecordedError';
}

/** Reads one approval request; injected so tests can replace the table. */
export type ApprovalReader = (id: string) => Promise<ApprovalRecord | undefined>;

/**
 * Check the answer to a wait against the approvals table. The decision function claims the
 * request (status, who, when, for the current nonce) before it answers the token, so an answer it
 * gave always finds its record here; any other answer does not.
 */
export async function checkDecision(
  event: DecisionCheckEvent,
  read: ApprovalReader,
): Promise<RecordedDecision> {
  const id = approvalId(event.execution, event.gate);
  const answer = event.check === 'approved' ? 'approved (SendTaskSuccess)' : 'denied (SendTaskFailure)';
  const refuse = (why: string) =>
    new ApprovalNotRecordedError(
      `The wait for ${id} was answered ${answer}, but ${why}; nothing was changed.`,
    );
  const record = await read(id);
  if (!record) throw refuse(`there is no approval request ${id}`);
  if (record.nonce !== event.nonce) throw refuse(`${id} was re-issued for another wait`);
  if (record.status !== event.check)
    throw refuse(`${id} is ${record.status}: no decision of the approval page or CLI answered it so`);
  if (!record.decidedBy || !record.decidedAt) throw refuse(`${id} records no approver`);
  return { approvalId: id, status: record.status, decidedBy: record.decidedBy, decidedAt: record.decidedAt };
}

/** An {@link ApprovalReader} over the approvals table: a strongly consistent GetItem. */
export function approvalReader(dynamodb: Pick<DynamoDBClient, 'send'>, table: string): ApprovalReader {
  return async (id) => {
    // Strongly consistent: the decision function's claim was written just before it answered.
    const out = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }),
    );
    return out.Item ? ApprovalRecordSchema.parse(unmarshall(out.Item)) : undefined;
  };
}
