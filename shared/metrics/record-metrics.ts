import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditRecord } from '#shared/audit/record.ts';
import { MetricName } from './names.ts';

/** Outcomes that end a playbook run (or its containment), reported as `PlaybookResult`. */
const RESULTS = new Set(['contained', 'verified', 'not-verified', 'needs-human', 'undone', 'denied']);

/**
 * The metrics one audit record stands for, emitted where it is appended: every playbook step
 * already passes through the trail, so the figures and the trail cannot disagree.
 * Each metric is its own EMF document (`singleMetric`), so its dimensions are exactly its own.
 */
export function emitRecordMetrics(
  metrics: Metrics,
  record: AuditRecord,
  extra: { findingTime?: string; containment?: boolean } = {},
): void {
  const playbook = record.playbook ?? 'none';
  const one = (
    name: string,
    value: number,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    dimensions: Record<string, string>,
  ) => {
    const m = metrics.singleMetric();
    for (const [k, v] of Object.entries(dimensions)) m.addDimension(k, v);
    m.addMetric(name, unit, value);
  };
  if (extra.containment && extra.findingTime && record.outcome === 'succeeded') {
    const latency = Date.parse(record.at) - Date.parse(extra.findingTime);
    if (Number.isFinite(latency) && latency >= 0) {
      one(MetricName.ContainmentLatency, latency, MetricUnit.Milliseconds, { Playbook: playbook });
    }
  }
  if (RESULTS.has(record.outcome) && record.actor.startsWith('playbook/')) {
    one(MetricName.PlaybookResult, 1, MetricUnit.Count, { Playbook: playbook, Result: record.outcome });
  }
  if (record.outcome === 'approval-required') {
    one(MetricName.ApprovalsPending, 1, MetricUnit.Count, { Playbook: playbook });
  }
  if (record.outcome === 'timed-out') {
    one(MetricName.ApprovalsTimedOut, 1, MetricUnit.Count, { Playbook: playbook });
  }
}
