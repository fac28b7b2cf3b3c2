import { findingFacts } from '#shared/approvals/describe.ts';
import type { ApprovalLink } from '#shared/approvals/link.ts';
import type { ApprovalRecord } from '#shared/approvals/model.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import type { Finding } from '#shared/findings/finding.ts';

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#f6f6f6}
main{max-width:40rem;margin:auto;background:#fff;padding:1rem 1.25rem;border-radius:8px}
h1{font-size:1.35rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
ul{padding-left:1.2rem;margin:.2rem 0}textarea{width:100%;box-sizing:border-box;min-height:4rem;font:inherit}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:6px;cursor:pointer;flex:1 1 8rem}
.approve{background:#1d6b2f;color:#fff}.deny{background:#a4262c;color:#fff}.note{color:#555;font-size:.9rem}`;

/** A complete page: small, no script, readable on a phone. */
export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The review page: the finding, what was done, what approve and deny will do, and the form. */
export function reviewPage(input: {
  record: ApprovalRecord;
  finding: Finding;
  history: AuditRecord[];
  link: ApprovalLink;
  csrf: string;
}): string {
  const { record, finding, history, link, csrf } = input;
  const facts = findingFacts(finding)
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  const done = history.length
    ? history.map((r) => `<li>${escapeHtml(`${r.at} ${r.action}: ${r.outcome}`)}</li>`).join('')
    : '<li>Nothing yet.</li>';
  const actions = record.proposedActions.map((a) => `<li>${escapeHtml(a)}</li>`).join('');
  const hidden = Object.entries({ ...link, csrf })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  const timeout =
    record.onTimeout === 'proceed' ? 'the playbook proceeds' : 'the playbook is abandoned, nothing changes';
  return layout(
    `Approve ${record.playbook}?`,
    `<h1>Approve ${escapeHtml(record.playbook)}?</h1>
<p class="note">Request ${escapeHtml(record.id)}${record.escalated ? ' (escalated)' : ''}, waiting until ${escapeHtml(record.expiresAt)}.</p>
<h2>Finding</h2><dl>${facts}</dl>
<h2>Already done</h2><ul>${done}</ul>
<h2>If you approve, the playbook will</h2><ul id="proposed-actions">${actions}</ul>
<h2>If you deny</h2><p>${escapeHtml(record.ifDenied)}</p>
<p class="note">If nobody decides in time, ${timeout}.</p>
<form method="post">${hidden}
<label for="reason">Reason (required, recorded in the audit trail)</label>
<textarea id="reason" name="reason" maxlength="500" required></textarea>
<div class="actions"><button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="deny" type="submit" name="decision" value="deny">Deny</button></div></form>`,
  );
}

/** A page that only says what happened (or why nothing did). */
export function messagePage(title: string, lines: string[]): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}`,
  );
}
