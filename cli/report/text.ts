import type { GroupMetrics, TrailReport } from '#shared/report/metrics.ts';
import type { Suggestion } from '#shared/report/suggestions.ts';
import { displayText } from '#shared/text/display.ts';
import { table } from '../table.ts';

/** `850 ms`, `42 s`, `14 min`, `3.5 h`; `-` when there is nothing to measure. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

const pair = (p: { p50?: number; p90?: number }) => `${formatDuration(p.p50)} / ${formatDuration(p.p90)}`;
const rate = (n: number, of: number) => (of === 0 ? '-' : `${Math.round((100 * n) / of)}%`);

function groupRows(groups: readonly GroupMetrics[]): string[][] {
  return groups.map((g) => [
    displayText(g.key, 40),
    String(g.received),
    String(g.routed),
    String(g.contained),
    String(g.notified),
    String(g.skipped),
    pair(g.mttrFromArrival),
    pair(g.mttrFromFirstSeen),
    pair(g.approvals.wait),
    `${rate(g.approvals.approved, g.approvals.requested)}/${rate(g.approvals.denied, g.approvals.requested)}/${rate(g.approvals.timedOut, g.approvals.requested)}/${rate(g.approvals.escalated, g.approvals.requested)} of ${g.approvals.requested}`,
    `${g.needsHuman} (${rate(g.needsHuman, g.routed)})`,
    `${g.undone} (${rate(g.undone, g.contained)})`,
    String(g.blastRadiusHits),
  ]);
}

const HEADINGS = [
  'received',
  'routed',
  'contained',
  'notified',
  'skipped',
  'MTTR arrival p50/p90',
  'MTTR first seen p50/p90',
  'approval wait p50/p90',
  'approve/deny/timeout/escalate',
  'needs-human',
  'undone',
  'blast-radius hits',
];

/** The report for a terminal: totals, a table per rule and per playbook, where runs stopped, top lists, suggestions. */
export function renderTextReport(report: TrailReport, suggestions: readonly Suggestion[]): string {
  const lines = [`Remediation report ${report.since} to ${report.until}`, ''];
  lines.push(table(['', ...HEADINGS], groupRows([report.totals])), '');
  if (report.byRegion) lines.push(table(['region', ...HEADINGS], groupRows(report.byRegion)), '');
  lines.push(table(['rule', ...HEADINGS], groupRows(report.byRule)), '');
  lines.push(table(['playbook', ...HEADINGS], groupRows(report.byPlaybook)), '');
  for (const g of report.byPlaybook) {
    for (const s of g.needsHumanStops) {
      // The error is AWS's or the finding's text: shown, never obeyed.
      lines.push(
        `needs-human: ${displayText(g.key, 40)} stopped at ${displayText(s.step, 40)} ${s.count} time(s): ${displayText(s.error, 160)}`,
      );
    }
  }
  const ranked = (title: string, rows: TrailReport['topAccounts']) =>
    `${title}: ${rows.map((r) => `${displayText(r.key, 80)} (${r.count})`).join(', ') || '-'}`;
  lines.push(ranked('Top accounts', report.topAccounts), ranked('Top resources', report.topResources), '');
  lines.push(suggestions.length === 0 ? 'No suggestions: no threshold was met.' : 'Suggestions:');
  for (const s of suggestions) {
    lines.push(`- ${displayText(s.evidence, 300)}: ${s.change} (${displayText(s.policyLine, 120)})`);
  }
  return lines.join('\n');
}
