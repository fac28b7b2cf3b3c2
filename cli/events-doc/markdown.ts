import type { aws_events as events } from 'aws-cdk-lib';
import { FINDING_PATTERNS } from '#infra/constructs/finding-router.ts';
import { type Classification, classifyEvent } from '#shared/classify.ts';
import { EVASION_CALLS } from '#shared/findings/cloudtrail-evasion.ts';
import { SHARING_CALLS } from '#shared/findings/cloudtrail-sharing.ts';
import { CONFIG_ACTIONABLE_TYPES, CONFIG_RULE_SEVERITY } from '#shared/findings/config.ts';
import { type Finding, severityFromScore } from '#shared/findings/finding.ts';
import { TRUSTED_AWS_PRODUCTS } from '#shared/findings/securityhub-products.ts';
import { type Decision, evaluatePolicy } from '#shared/policy/evaluate.ts';
import type { Policy } from '#shared/policy/schema.ts';
import { cloudTrailSample, configSample } from './samples.ts';

/**
 * docs/events.md: every source, detail-type, CloudTrail event name and Config rule the product
 * consumes, read from the EventBridge rules (infra/constructs/finding-router.ts) and the
 * normalizers (shared/findings/), each with what the default policy decides. Generated, so a call
 * or rule added in code appears on `npm run docs:events`, and the staleness test fails until then.
 */

const CTX = { now: new Date('2026-01-01T00:00:00Z'), recentAutoActions: 0 };
/** Scores tried for the outcome by severity: every half point of GuardDuty's 0-10 scale. */
const SCORES = Array.from({ length: 21 }, (_, i) => i / 2);

type Pattern = events.EventPattern & { detail?: Record<string, unknown> };

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replaceAll('|', '\\|');

/** One decision in a few words: `auto revoke-open-ingress` (rule x), `notify` (rule y), `skipped`. */
function decisionText(d: Decision | Classification): string {
  if (d.outcome === 'rejected') return `rejected: ${d.reason}`;
  if (d.outcome === 'skipped') return 'skipped';
  if (d.outcome !== 'routed') return d.outcome;
  const what = d.mode === 'notify' || !d.playbook ? 'notify' : `${code(d.playbook)} ${d.mode}`;
  return `${what} (rule ${code(d.ruleId)})`;
}

/**
 * What the policy decides for this finding at each severity, as ranges: `≥ 7: … ; 4 to < 7: … ;
 * < 4: skipped`. A normalizer scores each call by what its request did (shared/findings/).
 */
function outcomeBySeverity(policy: Policy, finding: Finding): string {
  const runs: { from: number; text: string }[] = [];
  for (const score of SCORES) {
    const text = decisionText(
      evaluatePolicy(policy, { ...finding, severity: severityFromScore(score) }, CTX),
    );
    if (runs.at(-1)?.text !== text) runs.push({ from: score, text });
  }
  if (runs.length === 1) return runs[0]?.text ?? '';
  return runs
    .map((run, i) => {
      const next = runs[i + 1]?.from;
      const range = i === 0 ? `< ${next}` : next === undefined ? `≥ ${run.from}` : `${run.from} to < ${next}`;
      return `${range}: ${run.text}`;
    })
    .reverse()
    .join('; ');
}

function patternRows(): string[] {
  return Object.entries(FINDING_PATTERNS as Record<string, Pattern>).map(([name, pattern]) => {
    const { eventName, ...rest } = pattern.detail ?? {};
    const also = [
      eventName ? `${(eventName as string[]).length} event names (below)` : '',
      Object.keys(rest).length ? code(JSON.stringify(rest)) : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `| ${name} | ${(pattern.source ?? []).map(code).join(', ')} | ${(pattern.detailType ?? []).map(code).join(', ')} | ${cell(also || '-')} |`;
  });
}

/** Each CloudTrail event name a rule subscribes to, with the rule and its sources. */
function cloudTrailCalls(): { rule: string; name: string; sources: string[]; root: boolean }[] {
  return Object.entries(FINDING_PATTERNS as Record<string, Pattern>).flatMap(([rule, pattern]) => {
    const names = (pattern.detail?.eventName as string[] | undefined) ?? [];
    const identity = pattern.detail?.userIdentity as { type?: string[] } | undefined;
    const root = identity?.type?.includes('Root') ?? false;
    return names.map((name) => ({ rule, name, sources: pattern.source ?? [], root }));
  });
}

function cloudTrailRows(policy: Policy): string[] {
  return cloudTrailCalls().map(({ rule, name, sources, root }) => {
    const eventSource =
      EVASION_CALLS[name]?.eventSource ??
      (SHARING_CALLS as Record<string, { eventSource: string }>)[name]?.eventSource;
    const source = eventSource ? `aws.${eventSource.split('.')[0]}` : (sources[0] ?? '');
    const sample = classifyEvent(
      cloudTrailSample(source, name, eventSource ?? `${source.slice(4)}.amazonaws.com`, root),
      policy,
      CTX,
    )[0];
    const finding = sample && 'finding' in sample ? sample.finding : undefined;
    const sampled = finding
      ? `${finding.title} (${finding.severity.score}): ${decisionText(sample as Classification)}`
      : `no sample: ${sample ? decisionText(sample) : 'none'}`;
    const byScore = finding ? outcomeBySeverity(policy, finding) : '-';
    const service = eventSource ? code(eventSource) : sources.map(code).join(', ');
    const who = root ? ' (root only)' : '';
    return `| ${code(name)}${who} | ${service} | ${rule} | ${finding?.resource.kind ?? '-'} | ${cell(sampled)} | ${cell(byScore)} |`;
  });
}

function configRows(policy: Policy): string[] {
  return Object.entries(CONFIG_RULE_SEVERITY).map(([rule, score]) => {
    const outcomes = CONFIG_ACTIONABLE_TYPES.map((type) => {
      const decided = classifyEvent(configSample(rule, type), policy, CTX)[0];
      return { type, text: decided ? decisionText(decided) : '-' };
    });
    const common = mostCommon(outcomes.map((o) => o.text));
    const special = outcomes.filter((o) => o.text !== common).map((o) => `${code(o.type)}: ${o.text}`);
    const text = [
      ...special,
      `${special.length ? 'other resource types' : 'any resource type'}: ${common}`,
    ].join('; ');
    return `| ${code(rule)} | ${score} | ${cell(text)} |`;
  });
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** The whole page. */
export function eventsMarkdown(policy: Policy): string {
  return [
    '# Events the product consumes, and their default outcome',
    '',
    '<!-- Generated by `npm run docs:events` (cli/events-doc/) from the EventBridge rules, the normalizers and policy/default.yaml. Do not edit: a test fails when it is stale. -->',
    '',
    'Every event below reaches the classifier through one EventBridge rule of',
    '`infra/constructs/finding-router.ts`, is normalized by its source’s file in `shared/findings/`,',
    'and is decided by `policy/default.yaml`. Every event gets a recorded outcome in the audit trail:',
    'an event that fails validation is rejected with its reason and sent to the dead-letter queue;',
    'a call that failed (`errorCode` present) changed nothing and is skipped; a finding below every',
    'rule’s minimum severity is skipped.',
    '',
    '## EventBridge rules',
    '',
    '| Rule | `source` | `detail-type` | Also matched on |',
    '|---|---|---|---|',
    ...patternRows(),
    '',
    '## CloudTrail calls',
    '',
    'A call’s severity depends on what its request did (a port opened to the world, a bucket made',
    'public, a detector disabled): the normalizer scores it. *Sample* is a request that names a',
    'security group opened on port 22 to 0.0.0.0/0, a trail, a bucket, a detector, a recorder or',
    'a flow log, as the call takes; *By severity* is what the default policy decides at each score.',
    'Notified evasion findings carry `change`: the request fields that say what was turned off,',
    'copied from the CloudTrail record (untrusted text). Organizations records its calls in',
    'us-east-1 only (`LeaveOrganization`); the security stack forwards them (docs/organization.md).',
    '',
    '| Event | `eventSource`, else the rule’s `source`s | Rule | Resource | Sample (score): outcome | By severity |',
    '|---|---|---|---|---|---|',
    ...cloudTrailRows(policy),
    '',
    '## AWS Config rules',
    '',
    '`Config Rules Compliance Change` events with `NON_COMPLIANT` results. The normalizer scores',
    'these rules (`shared/findings/config.ts`); any other rule scores 5. A resource type a playbook',
    `acts on (${CONFIG_ACTIONABLE_TYPES.map(code).join(', ')}) can lead to containment; others are notified.`,
    '',
    '| Config rule | Score | Default outcome |',
    '|---|---|---|',
    ...configRows(policy),
    '',
    '## GuardDuty findings',
    '',
    'Every GuardDuty finding type, with the resource types it is reported on and its default',
    'outcome, is in [coverage.md](coverage.md) (generated by `npm run coverage`).',
    '',
    '## Security Hub findings',
    '',
    `Findings from these AWS services may lead to containment: ${TRUSTED_AWS_PRODUCTS.map(code).join(', ')}.`,
    'Findings of any other product (custom or partner, which anyone allowed',
    '`securityhub:BatchImportFindings` can write) come through `SecurityHubOtherProducts` and are',
    'notified at most. The controls each playbook remediates are named in its facts',
    '(`controls` in `shared/playbooks/<name>.ts`).',
    '',
  ].join('\n');
}
