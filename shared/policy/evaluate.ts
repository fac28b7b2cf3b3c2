import type { Finding, Severity } from '#shared/findings/finding.ts';
import { matchesResourceIds, matchesSelector, thresholdScore } from './match.ts';
import { type FindingPrincipal, principalsOf, protectedPrincipalOf } from './principals.ts';
import type { Approval, Exemption, FollowUp, Mode, Policy, Rule } from './schema.ts';
import { adjustSeverity, describeAdjustment } from './severity.ts';

/** What the evaluator needs to know besides the policy and the finding. */
export interface EvaluationContext {
  /** The time of evaluation: decides which exemptions have expired. */
  now: Date;
  /** Automatic actions already taken within the blast-radius window. */
  recentAutoActions: number;
  /** Extra ARNs (wildcards allowed) never acted on, e.g. the deployed stack's own roles. */
  protectedPrincipalArns?: readonly string[];
  /**
   * The one account and region the playbooks act in, when they act with this stack's own
   * credentials (outside an organization): a finding about another account or region would be
   * "contained" on whatever has the same name here, so it is at most notified. Absent: any (in an
   * organization each finding is acted on as its own account's member role).
   */
  ownScope?: { accountId: string; region: string };
}

/** A follow-up playbook as decided: mode and approval settings resolved from the defaults. */
export interface FollowUpDecision {
  playbook: string;
  mode: Exclude<Mode, 'notify'>;
  approval?: Approval;
  params?: Record<string, unknown>;
}

/** The policy's verdict on one finding. */
export type Decision =
  | {
      outcome: 'routed';
      /** Absent for `notify`, which runs no playbook. */
      playbook?: string;
      mode: Mode;
      /** Severity after context adjustments. */
      severity: Severity;
      ruleId: string;
      reason: string;
      /** Approval settings, present when `mode` is `approve`. */
      approval?: Approval;
      /** The rule's free-form playbook parameters. */
      params?: Record<string, unknown>;
      /** The playbook that runs after this one succeeds, with its settings resolved. */
      next?: FollowUpDecision;
    }
  | { outcome: 'skipped'; severity: Severity; ruleId?: string; reason: string }
  | { outcome: 'exempt'; severity: Severity; reason: string; exemptionId?: string };

/**
 * Decide what to do with one finding. Pure: same policy, finding and context, same decision.
 *
 * The checks run in this order, each for a reason:
 * 0. A finding its source has closed (GuardDuty archived) is skipped, with the reason.
 * 1. Protected principals (root always, the policy's list, the context's ARNs) come first
 *    because no later setting may ever act on them. A rule that only notifies still applies,
 *    since a notification touches nothing and people must hear about root activity.
 * 2. Exemptions next: an accepted risk outranks any rule.
 * 3. Samples: AWS-generated findings name placeholder resources, so they are skipped or,
 *    by default, routed as `dry-run` (never `auto` or `approve`; a notify rule's sample is
 *    skipped, since a notification has no plan to record).
 * 4. Rules, first match wins, against the context-adjusted severity; no match is a skip.
 * 5. Notify-only: a finding its source does not vouch for, or about another account or region
 *    than {@link EvaluationContext.ownScope}, is notified instead of running the rule's playbook.
 * 6. Blast radius last: it only downgrades an `auto` decision to `approve`.
 */
export function evaluatePolicy(policy: Policy, finding: Finding, ctx: EvaluationContext): Decision {
  // Derived once: the root check, the protected list and every rule naming principals read them.
  const principals = principalsOf(finding);
  const adjusted = adjustSeverity(policy, finding, principals);
  const severity = adjusted.severity;
  const severityNote = describeAdjustment(finding.severity, adjusted);
  const rule = policy.rules.find((candidate) => matchesRule(finding, candidate, severity, principals));
  const ruleMode = rule ? (rule.mode ?? policy.defaults.mode) : undefined;

  if (finding.closedBecause) {
    // The source has closed the finding: acting on it, or paging anyone, would contradict whoever closed it.
    return { outcome: 'skipped', severity, reason: join(finding.closedBecause, severityNote) };
  }

  const protectedBy = protectedPrincipalOf(
    finding,
    [...policy.protectedPrincipals, ...(ctx.protectedPrincipalArns ?? [])],
    principals,
  );
  if (protectedBy && ruleMode !== 'notify') {
    const why = `protected principal ${protectedBy.arn} (matches ${protectedBy.pattern}) is never acted on`;
    return { outcome: 'exempt', severity, reason: join(why, severityNote) };
  }

  const exemption = policy.exemptions.find((candidate) => appliesTo(candidate, finding, ctx.now, principals));
  if (exemption) {
    const why = `exemption ${exemption.id}: ${exemption.reason}`;
    return { outcome: 'exempt', severity, exemptionId: exemption.id, reason: join(why, severityNote) };
  }

  if (finding.sample && policy.samples === 'skip') {
    const why = 'AWS-generated sample finding (policy samples: skip)';
    return {
      outcome: 'skipped',
      severity,
      ...(rule && { ruleId: rule.id }),
      reason: join(why, severityNote),
    };
  }

  if (!rule || !ruleMode) {
    const why = `no rule matches ${finding.source} ${finding.type} on ${finding.resource.kind} at severity ${severity.score} ${severity.label}`;
    const sampleNote = finding.sample ? 'AWS-generated sample finding' : '';
    return { outcome: 'skipped', severity, reason: join(sampleNote, why, severityNote) };
  }

  const notes = [`rule ${rule.id}${rule.description ? `: ${rule.description}` : ''}`, severityNote];
  let mode = ruleMode;
  const notifyOnly = ruleMode === 'notify' ? undefined : notifyOnlyBecause(finding, ctx.ownScope);
  if (notifyOnly) {
    mode = 'notify';
    notes.push(`${notifyOnly}: notify instead of ${ruleMode}${rule.playbook ? ` ${rule.playbook}` : ''}`);
  }
  if (finding.sample && mode === 'notify') {
    // A sample names placeholder resources: notifying would page people for nothing, and a
    // notification has no plan to dry-run, so the decision is recorded as a skip.
    const why = `AWS-generated sample finding: rule ${rule.id} would notify; samples never do`;
    return {
      outcome: 'skipped',
      severity,
      ruleId: rule.id,
      reason: join(why, notifyOnly ?? '', severityNote),
    };
  }
  // Notified, so no playbook, follow-up or approval travels with the decision.
  if (notifyOnly) return { outcome: 'routed', mode, severity, ruleId: rule.id, reason: join(...notes) };
  if (finding.sample && mode !== 'dry-run') {
    mode = 'dry-run';
    notes.push(`AWS-generated sample finding: dry-run instead of ${ruleMode}`);
  }
  if (protectedBy) notes.push(`protected principal ${protectedBy.arn}: notification only`);
  const { maxAutoActions, windowMinutes } = policy.blastRadius;
  if (mode === 'auto' && ctx.recentAutoActions >= maxAutoActions) {
    mode = 'approve';
    notes.push(
      `blast radius: ${ctx.recentAutoActions} automatic actions in the last ${windowMinutes} minutes reached the limit of ${maxAutoActions}, so approval is required`,
    );
  }
  return {
    outcome: 'routed',
    ...(rule.playbook !== undefined && { playbook: rule.playbook }),
    mode,
    severity,
    ruleId: rule.id,
    reason: join(...notes),
    ...(mode === 'approve' && { approval: { ...policy.defaults.approval, ...rule.approval } }),
    ...(rule.params && { params: rule.params }),
    ...(rule.next && { next: followUp(policy, rule.next, finding.sample) }),
  };
}

/**
 * Why the finding may at most be notified, or undefined. Its account and region come from the
 * finding; the account is validated as 12 digits, the region is quoted since it is the sender's text.
 */
function notifyOnlyBecause(finding: Finding, ownScope: EvaluationContext['ownScope']): string | undefined {
  const reasons = [finding.notifyOnlyBecause ?? ''];
  if (ownScope && finding.accountId !== ownScope.accountId)
    reasons.push(
      `the finding is about account ${finding.accountId}, and this stack acts only in its own account ${ownScope.accountId}`,
    );
  else if (ownScope && finding.region !== ownScope.region)
    reasons.push(
      `the finding is about region ${JSON.stringify(finding.region.slice(0, 64))}, and this stack acts only in its own region ${ownScope.region}`,
    );
  const reason = join(...reasons);
  return reason === '' ? undefined : reason;
}

/** A follow-up's settings, with the same defaults as a rule's; a sample's follow-up is a dry run too. */
function followUp(policy: Policy, next: FollowUp, sample: boolean): FollowUpDecision {
  const defaultMode = policy.defaults.mode === 'notify' ? 'approve' : policy.defaults.mode;
  const mode = sample ? 'dry-run' : (next.mode ?? defaultMode);
  return {
    playbook: next.playbook,
    mode,
    ...(mode === 'approve' && { approval: { ...policy.defaults.approval, ...next.approval } }),
    ...(next.params && { params: next.params }),
  };
}

function matchesRule(
  finding: Finding,
  rule: Rule,
  severity: Severity,
  principals: readonly FindingPrincipal[],
): boolean {
  // The match is the selector plus `minSeverity`, which matchesSelector does not read: passed as
  // it is rather than copied without it, since every rule is tried for every finding.
  const { minSeverity } = rule.match;
  if (minSeverity !== undefined && severity.score < thresholdScore(minSeverity)) return false;
  return matchesSelector(finding, rule.match, principals);
}

/** An exemption applies until its `expires` instant (a bare date means 00:00 UTC that day). */
function appliesTo(
  exemption: Exemption,
  finding: Finding,
  now: Date,
  principals: readonly FindingPrincipal[],
): boolean {
  if (exemption.expires !== undefined && now.getTime() >= Date.parse(exemption.expires)) return false;
  const { resourceIds } = exemption.match;
  if (resourceIds && !matchesResourceIds(finding, resourceIds)) return false;
  return matchesSelector(finding, exemption.match, principals);
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('; ');
}
