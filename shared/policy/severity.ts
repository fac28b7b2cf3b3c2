import { type Finding, type Severity, severityFromScore } from '#shared/findings/finding.ts';
import { matchesSelector } from './match.ts';
import type { FindingPrincipal } from './principals.ts';
import type { Policy } from './schema.ts';

/** A finding's severity after the policy's context adjustments, and which ones applied. */
export interface AdjustedSeverity {
  severity: Severity;
  /** Ids of the adjustments that applied, in policy order. */
  applied: string[];
}

/**
 * Apply every matching severity adjustment to the finding's score. The sum is clamped to
 * 0-10 and the label recomputed on GuardDuty's bands, so a Medium 5.0 finding on a
 * production resource (+2) becomes High 7.0. `principals`: the finding's, when the caller has them.
 */
export function adjustSeverity(
  policy: Policy,
  finding: Finding,
  principals?: readonly FindingPrincipal[],
): AdjustedSeverity {
  const matching = policy.severity.adjustments.filter((adjustment) =>
    matchesSelector(finding, adjustment.when, principals),
  );
  if (matching.length === 0) return { severity: finding.severity, applied: [] };
  const score = matching.reduce((total, adjustment) => total + adjustment.add, finding.severity.score);
  // Round away floating-point noise (5.1 + 2 = 7.1000000000000005) before banding.
  return {
    severity: severityFromScore(Math.round(score * 100) / 100),
    applied: matching.map((adjustment) => adjustment.id),
  };
}

/** `severity 5 → 7 (production)` when adjustments applied, else an empty string. */
export function describeAdjustment(original: Severity, adjusted: AdjustedSeverity): string {
  if (adjusted.applied.length === 0) return '';
  return `severity ${original.score} ${original.label} → ${adjusted.severity.score} ${adjusted.severity.label} (${adjusted.applied.join(', ')})`;
}
