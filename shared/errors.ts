/**
 * The error hierarchy. Every class sets `name`, which is what Step Functions Retry/Catch
 * and the audit trail match on, and carries the underlying `cause`.
 */
export class RemediationError extends Error {
  override name = 'RemediationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An event that does not validate against any known finding schema. */
export class InvalidFindingError extends RemediationError {
  override name = 'InvalidFindingError';
  /** Human-readable list of the validation issues, one per offending field. */
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }
}

/**
 * A well-formed event that carries nothing to act on: a CloudTrail record of a call that failed,
 * a Security Hub update that closes its finding. Recorded as skipped with the reason, never
 * dead-lettered: the dead-letter queue is for events that could not be delivered or read.
 */
export class NotActionableEventError extends RemediationError {
  override name = 'NotActionableEventError';
  /** One line per finding or field that makes the event not actionable. */
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }
}

/** A policy document that fails its schema or its semantic checks. */
export class PolicyError extends RemediationError {
  override name = 'PolicyError';
}

/** Configuration (CDK context, environment variables) that is missing or malformed. */
export class ConfigurationError extends RemediationError {
  override name = 'ConfigurationError';
}

/** An AWS API answered with throttling; callers retry with backoff. */
export class ThrottledError extends RemediationError {
  override name = 'ThrottledError';
}
