import type { ResourceKind } from '#shared/findings/finding.ts';
import type { PlaybookFacts } from '#shared/playbooks/definition.ts';
import { checkPlaybooks, whereIn } from './load.ts';
import type { Policy, Rule } from './schema.ts';
import { formatPath } from './yaml-source.ts';

/**
 * The resource kind of the findings a CloudTrail call becomes (shared/findings/cloudtrail.ts),
 * so a rule matching `source: cloudtrail` and literal event names needs no `resource:` for the
 * kind check. A unit test normalizes a sample of each call and compares; a call missing here
 * only means such a rule must say its `resource:`.
 */
export const CLOUDTRAIL_EVENT_KINDS: Readonly<Record<string, ResourceKind>> = {
  AuthorizeSecurityGroupIngress: 'SecurityGroup',
  ModifySecurityGroupRules: 'SecurityGroup',
  StopLogging: 'Trail',
  DeleteTrail: 'Trail',
  PutBucketPolicy: 'Bucket',
  PutBucketAcl: 'Bucket',
  DeleteBucketPublicAccessBlock: 'Bucket',
  PutBucketPublicAccessBlock: 'Bucket',
  PutAccountPublicAccessBlock: 'Account',
  DeleteAccountPublicAccessBlock: 'Account',
  CreateAccessKey: 'AccessKey',
  ConsoleLogin: 'Account',
  // Defence evasion (shared/findings/cloudtrail-evasion.ts).
  PutEventSelectors: 'Trail',
  UpdateTrail: 'Trail',
  UpdateDetector: 'Other',
  DeleteDetector: 'Other',
  DisassociateFromAdministratorAccount: 'Other',
  CreateFilter: 'Other',
  CreateIPSet: 'Other',
  UpdateIPSet: 'Other',
  StopConfigurationRecorder: 'Other',
  DeleteConfigurationRecorder: 'Other',
  DeleteDeliveryChannel: 'Other',
  DeleteFlowLogs: 'Other',
  DisableSecurityHub: 'Account',
  BatchDisableStandards: 'Other',
  LeaveOrganization: 'Account',
  // Data shared out (shared/findings/cloudtrail-sharing.ts).
  ModifySnapshotAttribute: 'Other',
  ModifyImageAttribute: 'Other',
  ModifyDBSnapshotAttribute: 'Other',
  ModifyDBClusterSnapshotAttribute: 'Other',
};

/**
 * Every check of a policy against the playbooks a deployment ships, each message with its
 * `file:line:col` when the policy came from YAML. `remediate policy check`, `remediate policy
 * test` and `cdk synth` all call this, so they refuse the same policies with the same words:
 * - a rule or `next:` names a playbook that does not exist;
 * - a rule could route a finding of a resource kind its playbook (or its `next:`) does not act on;
 * - a `next:` on a playbook that does not end with the hand-over step;
 * - hand-overs that form a cycle;
 * - a rule routes a Security Hub control to a playbook whose facts do not name that control
 *   (`controls:`), so what docs/controls.md counts is what the playbook says it fixes.
 */
export function checkPolicyPlaybooks(policy: Policy, playbooks: readonly PlaybookFacts[]): string[] {
  const byName = new Map(playbooks.map((p) => [p.name, p]));
  const problems = checkPlaybooks(
    policy,
    playbooks.map((p) => p.name),
  );
  policy.rules.forEach((rule, index) => {
    const at = (...path: (string | number)[]) => {
      const full = ['rules', index, ...path];
      return `${whereIn(policy, full)}${formatPath(full)}`;
    };
    const own = rule.playbook ? byName.get(rule.playbook) : undefined;
    const next = rule.next ? byName.get(rule.next.playbook) : undefined;
    const kinds = routedKinds(rule);
    for (const [playbook, path] of [
      [own, ['playbook']],
      [next, ['next', 'playbook']],
    ] as const) {
      if (!playbook) continue;
      const others = kinds === 'any' ? 'any' : kinds.filter((k) => !playbook.resourceKinds.includes(k));
      if (others === 'any')
        problems.push(
          `${at(...path)}: rule ${rule.id} could route a finding of any resource kind to ${playbook.name}, which acts on ${playbook.resourceKinds.join(', ')} only: add match.resource: [${playbook.resourceKinds.join(', ')}]`,
        );
      else if (others.length > 0)
        problems.push(
          `${at(...path)}: rule ${rule.id} routes ${others.join(', ')} findings to ${playbook.name}, which acts on ${playbook.resourceKinds.join(', ')} only`,
        );
    }
    const unclaimed = own ? (rule.match.controls ?? []).filter((c) => !own.controls?.includes(c)) : [];
    if (own && unclaimed.length > 0)
      problems.push(
        `${at('match', 'controls')}: rule ${rule.id} routes control ${unclaimed.join(', ')} to ${own.name}, which does not remediate it (its controls: ${own.controls?.join(', ') || 'none'})`,
      );
    if (rule.next && rule.playbook && own && !own.handsOver) {
      const able = playbooks.filter((p) => p.handsOver).map((p) => p.name);
      problems.push(
        `${at('next')}: rule ${rule.id}: playbook ${rule.playbook} does not hand over, so it cannot have a next: (playbooks that do: ${able.join(', ') || 'none'})`,
      );
    }
  });
  const cycle = handOverCycle(policy);
  if (cycle) {
    const index = policy.rules.findIndex((r) => r.playbook === cycle[0] && r.next);
    problems.push(
      `${whereIn(policy, ['rules', index, 'next'])}rules[${index}].next: hand-overs (next:) form a cycle: ${cycle.join(' → ')}`,
    );
  }
  return problems;
}

/** The resource kinds of the findings `rule` can match, or `any` when its selector cannot tell. */
export function routedKinds(rule: Rule): readonly ResourceKind[] | 'any' {
  if (rule.match.resource) return rule.match.resource;
  const sources = rule.match.source ?? [];
  const types = rule.match.type ?? [];
  if (sources.length !== 1 || sources[0] !== 'cloudtrail' || types.length === 0) return 'any';
  const kinds = new Set<ResourceKind>();
  for (const type of types) {
    const kind = Object.hasOwn(CLOUDTRAIL_EVENT_KINDS, type) ? CLOUDTRAIL_EVENT_KINDS[type] : undefined;
    if (!kind) return 'any';
    kinds.add(kind);
  }
  return [...kinds];
}

/** Playbook → the playbooks the policy's rules run after it (`next:`). */
export function handOvers(policy: Policy): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const rule of policy.rules) {
    if (!rule.playbook || !rule.next) continue;
    const set = edges.get(rule.playbook) ?? new Set<string>();
    set.add(rule.next.playbook);
    edges.set(rule.playbook, set);
  }
  return edges;
}

/** A cycle in the hand-over graph, if there is one (the playbooks in order, the first repeated last). */
export function handOverCycle(policy: Policy): string[] | undefined {
  const edges = handOvers(policy);
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): string[] | undefined => {
    if (trail.includes(name)) return [...trail.slice(trail.indexOf(name)), name];
    if (done.has(name)) return undefined;
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next, [...trail, name]);
      if (cycle) return cycle;
    }
    done.add(name);
    return undefined;
  };
  for (const name of edges.keys()) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}
