import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GroupMetrics, TrailReport } from '#shared/report/metrics.ts';
import type { Suggestion } from '#shared/report/suggestions.ts';
import { formatDuration } from './text.ts';

/**
 * Chart.js's UMD build, inlined so the report is one file that opens offline and calls nothing
 * (no CDN). Chart.js draws on a canvas from data only: https://www.chartjs.org/docs/latest/getting-started/integration.html
 */
function chartJsSource(): string {
  // The package's exports name only its module entries; the UMD build sits beside them in dist/.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
}

/** Text into HTML: every character that could open markup is escaped (a rule or resource name is untrusted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script>: `<` escaped so no string can close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const cell = (value: string | number) => `<td>${escapeHtml(String(value))}</td>`;

function groupTable(title: string, groups: readonly GroupMetrics[]): string {
  const head = [
    title,
    'received',
    'routed',
    'contained',
    'notified',
    'skipped',
    'MTTR arrival p50/p90',
    'MTTR first seen p50/p90',
    'approval wait p50/p90',
    'approved/denied/timed out/escalated',
    'needs-human',
    'undone',
    'blast-radius hits',
  ];
  const rows = groups.map((g) =>
    [
      cell(g.key),
      cell(g.received),
      cell(g.routed),
      cell(g.contained),
      cell(g.notified),
      cell(g.skipped),
      cell(`${formatDuration(g.mttrFromArrival.p50)} / ${formatDuration(g.mttrFromArrival.p90)}`),
      cell(`${formatDuration(g.mttrFromFirstSeen.p50)} / ${formatDuration(g.mttrFromFirstSeen.p90)}`),
      cell(`${formatDuration(g.approvals.wait.p50)} / ${formatDuration(g.approvals.wait.p90)}`),
      cell(
        `${g.approvals.approved}/${g.approvals.denied}/${g.approvals.timedOut}/${g.approvals.escalated} of ${g.approvals.requested}`,
      ),
      cell(g.needsHuman),
      cell(g.undone),
      cell(g.blastRadiusHits),
    ].join(''),
  );
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r}</tr>`)
    .join('')}</tbody></table>`;
}

/** The report as one self-contained HTML page: tables of every number, and charts of the main ones. */
export function renderHtmlReport(report: TrailReport, suggestions: readonly Suggestion[]): string {
  const chartData = {
    rules: report.byRule.map((g) => ({
      key: g.key,
      contained: g.contained,
      notified: g.notified,
      skipped: g.skipped,
      other: g.received - g.contained - g.notified - g.skipped,
    })),
    playbooks: report.byPlaybook.map((g) => ({
      key: g.key,
      p50: (g.mttrFromArrival.p50 ?? 0) / 1000,
      p90: (g.mttrFromArrival.p90 ?? 0) / 1000,
    })),
    approvals: report.totals.approvals,
  };
  const t = report.totals;
  const ranked = (rows: TrailReport['topAccounts']) =>
    `<ol>${rows.map((r) => `<li>${escapeHtml(r.key)}: ${r.count}</li>`).join('')}</ol>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>Remediation report ${escapeHtml(report.since)} – ${escapeHtml(report.until)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:2em}.chart{width:420px;height:280px}</style>
</head><body>
<h1>Remediation report</h1>
<p id="period">${escapeHtml(report.since)} to ${escapeHtml(report.until)}</p>
<p id="totals">${t.received} findings: ${t.routed} routed, ${t.contained} contained, ${t.notified} notified, ${t.skipped} skipped; ${t.approvals.requested} approval requests (${t.approvals.approved} approved, ${t.approvals.denied} denied, ${t.approvals.timedOut} timed out, ${t.approvals.escalated} escalated); ${t.needsHuman} needs-human; ${t.undone} undone; ${t.blastRadiusHits} blast-radius hits</p>
<div class="charts">
<div class="chart"><canvas id="chart-rules" aria-label="findings per rule"></canvas></div>
<div class="chart"><canvas id="chart-mttr" aria-label="time to containment per playbook"></canvas></div>
<div class="chart"><canvas id="chart-approvals" aria-label="approval decisions"></canvas></div>
</div>
${
  report.byRegion
    ? `<h2>Per region</h2>${groupTable('region', report.byRegion)}
`
    : ''
}<h2>Per rule</h2>${groupTable('rule', report.byRule)}
<h2>Per playbook</h2>${groupTable('playbook', report.byPlaybook)}
<h2>Top accounts</h2>${ranked(report.topAccounts)}
<h2>Top resources</h2>${ranked(report.topResources)}
<h2>Suggestions</h2>
<ul id="suggestions">${suggestions
    .map(
      (s) =>
        `<li><strong>${escapeHtml(s.change)}</strong> (${escapeHtml(s.policyLine)})<br>${escapeHtml(s.evidence)}</li>`,
    )
    .join('')}</ul>
<script id="report-data" type="application/json">${scriptJson(chartData)}</script>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
<script>
const data = JSON.parse(document.getElementById('report-data').textContent);
const opts = { animation: false, responsive: true, maintainAspectRatio: false };
new Chart(document.getElementById('chart-rules'), { type: 'bar', options: { ...opts, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }, plugins: { title: { display: true, text: 'Findings per rule' } } },
  data: { labels: data.rules.map((r) => r.key), datasets: ['contained', 'notified', 'skipped', 'other'].map((k) => ({ label: k, data: data.rules.map((r) => r[k]) })) } });
new Chart(document.getElementById('chart-mttr'), { type: 'bar', options: { ...opts, plugins: { title: { display: true, text: 'Arrival to containment (s)' } } },
  data: { labels: data.playbooks.map((p) => p.key), datasets: [{ label: 'p50', data: data.playbooks.map((p) => p.p50) }, { label: 'p90', data: data.playbooks.map((p) => p.p90) }] } });
const a = data.approvals;
new Chart(document.getElementById('chart-approvals'), { type: 'doughnut', options: { ...opts, plugins: { title: { display: true, text: 'Approval decisions' } } },
  data: { labels: ['approved', 'denied', 'timed out'], datasets: [{ data: [a.approved, a.denied, a.timedOut] }] } });
</script>
</body></html>
`;
}
