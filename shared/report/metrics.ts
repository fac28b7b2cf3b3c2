import type { FindingHistory } from './finding-history.ts';

/** p50 and p90 of a set of durations (milliseconds), with how many there were. */
export interface Percentiles {
  readonly count: number;
  readonly p50?: number;
  readonly p90?: number;
}

/** What happened to one group of findings (one rule, one playbook, or all). */
export interface GroupMetrics {
  readonly key: string;
  readonly received: number;
  readonly routed: number;
  readonly contained: number;
  readonly notified: number;
  readonly skipped: number;
  /** From the finding's own first-seen time to containment. */
  readonly mttrFromFirstSeen: Percentiles;
  /** From the finding's arrival (its first audit record) to containment. */
  readonly mttrFromArrival: Percentiles;
  readonly approvals: {
    readonly requested: number;
    readonly approved: number;
    readonly denied: number;
    readonly timedOut: number;
    readonly escalated: number;
    /** From the request to the decision (or the final timeout). */
    readonly wait: Percentiles;
  };
  readonly needsHuman: number;
  /** Where the runs that needed a human stopped: step and error, with how often. */
  readonly needsHumanStops: readonly { step: string; error: string; count: number; accounts: string[] }[];
  readonly undone: number;
  readonly blastRadiusHits: number;
}

/** A count per name, most first. */
export interface Ranked {
  readonly key: string;
  readonly count: number;
}

/** The whole report over one period. */
export interface TrailReport {
  readonly since: string;
  readonly until: string;
  readonly totals: GroupMetrics;
  readonly byRule: readonly GroupMetrics[];
  readonly byPlaybook: readonly GroupMetrics[];
  /** Per region, when the report read more than one region's trail (`--regions`). */
  readonly byRegion?: readonly GroupMetrics[];
  readonly topAccounts: readonly Ranked[];
  readonly topResources: readonly Ranked[];
}

/**
 * The nearest-rank percentile: the smallest value with at least `p`% of the values at or below it.
 * Always one of the values, so a report never shows a time no finding took.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0 };
  return { count: values.length, p50: percentile(values, 50), p90: percentile(values, 90) };
}

/** The metrics of one group of findings. */
export function groupMetrics(key: string, findings: readonly FindingHistory[]): GroupMetrics {
  const contained = findings.filter((f) => f.containedAt !== undefined);
  const gates = findings.flatMap((f) => (f.approval ? [f.approval] : []));
  const stops = new Map<string, { step: string; error: string; count: number; accounts: Set<string> }>();
  for (const f of findings) {
    if (!f.needsHuman) continue;
    const id = `${f.needsHuman.step}\n${f.needsHuman.error}`;
    const stop = stops.get(id) ?? { ...f.needsHuman, count: 0, accounts: new Set<string>() };
    stop.count += 1;
    if (f.account) stop.accounts.add(f.account);
    stops.set(id, stop);
  }
  return {
    key,
    received: findings.length,
    routed: findings.filter((f) => f.classified === 'routed').length,
    contained: contained.length,
    notified: findings.filter((f) => f.classified === 'notified').length,
    skipped: findings.filter((f) => f.classified === 'skipped' || f.classified === 'exempt').length,
    mttrFromFirstSeen: percentiles(
      contained.flatMap((f) => (f.firstSeenAt === undefined ? [] : [(f.containedAt ?? 0) - f.firstSeenAt])),
    ),
    mttrFromArrival: percentiles(contained.map((f) => (f.containedAt ?? 0) - f.arrivedAt)),
    approvals: {
      requested: gates.length,
      approved: gates.filter((g) => g.end === 'approved').length,
      denied: gates.filter((g) => g.end === 'denied').length,
      timedOut: gates.filter((g) => g.end === 'timed-out').length,
      escalated: gates.filter((g) => g.escalated).length,
      wait: percentiles(gates.flatMap((g) => (g.endedAt === undefined ? [] : [g.endedAt - g.requestedAt]))),
    },
    needsHuman: findings.filter((f) => f.needsHuman).length,
    needsHumanStops: [...stops.values()]
      .map((s) => ({ ...s, accounts: [...s.accounts].sort() }))
      .sort((a, b) => b.count - a.count || a.step.localeCompare(b.step)),
    undone: findings.filter((f) => f.undone).length,
    blastRadiusHits: findings.filter((f) => f.blastRadiusHit).length,
  };
}

/** Findings grouped by a key (those without one left out), each group's metrics, by key. */
function groupBy(
  findings: readonly FindingHistory[],
  keyOf: (f: FindingHistory) => string | undefined,
): GroupMetrics[] {
  const groups = new Map<string, FindingHistory[]>();
  for (const f of findings) {
    const key = keyOf(f);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => groupMetrics(key, group));
}

function top(
  findings: readonly FindingHistory[],
  keyOf: (f: FindingHistory) => string | undefined,
  n: number,
) {
  const counts = new Map<string, number>();
  for (const f of findings) {
    const key = keyOf(f);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, n);
}

/** How many accounts and resources the report ranks. */
const TOP_N = 10;

/** The report of a period's findings: totals, per rule, per playbook, and the most frequent accounts and resources. */
export function trailReport(
  findings: readonly FindingHistory[],
  since: Date,
  until: Date,
  options: { readonly byRegion?: boolean } = {},
): TrailReport {
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    totals: groupMetrics('all', findings),
    byRule: groupBy(findings, (f) => f.rule),
    byPlaybook: groupBy(findings, (f) => f.playbook),
    ...(options.byRegion && { byRegion: groupBy(findings, (f) => f.region) }),
    topAccounts: top(findings, (f) => f.account, TOP_N),
    topResources: top(findings, (f) => f.resource, TOP_N),
  };
}
