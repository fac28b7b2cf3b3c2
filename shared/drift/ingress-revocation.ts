import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';
import { FindingSourceSchema, type IngressRule, IngressRuleSchema } from '#shared/findings/finding.ts';
import {
  type AuthorizedPorts,
  AuthorizedPortsParamsSchema,
  authorizedPortsOf,
  unauthorizedWorldOpenRules,
} from '#shared/network/authorized-ports.ts';
import { coversPorts, protocolOf, worldOpenRules } from '#shared/network/world-open.ts';

export { coversPorts };

/**
 * Ports whose world-open ingress the revoke-open-ingress playbook removes when the policy rule
 * gives no `params.ports`: SSH, RDP, MySQL, PostgreSQL, Redis, Elasticsearch, MongoDB, and `-1`
 * for rules that allow every protocol and port.
 */
export const DEFAULT_REVOKED_PORTS: readonly number[] = [22, 3389, 3306, 5432, 6379, 9200, 27017, -1];

/** One rule as the Step Functions EC2 integration returns DescribeSecurityGroupRules (PascalCase). */
export const SecurityGroupRuleSchema = z.looseObject({
  SecurityGroupRuleId: z.string().check(z.minLength(1)),
  GroupId: z.optional(z.string()),
  IsEgress: z.optional(z.boolean()),
  IpProtocol: z.string(),
  FromPort: z.optional(z.number().check(z.int())),
  ToPort: z.optional(z.number().check(z.int())),
  CidrIpv4: z.optional(z.string()),
  CidrIpv6: z.optional(z.string()),
});
/** A security group rule as DescribeSecurityGroupRules reports it. */
export type SecurityGroupRule = z.infer<typeof SecurityGroupRuleSchema>;

/** A finding about one security group (CloudTrail, Config, Security Hub): the group and what the call added. */
const GroupResourceSchema = z.looseObject({
  groupId: z.string().check(z.minLength(1)),
  addedRules: z.array(IngressRuleSchema),
});
/** A port-probe finding about an instance: its security groups and the ports GuardDuty saw probed. */
const ProbedInstanceSchema = z.looseObject({
  kind: z.literal('Instance'),
  securityGroupIds: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  probedPorts: z.array(z.number().check(z.int(), z.gte(0), z.lte(65535))).check(z.minLength(1)),
});

/** What the planner is given: the finding's source and group(s), the policy's ports, the groups' rules now. */
export const IngressRevocationInputSchema = z.object({
  source: FindingSourceSchema,
  resource: z.union([ProbedInstanceSchema, GroupResourceSchema]),
  decision: z.optional(
    z.looseObject({
      params: z.nullish(
        z.looseObject({
          ports: z.optional(
            z.array(z.number().check(z.int(), z.gte(-1), z.lte(65535))).check(z.minLength(1)),
          ),
          // Security Hub EC2.18: every port but these (shared/network/authorized-ports.ts).
          ...AuthorizedPortsParamsSchema.def.shape,
        }),
      ),
    }),
  ),
  /** The DescribeSecurityGroupRules output; an empty list may be left out of it entirely. */
  described: z.looseObject({ SecurityGroupRules: z.optional(z.array(SecurityGroupRuleSchema)) }),
});
/** Input of {@link planIngressRevocation}. */
export type IngressRevocationInput = z.infer<typeof IngressRevocationInputSchema>;

/** Which rules to revoke, and why the others are left alone; recorded in the audit trail as is. */
export interface IngressRevocationPlan {
  /** The group of a security-group finding; absent for an instance's probed ports (see `groups`). */
  groupId?: string;
  /**
   * `added-rules`: only what the CloudTrail call added; `group`: every rule of the group (Config);
   * `probed-ports`: the rules of an instance's groups that open a port GuardDuty saw probed.
   */
  scope: 'added-rules' | 'group' | 'probed-ports';
  ports: number[];
  /** With authorized ports (EC2.18), `ports` is empty: world-open rules on any other port are revoked. */
  authorizedPorts?: AuthorizedPorts;
  /** The `sgr-` ids to pass to RevokeSecurityGroupIngress. */
  ruleIds: string[];
  /** The same ids by security group: one RevokeSecurityGroupIngress call each. */
  groups: { groupId: string; ruleIds: string[] }[];
  /** The rules to revoke as the group has them now: the state before, and what undo re-adds. */
  rules: SecurityGroupRule[];
  /** `ruleIds.length`, for a Choice state. */
  count: number;
  /** World-open rules on a revoked port that the call added but the group no longer has. */
  alreadyGone: IngressRule[];
  /** Added rules left in place: narrower than the whole internet, or on a port the policy allows. */
  leftAlone: IngressRule[];
}

/** The planner's input is malformed: a bug in the state machine, not a finding to act on. */
export class IngressRevocationInputError extends RemediationError {
  override name = 'IngressRevocationInputError';
}

function asIngressRule(rule: SecurityGroupRule): IngressRule {
  return {
    ruleId: rule.SecurityGroupRuleId,
    protocol: rule.IpProtocol,
    fromPort: rule.FromPort,
    toPort: rule.ToPort,
    cidrIpv4: rule.CidrIpv4,
    cidrIpv6: rule.CidrIpv6,
  };
}

/** Same protocol, ports and CIDR: how a rule from an older record (no `sgr-` id) is found in the group. */
function sameRule(added: IngressRule, current: IngressRule): boolean {
  return (
    protocolOf(added.protocol) === protocolOf(current.protocol) &&
    (added.fromPort ?? -1) === (current.fromPort ?? -1) &&
    (added.toPort ?? -1) === (current.toPort ?? -1) &&
    added.cidrIpv4 === current.cidrIpv4 &&
    added.cidrIpv6 === current.cidrIpv6
  );
}

/**
 * Decide which ingress rules to revoke. From a CloudTrail call, only the rules that call added,
 * and only those open to the whole internet on one of `ports`, alone or with the group's other rules: never another rule of the group
 * (removing rules the finding is not about breaks legitimate traffic). From Config, which names
 * only the group, every world-open ingress rule on one of `ports`. A rule the group no longer
 * has is reported as already gone, not revoked.
 */
export function planIngressRevocation(input: IngressRevocationInput): IngressRevocationPlan {
  const { resource } = input;
  if (isProbedInstance(resource)) return planProbedPortRevocation(resource, input.described);
  const { groupId } = resource;
  const authorizedPorts = authorizedPortsOf(input.decision?.params);
  const ports = authorizedPorts ? [] : [...(input.decision?.params?.ports ?? DEFAULT_REVOKED_PORTS)];
  const openRules = (rules: IngressRule[]) =>
    authorizedPorts ? unauthorizedWorldOpenRules(rules, authorizedPorts) : worldOpenRules(rules, ports);
  const ingress = (input.described.SecurityGroupRules ?? []).filter(
    (rule) => rule.IsEgress !== true && (rule.GroupId === undefined || rule.GroupId === groupId),
  );
  // The group's rules are judged together: blocks that only together admit the whole internet
  // on a revoked port count as world-open (shared/network/world-open.ts).
  const current = ingress.map(asIngressRule);
  const open = new Set(openRules(current).map((rule) => rule.ruleId));
  const scope = input.source === 'cloudtrail' ? 'added-rules' : 'group';
  const { addedRules } = resource;
  const rules: SecurityGroupRule[] = [];
  const alreadyGone: IngressRule[] = [];
  const leftAlone: IngressRule[] = [];
  if (scope === 'group') {
    rules.push(...ingress.filter((rule) => open.has(rule.SecurityGroupRuleId)));
  } else {
    for (const added of addedRules) {
      const found = ingress.find((rule) =>
        added.ruleId ? rule.SecurityGroupRuleId === added.ruleId : sameRule(added, asIngressRule(rule)),
      );
      if (found && open.has(found.SecurityGroupRuleId)) {
        if (!rules.includes(found)) rules.push(found);
      } else if (!found && openRules([...current, added]).includes(added)) alreadyGone.push(added);
      else leftAlone.push(added);
    }
  }
  const ruleIds = rules.map((rule) => rule.SecurityGroupRuleId);
  return {
    groupId,
    scope,
    ports,
    ...(authorizedPorts && { authorizedPorts }),
    ruleIds,
    groups: ruleIds.length > 0 ? [{ groupId, ruleIds }] : [],
    rules,
    count: ruleIds.length,
    alreadyGone,
    leftAlone,
  };
}

type ProbedInstance = z.infer<typeof ProbedInstanceSchema>;
const isProbedInstance = (resource: IngressRevocationInput['resource']): resource is ProbedInstance =>
  resource.kind === 'Instance' && 'probedPorts' in resource;

/**
 * An instance's port probed from the internet (Recon:EC2/PortProbe*): the world-open ingress
 * rules of its security groups that admit one of the probed ports, or every port (`-1`), and no
 * other rule. The groups of an instance are judged together, as EC2 aggregates them
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). GuardDuty names
 * the port, not the protocol: TCP and UDP rules on it both count. The policy's `ports` do not
 * apply: the finding names the ports.
 */
function planProbedPortRevocation(
  instance: ProbedInstance,
  described: IngressRevocationInput['described'],
): IngressRevocationPlan {
  const groupIds = instance.securityGroupIds;
  const ports = [...instance.probedPorts, -1];
  const ingress = (described.SecurityGroupRules ?? []).filter(
    (rule) => rule.IsEgress !== true && rule.GroupId !== undefined && groupIds.includes(rule.GroupId),
  );
  const open = new Set(worldOpenRules(ingress.map(asIngressRule), ports).map((rule) => rule.ruleId));
  const rules = ingress.filter((rule) => open.has(rule.SecurityGroupRuleId));
  const groups = groupIds.flatMap((groupId) => {
    const ruleIds = rules.filter((rule) => rule.GroupId === groupId).map((rule) => rule.SecurityGroupRuleId);
    return ruleIds.length > 0 ? [{ groupId, ruleIds }] : [];
  });
  const ruleIds = groups.flatMap((group) => group.ruleIds);
  return {
    scope: 'probed-ports',
    ports,
    ruleIds,
    groups,
    rules: groups.flatMap((group) => rules.filter((rule) => rule.GroupId === group.groupId)),
    count: ruleIds.length,
    alreadyGone: [],
    leftAlone: [],
  };
}

/** Validate the planner's input, naming every offending field. */
export function parseIngressRevocationInput(event: unknown): IngressRevocationInput {
  const parsed = IngressRevocationInputSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.join('.') || 'input';
    if (at !== 'resource' || issue.code !== 'invalid_union') return [`${at}: ${issue.message}`];
    // Name the fields of the resource it was meant to be (an instance or a group), not just "resource".
    const resource = (event as { resource?: { kind?: unknown } }).resource;
    const schema = resource?.kind === 'Instance' ? ProbedInstanceSchema : GroupResourceSchema;
    const meant = schema.safeParse(resource);
    return meant.success
      ? [`${at}: ${issue.message}`]
      : meant.error.issues.map((inner) => `resource.${inner.path.join('.')}: ${inner.message}`);
  });
  throw new IngressRevocationInputError(`invalid ingress revocation input: ${issues.join('; ')}`, {
    cause: parsed.error,
  });
}
