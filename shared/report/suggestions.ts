import type { Policy } from '#shared/policy/schema.ts';
import type { YamlSource } from '#shared/policy/yaml-source.ts';
import type { GroupMetrics, TrailReport } from './metrics.ts';

/** A policy change the trail's numbers argue for, with the numbers and the line to edit. */
export interface Suggestion {
  /** `rule:<id>`, `playbook:<name>` or `blastRadius`. */
  readonly subject: string;
  /** What to consider changing, in one sentence. */
  readonly change: string;
  /** The numbers behind it, in one sentence. */
  readonly evidence: string;
  /** `file:line:col` of the policy line to change (the file alone when it has no such line). */
  readonly policyLine: string;
}

/** The policy the report is read against, and where its lines are. */
export interface PolicyWithSource {
  readonly policy: Policy;
  readonly source: YamlSource;
}

/**
 * Approve → auto: at least this many approval requests, every one approved and none of the
 * containments undone. Fewer says too little about the next one; a single denial or undo means a
 * person caught something automation would not have.
 */
export const AUTO_MIN_APPROVALS = 10;
/**
 * → notify or an exemption: at least this many human verdicts (approvals decided, containments
 * that stood or were undone), half or more of them against the containment.
 */
export const REVERSAL_MIN_VERDICTS = 5;
export const REVERSAL_MIN_SHARE = 0.5;
/** Needs-human: every stop is work a person had to finish by hand, so one is enough to name it. */
export const NEEDS_HUMAN_MIN_STOPS = 1;
/** Approvals left to time out: at least this many requests, a fifth or more unanswered. */
export const TIMEOUT_MIN_REQUESTS = 5;
export const TIMEOUT_MIN_SHARE = 0.2;

const minutes = (ms: number | undefined) => (ms === undefined ? '?' : `${Math.round(ms / 60_000)} min`);

/** Every suggestion the report's numbers support, rules first, then playbooks, then the blast radius. */
export function suggestPolicyChanges(report: TrailReport, policy?: PolicyWithSource): Suggestion[] {
  const where = lineFinder(policy);
  const suggestions: Suggestion[] = [];
  for (const rule of report.byRule) {
    suggestions.push(...ruleSuggestions(rule, where));
  }
  for (const playbook of report.byPlaybook) {
    for (const stop of playbook.needsHuman >= NEEDS_HUMAN_MIN_STOPS ? playbook.needsHumanStops : []) {
      const accounts = stop.accounts.length > 0 ? ` in account ${stop.accounts.join(', ')}` : '';
      suggestions.push({
        subject: `playbook:${playbook.key}`,
        change: `give the playbook what step ${stop.step} needs${accounts}, or route its rule to \`approve\` or \`notify\` there`,
        evidence: `playbook ${playbook.key} stopped in needs-human at step ${stop.step} ${stop.count} time(s): ${stop.error.slice(0, 200)}${accounts}`,
        policyLine: where.playbook(playbook.key),
      });
    }
  }
  if (report.totals.blastRadiusHits > 0) {
    const limit = policy?.policy.blastRadius;
    suggestions.push({
      subject: 'blastRadius',
      change:
        'look at the burst first (a detector or policy mistake?); raise blastRadius.maxAutoActions only if the burst was real',
      evidence: `${report.totals.blastRadiusHits} finding(s) reached the blast-radius limit${limit ? ` of ${limit.maxAutoActions} automatic actions in ${limit.windowMinutes} minutes` : ''} and waited for approval instead`,
      policyLine: where.at(['blastRadius', 'maxAutoActions']),
    });
  }
  return suggestions;
}

function ruleSuggestions(rule: GroupMetrics, where: ReturnType<typeof lineFinder>): Suggestion[] {
  const out: Suggestion[] = [];
  const { requested, approved, denied, timedOut, wait } = rule.approvals;
  if (requested >= AUTO_MIN_APPROVALS && approved === requested && rule.undone === 0) {
    out.push({
      subject: `rule:${rule.key}`,
      change: 'consider `mode: auto`',
      evidence: `rule ${rule.key}: ${approved} of ${requested} approved, none undone, median wait ${minutes(wait.p50)} (p90 ${minutes(wait.p90)})`,
      policyLine: where.ruleMode(rule.key),
    });
  }
  const against = denied + rule.undone;
  const verdicts = denied + rule.contained;
  if (verdicts >= REVERSAL_MIN_VERDICTS && against / verdicts >= REVERSAL_MIN_SHARE) {
    out.push({
      subject: `rule:${rule.key}`,
      change: 'consider `mode: notify`, or an exemption for what people keep reversing',
      evidence: `rule ${rule.key}: ${against} of ${verdicts} denied or undone (${denied} denied, ${rule.undone} undone of ${rule.contained} contained)`,
      policyLine: where.ruleMode(rule.key),
    });
  }
  if (requested >= TIMEOUT_MIN_REQUESTS && timedOut / requested >= TIMEOUT_MIN_SHARE) {
    out.push({
      subject: `rule:${rule.key}`,
      change:
        'check who is paged (approvals.approvers, the on-call topic) or lengthen approval.timeoutMinutes',
      evidence: `rule ${rule.key}: ${timedOut} of ${requested} approval requests timed out (${rule.approvals.escalated} escalated)`,
      policyLine: where.ruleMode(rule.key),
    });
  }
  return out;
}

/** `file:line:col` of a rule's mode (its first line when it has none), a playbook's rule, any path. */
function lineFinder(policy: PolicyWithSource | undefined) {
  const file = policy?.source.fileName ?? 'policy';
  const ruleIndex = (id: string) => policy?.policy.rules.findIndex((r) => r.id === id) ?? -1;
  return {
    at: (path: readonly (string | number)[]) => policy?.source.locate(path, true) ?? file,
    ruleMode(id: string): string {
      const i = ruleIndex(id);
      return i < 0 || !policy ? file : policy.source.locate(['rules', i, 'mode'], true);
    },
    playbook(name: string): string {
      const i = policy?.policy.rules.findIndex((r) => r.playbook === name) ?? -1;
      return i < 0 || !policy ? file : policy.source.locate(['rules', i, 'playbook'], true);
    },
  };
}
