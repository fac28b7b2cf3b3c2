import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { TrailRecord } from './trail.ts';

/**
 * A follow-up playbook execution an undo stops before it reverses anything: quarantine-instance
 * hands over to snapshot-and-reimage (statemachines/fragments/hand-over.ts), whose re-image waits
 * for approval. Once the quarantine is undone the instance is back in service, so the pending
 * re-image must not go ahead: the undo marks its approval request `cancelled` (the decision path
 * refuses anything not pending, and the gate refuses anything not a recorded decision) and stops
 * the execution, auditing both.
 */
export interface FollowUpCancellation {
  /** The follow-up execution, stopped. */
  readonly executionArn: string;
  /** The execution that handed over to it. */
  readonly handedOverBy: string;
  /** Its pending approval request, marked `cancelled`; absent when it has asked for none yet. */
  readonly approvalId?: string;
}

/** A follow-up that must end before the undo can run, and why. */
export interface FollowUpInTheWay {
  readonly executionArn: string;
  readonly reason: string;
}

const JsonObjectSchema = z.looseObject({
  executionArn: z.optional(z.string()),
  approvalId: z.optional(z.string()),
});

function detailsOf(record: TrailRecord): z.infer<typeof JsonObjectSchema> {
  if (!record.details) return {};
  try {
    const parsed = JsonObjectSchema.safeParse(JSON.parse(record.details));
    return parsed.success ? parsed.data : {};
  } catch {
    // Details are any JSON text or none; such a record names no follow-up and no approval.
    return {};
  }
}

/** Every follow-up execution handed over on this resource, with the execution that handed over. */
export function handedOver(records: readonly TrailRecord[]): { executionArn: string; by: string }[] {
  return records.flatMap((r) => {
    if (r.action !== 'HandOver' || r.outcome !== 'succeeded' || !r.executionArn) return [];
    const followUp = detailsOf(r).executionArn;
    return followUp ? [{ executionArn: followUp, by: r.executionArn }] : [];
  });
}

/**
 * What stopping the follow-ups of `executions` takes: each one still running is cancelled, with
 * its pending approval request if it has one. A follow-up whose approval was already given is
 * re-imaging the instance: stopping it midway or putting the instance back in service under it
 * would both hurt, so it is reported in the way and the undo is refused until it has ended.
 */
export function followUpsToCancel(
  executions: readonly string[],
  records: readonly TrailRecord[],
  statusOf: Readonly<Record<string, string>>,
): { cancel: FollowUpCancellation[]; inTheWay: FollowUpInTheWay[] } {
  const cancel: FollowUpCancellation[] = [];
  const inTheWay: FollowUpInTheWay[] = [];
  for (const followUp of handedOver(records)) {
    if (!executions.includes(followUp.by) || statusOf[followUp.executionArn] !== 'RUNNING') continue;
    const own = records.filter((r) => r.executionArn === followUp.executionArn);
    const requested = own
      .filter((r) => r.action === 'RequestApproval' || r.action === 'EscalateApproval')
      .map((r) => detailsOf(r).approvalId);
    const decisions = own.filter(
      (r) => r.action === 'DecideApproval' && (r.outcome === 'approved' || r.outcome === 'denied'),
    );
    const approved = decisions.find((r) => r.outcome === 'approved');
    if (approved) {
      inTheWay.push({
        executionArn: followUp.executionArn,
        reason: `its follow-up ${followUp.executionArn} was approved at ${approved.at} and is still running (re-imaging the resource); undo once it has ended`,
      });
      continue;
    }
    const decided = new Set(decisions.map((r) => detailsOf(r).approvalId));
    const approvalId = requested.findLast((id) => id !== undefined && !decided.has(id));
    cancel.push({
      executionArn: followUp.executionArn,
      handedOverBy: followUp.by,
      ...(approvalId ? { approvalId } : {}),
    });
  }
  return { cancel, inTheWay };
}
