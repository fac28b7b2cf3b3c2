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

/** Dimension names, exactly as the emitters write them (CloudWatch matches them case-sensitively). */
export const MetricDimension = {
  /** Added by Powertools Metrics to every metric: the emitting function's `serviceName`. */
  Service: 'service',
  Source: 'Source',
  FindingType: 'FindingType',
  Outcome: 'Outcome',
  Playbook: 'Playbook',
  Result: 'Result',
} as const;
export type MetricDimension = (typeof MetricDimension)[keyof typeof MetricDimension];

/**
 * The `serviceName` of the function that emits each metric, hence its `service` dimension.
 * CloudWatch matches a metric only on its exact dimension set, so the dashboard and alarms read
 * these values: a metric that moves to another function (or service name) must change here too.
 */
export const MetricEmitter: { readonly [K in MetricName]: string } = {
  FindingsReceived: 'classify',
  ClassifierOutcome: 'classify',
  ClassifierErrors: 'classify',
  // Playbook records are appended (and counted) by the audit-append function.
  ContainmentLatency: 'audit-append',
  PlaybookResult: 'audit-append',
  ApprovalsTimedOut: 'audit-append',
  // The approval request is audited by the function the gate hands its task token to.
  ApprovalsPending: 'approval-request',
};
