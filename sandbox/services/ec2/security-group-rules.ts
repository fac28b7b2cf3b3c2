import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Handler, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { readRequestedRules } from './ip-permissions.ts';
import { assertWellFormed, KINDS, requireAll, requireOne } from './lookups.ts';
import type { SecurityGroupRule } from './resources.ts';
import {
  addRule,
  describeRule,
  permissionsView,
  type RuleSpec,
  ruleKey,
  rulesOf,
  ruleView,
} from './security-group-records.ts';
import { requireNamedGroup } from './security-groups.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/**
 * Authorize rules all-or-nothing: if any requested rule already exists (or is requested
 * twice), EC2 answers `InvalidPermission.Duplicate` and adds none.
 */
function authorize(isEgress: boolean): Ec2Handler {
  return ({ input, state }: Ec2Context) => {
    const group = isEgress
      ? requireOne(state, KINDS.securityGroup, requiredMember(input, 'GroupId'))
      : requireNamedGroup(state, input);
    const requested = readRequestedRules(state, group, isEgress, input);
    if (requested.length === 0) throw new AwsError('MissingParameter', 'No permissions were specified.');
    const seen = new Set(rulesOf(state, group.groupId, isEgress).map(ruleKey));
    for (const spec of requested) {
      if (seen.has(ruleKey(spec))) {
        throw new AwsError(
          'InvalidPermission.Duplicate',
          `the specified rule "${describeRule(spec)}" already exists`,
        );
      }
      seen.add(ruleKey(spec));
    }
    const tagSpecs = readTagSpecifications(input);
    const added = requested.map((spec) => {
      const rule = addRule(state, spec);
      applyTagSpecifications(state, rule.ruleId, 'security-group-rule', tagSpecs);
      return rule;
    });
    return { return: true, securityGroupRuleSet: added.map((rule) => ruleView(state, rule)) };
  };
}

function revokedView(rule: SecurityGroupRule) {
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: rule.groupId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    cidrIpv6: rule.cidrIpv6,
    prefixListId: rule.prefixListId,
    referencedGroupId: rule.referencedGroupId,
    description: rule.description,
  };
}

/**
 * Revoke by `SecurityGroupRuleId.N` (each must be a rule of this group and direction) or by
 * rule properties. Properties that match no rule fail the whole request with
 * `InvalidPermission.NotFound` in a non-default VPC; in the default VPC EC2 revokes what
 * matches and lists the rest as `unknownIpPermissionSet`.
 */
function revoke(isEgress: boolean): Ec2Handler {
  return ({ input, state }: Ec2Context) => {
    const group = isEgress
      ? requireOne(state, KINDS.securityGroup, requiredMember(input, 'GroupId'))
      : requireNamedGroup(state, input);
    const ruleIds: string[] = input.SecurityGroupRuleIds ?? [];
    const existing = rulesOf(state, group.groupId, isEgress);
    let revoked: SecurityGroupRule[];
    let unknown: RuleSpec[] = [];
    if (ruleIds.length > 0) {
      assertWellFormed(KINDS.securityGroupRule, ruleIds);
      const missing = ruleIds.filter((id) => !existing.some((rule) => rule.ruleId === id));
      if (missing.length > 0) {
        throw new AwsError(
          KINDS.securityGroupRule.notFoundCode,
          KINDS.securityGroupRule.notFoundMessage(missing),
        );
      }
      revoked = existing.filter((rule) => ruleIds.includes(rule.ruleId));
    } else {
      const requested = readRequestedRules(state, group, isEgress, input);
      if (requested.length === 0) throw new AwsError('MissingParameter', 'No permissions were specified.');
      const byKey = new Map(existing.map((rule) => [ruleKey(rule), rule]));
      revoked = requested.flatMap((spec) => byKey.get(ruleKey(spec)) ?? []);
      unknown = requested.filter((spec) => !byKey.has(ruleKey(spec)));
      const inDefaultVpc = state.vpcs.get(group.vpcId)?.isDefault ?? false;
      if (unknown.length > 0 && !inDefaultVpc) {
        throw new AwsError(
          'InvalidPermission.NotFound',
          'The specified rule does not exist in this security group.',
        );
      }
    }
    for (const rule of revoked) state.forget(rule.ruleId, state.securityGroupRules);
    return {
      return: true,
      unknownIpPermissionSet: unknown.length > 0 ? permissionsView(state, unknown) : undefined,
      revokedSecurityGroupRuleSet: revoked.map(revokedView),
    };
  };
}

/**
 * DescribeSecurityGroupRules documents `group-id`, `security-group-rule-id` and `tag:<key>`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html).
 */
const RULE_TAG_FILTERS: readonly TagFilter[] = ['tag:'];
const RULE_FILTERS: FilterFields<SecurityGroupRule> = {
  'group-id': (r) => r.groupId,
  'security-group-rule-id': (r) => r.ruleId,
};

function describeSecurityGroupRules({ input, state }: Ec2Context) {
  const ids: string[] = input.SecurityGroupRuleIds ?? [];
  const scope =
    ids.length > 0 ? requireAll(state, KINDS.securityGroupRule, ids) : state.securityGroupRules.values();
  const filtered = applyFilters(
    state,
    scope,
    (r) => r.ruleId,
    readFilters(input),
    RULE_FILTERS,
    RULE_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  return { securityGroupRuleSet: page.items.map((rule) => ruleView(state, rule)), nextToken: page.nextToken };
}

/** Authorize/Revoke SecurityGroup Ingress/Egress and DescribeSecurityGroupRules. */
export const securityGroupRuleOperations: Ec2Operations = {
  AuthorizeSecurityGroupIngress: authorize(false),
  AuthorizeSecurityGroupEgress: authorize(true),
  RevokeSecurityGroupIngress: revoke(false),
  RevokeSecurityGroupEgress: revoke(true),
  DescribeSecurityGroupRules: describeSecurityGroupRules,
};
