import type { ModifySecurityGroupRulesRequest } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { normalizeProtocol, portRange } from './ip-permissions.ts';
import { assertWellFormed, KINDS, requireOne } from './lookups.ts';
import { ruleKey } from './security-group-records.ts';

/**
 * ModifySecurityGroupRules: replace rules of a group in place, each named by its `sgr-` id
 * (`SecurityGroupRule.N.SecurityGroupRuleId`, the new content in `SecurityGroupRule.N.SecurityGroupRule`).
 * A rule keeps its id and direction; the request names one peer (CIDR, prefix list or group).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 */
function modifySecurityGroupRules({ input, state }: Ec2Context) {
  const request = input as ModifySecurityGroupRulesRequest;
  const group = requireOne(state, KINDS.securityGroup, requiredMember(request, 'GroupId'));
  const updates = request.SecurityGroupRules ?? [];
  if (updates.length === 0)
    throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRule');
  const ids = updates.map((u, i) =>
    requiredMember(u, 'SecurityGroupRuleId', `SecurityGroupRule.${i + 1}.SecurityGroupRuleId`),
  );
  assertWellFormed(KINDS.securityGroupRule, ids);
  const rules = ids.map((id) => {
    const rule = state.securityGroupRules.get(id);
    if (!rule || rule.groupId !== group.groupId)
      throw new AwsError(KINDS.securityGroupRule.notFoundCode, KINDS.securityGroupRule.notFoundMessage([id]));
    return rule;
  });
  const changed = updates.map((update, index) => {
    const rule = rules[index] as (typeof rules)[number];
    const content = update.SecurityGroupRule ?? {};
    const ipProtocol = normalizeProtocol(
      requiredMember(content, 'IpProtocol', `SecurityGroupRule.${index + 1}.SecurityGroupRule.IpProtocol`),
    );
    const [fromPort, toPort] = portRange(ipProtocol, content.FromPort, content.ToPort);
    const peer = {
      cidrIpv4: content.CidrIpv4,
      cidrIpv6: content.CidrIpv6,
      prefixListId: content.PrefixListId,
      referencedGroupId: content.ReferencedGroupId,
    };
    if (Object.values(peer).filter((v) => v !== undefined).length !== 1)
      throw new AwsError('InvalidParameterCombination', 'A security group rule must name exactly one peer.');
    return {
      ...rule,
      ipProtocol,
      fromPort,
      toPort,
      ...peer,
      referencedUserId: peer.referencedGroupId ? state.accountId : undefined,
      description: content.Description,
    };
  });
  // The new content may not duplicate another rule of the group in the same direction.
  const others = [...state.securityGroupRules.values()].filter(
    (r) => r.groupId === group.groupId && !ids.includes(r.ruleId),
  );
  const seen = new Set(others.map(ruleKey));
  for (const rule of changed) {
    if (seen.has(ruleKey(rule)))
      throw new AwsError('InvalidPermission.Duplicate', 'the specified rule already exists');
    seen.add(ruleKey(rule));
  }
  for (const rule of changed) state.securityGroupRules.set(rule.ruleId, rule);
  return { Return: true };
}

export const modifySecurityGroupRuleOperations: Ec2Operations = {
  ModifySecurityGroupRules: modifySecurityGroupRules,
};
