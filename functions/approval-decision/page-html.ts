import { findingFacts } from '#shared/approvals/describe.ts';
import type { ApprovalLink } from '#shared/approvals/link.ts';
import type { ApprovalRecord } from '#shared/approvals/model.ts';
import { approvalQuestion, approvalRisk, findingTitle } from '#shared/approvals/summary.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import type { Finding } from '#shared/findings/finding.ts';
import { displayText } from '#shared/text/display.ts';
import { relativeTime, utcText } from '#shared/text/relative-time.ts';

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Outside text (a finding's, a reason) as page text: control characters out, then escaped. */
export function shown(value: string, max?: number): string {
  return escapeHtml(displayText(value, max));
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:.5rem;color:#1b1b1b;background:#f6f6f6}
main{max-width:44rem;margin:auto;background:#fff;padding:.75rem 1rem 1rem;border-radius:8px}
h1{font-size:1.3rem;line-height:1.25;margin:.1rem 0 .5rem;overflow-wrap:anywhere}h2{font-size:1rem;margin:1.1rem 0 .3rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .7rem;margin:0}dt{color:#555;font-weight:600}dd{margin:0;overflow-wrap:anywhere}
ul,ol{padding-left:1.2rem;margin:.15rem 0}p{margin:.3rem 0;overflow-wrap:anywhere}
textarea{width:100%;box-sizing:border-box;height:2.8rem;font:inherit;margin-top:.2rem}
.kicker{color:#555;font-size:.85rem;margin:0}.sev-Critical,.sev-High{color:#a4262c;font-weight:700}
.actions{display:flex;gap:.6rem;margin-top:.5rem}
button{font:inherit;font-weight:700;padding:.65rem 1rem;border:0;border-radius:6px;cursor:pointer;flex:1 1 0}
.approve{background:#1d6b2f;color:#fff}.deny{background:#a4262c;color:#fff}.note{color:#555;font-size:.9rem}
.outcome{font-size:1.05rem}code{overflow-wrap:anywhere}`;

/** A complete page: small, no script, readable on a phone. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${shown(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** A time as `12 min ago (2025-03-01 14:05 UTC)`, in a `<time>` element. */
export function timeHtml(iso: string, now: Date): string {
  const relative = relativeTime(iso, now);
  const exact = utcText(iso);
  if (!relative || !exact) return `<span>${shown(iso, 64)} (not a valid time)</span>`;
  return `<time datetime="${escapeHtml(new Date(Date.parse(iso)).toISOString())}">${escapeHtml(relative)}</time> <span class="note">(${escapeHtml(exact)})</span>`;
}

/** The question the page asks: the playbook's own words, else the playbook and the resource. */
export function questionOf(record: ApprovalRecord, finding: Finding): string {
  return approvalQuestion(record.title, record.playbook, finding);
}

/** Why it is asked: the finding's own title, its type and severity, when first seen, and the rule. */
function whyHtml(record: ApprovalRecord, finding: Finding, now: Date): string {
  const severity = `<span class="sev-${escapeHtml(finding.severity.label)}">${escapeHtml(`${finding.severity.label} (${finding.severity.score})`)}</span>`;
  return `<dd id="why">${severity} · ${shown(findingTitle(finding), 200)} <span class="note">(${shown(finding.type, 120)})</span>, first seen ${timeHtml(finding.firstSeen, now)}.${
    record.why ? ` <span class="note">Policy: ${shown(record.why, 300)}.</span>` : ''
  }</dd>`;
}

/** The risk lines, or what is known without them. */
function riskHtml(record: ApprovalRecord, finding: Finding, now: Date): string {
  const lines = approvalRisk(record.risk, finding, now);
  return `<dd id="risk">${lines.map((l) => escapeHtml(l)).join('<br>')}</dd>`;
}

/**
 * The review page. The first screen of a phone answers what will happen, to what, why, at what
 * risk and until when, and holds the form; the finding's details and the history follow.
 */
export function reviewPage(input: {
  record: ApprovalRecord;
  finding: Finding;
  history: AuditRecord[];
  link: ApprovalLink;
  csrf: string;
  now: Date;
}): string {
  const { record, finding, history, link, csrf, now } = input;
  const question = questionOf(record, finding);
  const facts = findingFacts(finding)
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${shown(value, 300)}</dd>`)
    .join('');
  const done = history.length
    ? history
        .map((r) => `<li>${timeHtml(r.at, now)}: ${shown(`${r.action} ${r.outcome}`, 200)}</li>`)
        .join('')
    : '<li>Nothing yet.</li>';
  const actions = record.proposedActions.map((a) => `<li>${shown(a, 400)}</li>`).join('');
  const hidden = Object.entries({ ...link, csrf })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  const timeout =
    record.onTimeout === 'proceed'
      ? 'the playbook proceeds without approval'
      : 'the playbook is abandoned and changes nothing';
  return layout(
    question,
    `<p class="kicker">Approval needed${record.escalated ? ' · ESCALATED' : ''} · ${escapeHtml(record.playbook)} · ${escapeHtml(record.id)}</p>
<h1>${escapeHtml(question)}</h1>
<dl><dt>Why</dt>${whyHtml(record, finding, now)}
<dt>Risk</dt>${riskHtml(record, finding, now)}
<dt>Expires</dt><dd id="deadline">${timeHtml(record.expiresAt, now)}; then ${escapeHtml(record.escalated ? timeout : 'it is escalated')}.</dd></dl>
<form method="post">${hidden}
<label for="reason"><b>Reason</b> <span class="note">(required, recorded in the audit trail)</span></label>
<textarea id="reason" name="reason" maxlength="500" required></textarea>
<div class="actions"><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="deny" type="submit" name="decision" value="deny">Deny</button></div></form>
<h2>If you approve, the playbook will</h2><ol id="proposed-actions">${actions}</ol>
<h2>If you deny</h2><p id="if-denied">${shown(record.ifDenied, 400)}</p>
<p class="note">If nobody decides in time${record.escalated ? '' : ', the request is escalated once; then'} ${escapeHtml(timeout)}.</p>
<h2>The finding <span class="note">(as its source reported it, not verified)</span></h2><dl>${facts}</dl>
<h2>Already done</h2><ul>${done}</ul>`,
  );
}

/** A page that only says what happened (or why nothing did); `html` parts are already safe markup. */
export function messagePage(title: string, lines: string[], html = ''): string {
  return layout(title, `<h1>${shown(title)}</h1>${lines.map((l) => `<p>${shown(l)}</p>`).join('')}${html}`);
}
