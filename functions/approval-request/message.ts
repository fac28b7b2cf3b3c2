import { findingFacts } from '#shared/approvals/describe.ts';
import { riskFromRead } from '#shared/approvals/risk.ts';
import { approvalDeadline, approvalQuestion, approvalRisk, approvalWhy } from '#shared/approvals/summary.ts';
import { displayText } from '#shared/text/display.ts';
import { isIsoDateTime, isRegionName } from '#shared/text/formats.ts';
import type { ApprovalRequestEvent } from './request.ts';

/** How much of one finding field the notification quotes. */
const FIELD_LIMIT = 200;

/** Facts whose format is known: a value without it is named as such rather than quoted as fact. */
const FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  Region: isRegionName,
  'First seen': isIsoDateTime,
  'Last seen': isIsoDateTime,
};

/** One fact as the notification shows it: on its own line, capped, its format checked. */
function factLine(label: string, value: string): string {
  const shown = displayText(value, FIELD_LIMIT);
  const valid = FORMATS[label]?.(value) ?? true;
  return `  ${label}: ${valid ? shown : `(not a valid ${label.toLowerCase()}: "${shown}")`}`;
}

/** The subject: severity (an enum), playbook (a policy name), never a field of the finding itself. */
export function approvalSubject(event: ApprovalRequestEvent): string {
  const head = event.escalation ? 'ESCALATED: approval still required' : 'approval required';
  // SNS subjects are at most 100 printable ASCII characters without line breaks.
  // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
  return displayText(`[${event.finding.severity.label}] ${event.decision.playbook}: ${head}`).slice(0, 100);
}

/**
 * The notification text, readable in a mail client or a chat message. The link to decide comes
 * first, written by us, before anything quoted from the finding: whatever a finding's fields
 * say, they come after it, one per line, and cannot put a line of their own above it. Then what
 * the approval page shows on its first screen (shared/approvals/summary.ts): the question, why,
 * the risk and the deadline, so the reader can judge before opening the link.
 */
export function approvalMessage(
  event: ApprovalRequestEvent,
  id: string,
  expiresAt: string,
  link: string,
  now: Date = new Date(),
): string {
  const { playbook, approval, reason } = event.decision;
  const timeout =
    approval.onTimeout === 'proceed'
      ? 'the playbook proceeds without approval'
      : 'the playbook is abandoned and nothing is changed';
  const lines = [
    `Decide on the approval page: ${link}`,
    `or with the CLI: remediate approvals approve|deny ${id} --reason "..."`,
    '',
    approvalQuestion(event.title, playbook, event.finding),
    `Why: ${approvalWhy(event.finding, reason, now)}`,
    'Risk:',
    ...approvalRisk(riskFromRead(event.risk), event.finding, now).map((line) => `  ${line}`),
    `Deadline: ${approvalDeadline(expiresAt, event.escalation, approval.onTimeout, now)}`,
    '',
    event.escalation
      ? `Nobody decided in time. Approval ${id} is escalated and waits again until ${expiresAt}.`
      : `The ${displayText(playbook)} playbook waits for approval ${id} until ${expiresAt}.`,
    '',
    'The finding (as reported by its source, not verified):',
    ...findingFacts(event.finding).map(([label, value]) => factLine(label, value)),
    '',
    'If approved, it will:',
    ...event.proposedActions.map((action) => `  - ${displayText(action, FIELD_LIMIT * 2)}`),
    `If denied: ${displayText(event.ifDenied)}`,
    `If nobody decides${event.escalation ? '' : ' (after one escalation)'}: ${timeout}.`,
  ];
  return lines.join('\n');
}
