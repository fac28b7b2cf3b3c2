import { newEc2Id } from './ids.ts';
import type { SecurityGroup, SecurityGroupRule } from './resources.ts';
import type { Ec2State } from './state.ts';

/** A rule as requested: everything but its id. */
export type RuleSpec = Omit<SecurityGroupRule, 'ruleId'>;

/** Add a rule to a group and return it with its new `sgr-` id. */
export function addRule(state: Ec2State, spec: RuleSpec): SecurityGroupRule {
  const rule: SecurityGroupRule = { ruleId: newEc2Id('sgr'), ...spec };
  state.securityGroupRules.set(rule.ruleId, rule);
  return rule;
}

/**
 * Create a security group as AWS does: with one egress rule allowing all traffic to
 * 0.0.0.0/0, and for a VPC's `default` group also all ingress from members of the group.
 */
export function createSecurityGroupRecord(
  state: Ec2State,
  input: { vpcId: string; groupName: string; description: string },
): SecurityGroup {
  const group: SecurityGroup = { groupId: newEc2Id('sg'), ...input };
  state.securityGroups.set(group.groupId, group);
  const allTraffic = { groupId: group.groupId, ipProtocol: '-1', fromPort: -1, toPort: -1 };
  addRule(state, { ...allTraffic, isEgress: true, cidrIpv4: '0.0.0.0/0' });
  if (group.groupName === 'default') {
    addRule(state, {
      ...allTraffic,
      isEgress: false,
      referencedGroupId: group.groupId,
      referencedUserId: state.accountId,
    });
  }
  return group;
}

/** The group named `name` in `vpcId`. */
export function findGroupByName(state: Ec2State, vpcId: string, name: string): SecurityGroup | undefined {
  return [...state.securityGroups.values()].find((g) => g.vpcId === vpcId && g.groupName === name);
}

/** The VPC every account starts with; requests that name no VPC act in it. */
export function defaultVpcId(state: Ec2State): string | undefined {
  return [...state.vpcs.values()].find((vpc) => vpc.isDefault)?.vpcId;
}

/** The rules of a group in one direction, oldest first. */
export function rulesOf(state: Ec2State, groupId: string, isEgress: boolean): SecurityGroupRule[] {
  return [...state.securityGroupRules.values()].filter(
    (r) => r.groupId === groupId && r.isEgress === isEgress,
  );
}

/** What makes two rules the same rule: direction, protocol, ports and peer (not the description). */
export function ruleKey(rule: RuleSpec): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroupId ?? '';
  return [rule.isEgress, rule.ipProtocol, rule.fromPort, rule.toPort, peer].join('|');
}

/** How EC2 describes a rule in `InvalidPermission.*` messages. */
export function describeRule(rule: RuleSpec): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.prefixListId ?? rule.referencedGroupId ?? '';
  const ports =
    rule.ipProtocol === '-1'
      ? 'ALL'
      : `${rule.ipProtocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${peer}, ${ports}, ALLOW`;
}

/** A rule as DescribeSecurityGroupRules and Authorize* return it. */
export function ruleView(state: Ec2State, rule: SecurityGroupRule) {
  return {
    SecurityGroupRuleId: rule.ruleId,
    GroupId: rule.groupId,
    GroupOwnerId: state.accountId,
    IsEgress: rule.isEgress,
    IpProtocol: rule.ipProtocol,
    FromPort: rule.fromPort,
    ToPort: rule.toPort,
    CidrIpv4: rule.cidrIpv4,
    CidrIpv6: rule.cidrIpv6,
    PrefixListId: rule.prefixListId,
    ReferencedGroupInfo: rule.referencedGroupId
      ? { GroupId: rule.referencedGroupId, UserId: rule.referencedUserId ?? state.accountId }
      : undefined,
    Description: rule.description,
    Tags: state.tagSet(rule.ruleId),
    SecurityGroupRuleArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group-rule/${rule.ruleId}`,
  };
}

/**
 * Rules folded into the `IpPermissions` shape DescribeSecurityGroups returns: one entry per
 * protocol and port range, listing every peer that rule allows. Ports are omitted for
 * protocol -1, as EC2 does.
 */
export function permissionsView(state: Ec2State, rules: readonly RuleSpec[]) {
  const byRange = new Map<string, RuleSpec[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
    byRange.set(key, [...(byRange.get(key) ?? []), rule]);
  }
  return [...byRange.values()].map((group) => {
    const first = group[0] as RuleSpec;
    const allPorts = first.ipProtocol === '-1';
    return {
      IpProtocol: first.ipProtocol,
      FromPort: allPorts ? undefined : first.fromPort,
      ToPort: allPorts ? undefined : first.toPort,
      UserIdGroupPairs: group
        .filter((r) => r.referencedGroupId)
        .map((r) => ({
          GroupId: r.referencedGroupId,
          UserId: r.referencedUserId ?? state.accountId,
          Description: r.description,
        })),
      IpRanges: group
        .filter((r) => r.cidrIpv4)
        .map((r) => ({ CidrIp: r.cidrIpv4, Description: r.description })),
      Ipv6Ranges: group
        .filter((r) => r.cidrIpv6)
        .map((r) => ({ CidrIpv6: r.cidrIpv6, Description: r.description })),
      PrefixListIds: group
        .filter((r) => r.prefixListId)
        .map((r) => ({ PrefixListId: r.prefixListId, Description: r.description })),
    };
  });
}
