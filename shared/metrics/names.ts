/**
 * The product's CloudWatch metrics: one namespace, every name and dimension in one place, so the
 * functions that emit them (EMF through Powertools Metrics) and the dashboard and alarms that read
 * them cannot drift apart.
 */
export const METRIC_NAMESPACE = 'AutoRemediation';

export const MetricName = {
  /** A finding event arrived at the classifier. Dimensions: `Source`, `FindingType`. */
  FindingsReceived: 'FindingsReceived',
  /** The classifier's decision on one event. Dimension: `Outcome` (routed, duplicate, rejected, ...). */
  ClassifierOutcome: 'ClassifierOutcome',
  /** The classifier failed on an event (it went to the dead-letter queue). */
  ClassifierErrors: 'ClassifierErrors',
  /** Milliseconds from the finding's own time to the playbook's containment record. Dimension: `Playbook`. */
  ContainmentLatency: 'ContainmentLatency',
  /** A playbook execution's final result. Dimensions: `Playbook`, `Result` (contained, verified, needs-human, ...). */
  PlaybookResult: 'PlaybookResult',
  /** An approval gate started waiting for a decision. Dimension: `Playbook`. */
  ApprovalsPending: 'ApprovalsPending',
  /** An approval gate ran out of time. Dimension: `Playbook`. */
  ApprovalsTimedOut: 'ApprovalsTimedOut',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
