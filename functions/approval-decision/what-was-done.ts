import type { ApprovalRecord } from '#shared/approvals/model.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import { displayText } from '#shared/text/display.ts';

/** The gate's own records: about the request, not about what the playbook did. */
const GATE_ACTIONS = new Set(['RequestApproval', 'EscalateApproval', 'DecideApproval', 'VerifyApproval']);

/** How a playbook's run ended, when it has. */
const ENDINGS: Readonly<Partial<Record<AuditRecord['outcome'], string>>> = {
  contained: 'finished: contained',
  'needs-human': 'stopped and needs a human',
  'not-verified': 'stopped: the resource, read again, was not as expected',
};

/** The records the playbook's run wrote after the decision, oldest first. */
export function stepsAfterDecision(record: ApprovalRecord, history: readonly AuditRecord[]): AuditRecord[] {
  const since = record.decidedAt ?? record.createdAt;
  return history.filter(
    (r) =>
      r.executionArn === record.executionArn &&
      r.actor.startsWith('playbook/') &&
      !GATE_ACTIONS.has(r.action) &&
      r.at >= since,
  );
}

/**
 * What came of a decided request, in one sentence for the person who reopens the link: what the
 * playbook did after it (from the audit trail), or that it ended without acting.
 */
export function whatWasDone(record: ApprovalRecord, history: readonly AuditRecord[]): string {
  if (record.status === 'cancelled')
    return 'an undo stopped the playbook before anyone decided; the playbook did not go on.';
  if (record.status === 'denied') return displayText(record.ifDenied);
  const steps = stepsAfterDecision(record, history);
  const ending = steps.map((s) => ENDINGS[s.outcome]).find(Boolean);
  const list = steps
    .filter((s) => s.outcome === 'succeeded')
    .map((s) => s.action)
    .join(', ');
  if (ending === ENDINGS.contained)
    return `${record.proposedActions.map((a) => displayText(a)).join('; ')}. The playbook ${ending}.`;
  if (ending) return `the playbook ${ending}${list ? ` after ${list}` : ' before changing anything'}.`;
  return list
    ? `the playbook is still running; done so far: ${list}.`
    : 'the playbook is going on; nothing is recorded yet.';
}
