import { NotActionableEventError } from '#shared/errors.ts';
import type { Finding, Severity } from '#shared/findings/finding.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { type Decision, type EvaluationContext, evaluatePolicy } from '#shared/policy/evaluate.ts';
import type { Policy } from '#shared/policy/schema.ts';

/** An event no finding schema accepts: a definite outcome, not an error to retry. */
export interface Rejection {
  outcome: 'rejected';
  /** Why the event was rejected, in one sentence. */
  reason: string;
  /** One line per offending field. */
  issues: string[];
  /** Always Informational 0: nothing is known about a rejected event. */
  severity: Severity;
  finding?: undefined;
}

/**
 * A valid event with nothing to act on (a CloudTrail record of a failed call, a Security Hub
 * update that closes its finding): recorded as skipped with the reason, never dead-lettered.
 */
export interface EventSkip {
  outcome: 'skipped';
  /** Why nothing is done, in one sentence. */
  reason: string;
  /** One line per finding or field concerned. */
  issues: string[];
  /** Always Informational 0: the event reports nothing to contain. */
  severity: Severity;
  finding?: undefined;
}

/** The outcome for one finding of an event (with the finding), or for an event as a whole. */
export type Classification = (Decision & { finding: Finding }) | Rejection | EventSkip;

/**
 * Normalize an EventBridge event into findings and evaluate the policy for each. The classify
 * Lambda and the `remediate classify` command both call this, so they cannot disagree.
 */
export function classifyEvent(event: unknown, policy: Policy, ctx: EvaluationContext): Classification[] {
  const normalized = normalizeEvent(event);
  if (!normalized.ok) {
    const { error } = normalized;
    if (error instanceof NotActionableEventError)
      return [{ outcome: 'skipped', reason: error.message, issues: error.issues, severity: INFORMATIONAL }];
    return [rejection(error.message, error.issues)];
  }
  // Every event gets a definite outcome, even a valid envelope that carries no findings.
  if (normalized.findings.length === 0) return [rejection('the event carries no findings', [])];
  return normalized.findings.map((finding) => ({ ...evaluatePolicy(policy, finding, ctx), finding }));
}

const INFORMATIONAL: Severity = { score: 0, label: 'Informational' };

function rejection(reason: string, issues: string[]): Rejection {
  return { outcome: 'rejected', reason, issues, severity: INFORMATIONAL };
}
