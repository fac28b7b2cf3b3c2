import { auditCommand, executionConsoleUrl } from '#shared/approvals/follow-up.ts';
import type { ApprovalRecord } from '#shared/approvals/model.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import { displayText } from '#shared/text/display.ts';
import { utcText } from '#shared/text/relative-time.ts';
import { escapeHtml, layout, shown } from './page-html.ts';
import { whatWasDone } from './what-was-done.ts';

const STATUS_WORDS = { approved: 'Approved', denied: 'Denied', cancelled: 'Cancelled', pending: 'Waiting' };

/** Where to follow the playbook: the execution in the console and the audit timeline command. */
export function followHtml(record: ApprovalRecord): string {
  const consoleUrl = executionConsoleUrl(record.executionArn);
  const link = consoleUrl
    ? `<li><a id="execution-link" href="${escapeHtml(consoleUrl)}" rel="noreferrer">The execution in the Step Functions console</a></li>`
    : '';
  return `<h2>Follow it</h2><ul>${link}<li>The timeline: <code id="audit-command">${escapeHtml(auditCommand(record.findingId))}</code></li></ul>`;
}

/** The question as the request asked it, for the outcome pages. */
function asked(record: ApprovalRecord): string {
  return displayText(record.title ?? `${record.playbook} on finding ${record.findingId}`, 300);
}

/** The page right after a decision: what was decided and what happens now. */
export function decidedPage(record: ApprovalRecord, status: 'approved' | 'denied'): string {
  const what =
    status === 'approved'
      ? `Approved. The ${record.playbook} playbook goes on and will: ${record.proposedActions.map((a) => displayText(a)).join('; ')}.`
      : `Denied. ${displayText(record.ifDenied)}`;
  return layout(
    STATUS_WORDS[status],
    `<h1>${STATUS_WORDS[status]}</h1><p class="note">${shown(asked(record))} · ${escapeHtml(record.id)}</p>
<p class="outcome" id="outcome">${shown(what)}</p>
<p class="note">Recorded in the audit trail with your reason. This link cannot be used again.</p>${followHtml(record)}`,
  );
}

/**
 * The page of a request decided earlier (the link reopened, or a decision that lost a race):
 * who decided, when, and what came of it, so nobody reads "nothing changed" as "nothing was done".
 */
export function alreadyDecidedPage(record: ApprovalRecord, history: readonly AuditRecord[]): string {
  const word = STATUS_WORDS[record.status];
  const at = record.decidedAt ? (utcText(record.decidedAt) ?? record.decidedAt) : 'an earlier time';
  const by = record.decidedBy ?? 'someone';
  const line =
    record.status === 'cancelled'
      ? `Cancelled: ${whatWasDone(record, history)}`
      : `${word} by ${by} at ${at}: ${whatWasDone(record, history)}`;
  return layout(
    `${word}: ${asked(record)}`,
    `<p class="kicker">Already decided · ${escapeHtml(record.id)}</p><h1>${word}</h1><p class="note">${shown(asked(record))}</p>
<p class="outcome" id="outcome">${shown(line)}</p>
${record.reason ? `<p>Reason given: ${shown(record.reason, 500)}</p>` : ''}
<p class="note">A request is decided once; opening this link again decides nothing more.</p>${followHtml(record)}`,
  );
}
