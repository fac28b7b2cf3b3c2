import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { SecurityGroup, SecurityGroupRule } from './resources.ts';
import {
  createSecurityGroupRecord,
  defaultVpcId,
  findGroupByName,
  permissionsView,
  rulesOf,
} from './security-group-records.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/** The group called `name` in the default VPC: the only VPC where EC2 resolves groups by name. */
function requireDefaultVpcGroup(state: Ec2State, name: string): SecurityGroup {
  const vpcId = defaultVpcId(state) ?? '';
  const group = findGroupByName(state, vpcId, name);
  if (!group) {
    throw new AwsError(
      'InvalidGroup.NotFound',
      `The security group '${name}' does not exist in default VPC '${vpcId}'`,
    );
  }
  return group;
}

/** The group a request names by `GroupId`, or by `GroupName` (default VPC only). */
export function requireNamedGroup(
  state: Ec2State,
  input: { GroupId?: string; GroupName?: string },
): SecurityGroup {
  const id = input.GroupId;
  return id
    ? requireOne(state, KINDS.securityGroup, id)
    : requireDefaultVpcGroup(state, requiredMember(input, 'GroupName'));
}

function groupView(state: Ec2State, group: SecurityGroup) {
  return {
    ownerId: state.accountId,
    groupName: group.groupName,
    groupDescription: group.description,
    groupId: group.groupId,
    ipPermissions: permissionsView(state, rulesOf(state, group.groupId, false)),
    ipPermissionsEgress: permissionsView(state, rulesOf(state, group.groupId, true)),
    vpcId: group.vpcId,
    securityGroupArn: `arn:aws:ec2:${state.region}:${state.accountId}:security-group/${group.groupId}`,
    tagSet: state.tagSet(group.groupId),
  };
}

/** Filters on the group's rules see each rule's own values (any rule may match). */
function ruleValues(
  state: Ec2State,
  isEgress: boolean,
  pick: (rule: SecurityGroupRule) => string | number | undefined,
) {
  return (g: SecurityGroup) => rulesOf(state, g.groupId, isEgress).map((rule) => pick(rule)?.toString());
}

/** DescribeSecurityGroups documents `tag:<key>` and `tag-key` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html). */
const GROUP_TAG_FILTERS: readonly TagFilter[] = ['tag:', 'tag-key'];

/** The documented filters of DescribeSecurityGroups the sandbox evaluates (same page). */
function groupFilters(state: Ec2State): FilterFields<SecurityGroup> {
  return {
    'group-id': (g) => g.groupId,
    'group-name': (g) => g.groupName,
    description: (g) => g.description,
    'vpc-id': (g) => g.vpcId,
    'owner-id': () => state.accountId,
    'ip-permission.cidr': ruleValues(state, false, (r) => r.cidrIpv4),
    'ip-permission.ipv6-cidr': ruleValues(state, false, (r) => r.cidrIpv6),
    'ip-permission.from-port': ruleValues(state, false, (r) => r.fromPort),
    'ip-permission.to-port': ruleValues(state, false, (r) => r.toPort),
    'ip-permission.protocol': ruleValues(state, false, (r) => r.ipProtocol),
    'ip-permission.group-id': ruleValues(state, false, (r) => r.referencedGroupId),
    'egress.ip-permission.cidr': ruleValues(state, true, (r) => r.cidrIpv4),
  };
}

function createSecurityGroup({ input, state }: Ec2Context) {
  const groupName = requiredMember(input, 'GroupName');
  const description = requiredMember(input, 'Description', 'GroupDescription');
  const vpcId = input.VpcId ?? defaultVpcId(state);
  if (!vpcId) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
  requireOne(state, KINDS.vpc, vpcId);
  if (groupName === 'default') {
    throw new AwsError('InvalidGroup.Reserved', "The security group 'default' is reserved");
  }
  if (groupName.startsWith('sg-')) {
    throw new AwsError('InvalidParameterValue', 'Group names may not be in the format sg-*.');
  }
  if (findGroupByName(state, vpcId, groupName)) {
    throw new AwsError(
      'InvalidGroup.Duplicate',
      `The security group '${groupName}' already exists for VPC '${vpcId}'`,
    );
  }
  const group = createSecurityGroupRecord(state, { vpcId, groupName, description });
  applyTagSpecifications(state, group.groupId, 'security-group', readTagSpecifications(input));
  return {
    groupId: group.groupId,
    securityGroupArn: groupView(state, group).securityGroupArn,
    tagSet: state.tagSet(group.groupId),
  };
}

function describeSecurityGroups({ input, state }: Ec2Context) {
  const ids: string[] = input.GroupIds ?? [];
  const names: string[] = input.GroupNames ?? [];
  let scope: Iterable<SecurityGroup> = state.securityGroups.values();
  if (ids.length > 0) scope = requireAll(state, KINDS.securityGroup, ids);
  if (names.length > 0) scope = names.map((name) => requireDefaultVpcGroup(state, name));
  const filtered = applyFilters(
    state,
    scope,
    (g) => g.groupId,
    readFilters(input),
    groupFilters(state),
    GROUP_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  return { securityGroupInfo: page.items.map((g) => groupView(state, g)), nextToken: page.nextToken };
}

function deleteSecurityGroup({ input, state }: Ec2Context) {
  const group = requireNamedGroup(state, input);
  if (group.groupName === 'default') {
    throw new AwsError(
      'CannotDelete',
      `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
    );
  }
  // A group still on an ENI, or named as the peer of another group's rule, cannot go.
  const inUse =
    [...state.networkInterfaces.values()].some((eni) => eni.groupIds.includes(group.groupId)) ||
    [...state.securityGroupRules.values()].some(
      (r) => r.referencedGroupId === group.groupId && r.groupId !== group.groupId,
    );
  if (inUse) throw new AwsError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
  for (const rule of [...state.securityGroupRules.values()]) {
    if (rule.groupId === group.groupId) state.forget(rule.ruleId, state.securityGroupRules);
  }
  state.forget(group.groupId, state.securityGroups);
  return { return: true, groupId: group.groupId };
}

/** CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup. */
export const securityGroupOperations: Ec2Operations = {
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  DeleteSecurityGroup: deleteSecurityGroup,
};
