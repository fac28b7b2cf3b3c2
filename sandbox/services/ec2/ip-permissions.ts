import type { IpPermission, UserIdGroupPair } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';
import type { SecurityGroup } from './resources.ts';
import { findGroupByName, type RuleSpec } from './security-group-records.ts';
import type { Ec2State } from './state.ts';

/** EC2 stores the common protocols by name whether they were sent by name or number. */
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

export function normalizeProtocol(protocol: string): string {
  const lower = protocol.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** Ports of a rule: -1 for all-traffic rules; TCP and UDP need both ends of the range. */
export function portRange(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
): [number, number] {
  if (protocol === '-1') return [-1, -1];
  if ((protocol === 'tcp' || protocol === 'udp') && (from === undefined || to === undefined)) {
    throw new AwsError(
      'InvalidParameterValue',
      "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange",
    );
  }
  return [from ?? -1, to ?? -1];
}

/** The group a `Groups.M` peer names, by id or (within the VPC) by name. */
function referencedGroup(state: Ec2State, owner: SecurityGroup, peer: UserIdGroupPair): SecurityGroup {
  const id = peer.GroupId;
  if (id) return requireOne(state, KINDS.securityGroup, id);
  const name = requiredMember(peer, 'GroupName');
  const group = findGroupByName(state, owner.vpcId, name);
  if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
  return group;
}

function readPermission(
  state: Ec2State,
  group: SecurityGroup,
  isEgress: boolean,
  p: IpPermission,
): RuleSpec[] {
  const ipProtocol = normalizeProtocol(requiredMember(p, 'IpProtocol'));
  const [fromPort, toPort] = portRange(ipProtocol, p.FromPort, p.ToPort);
  const base = { groupId: group.groupId, isEgress, ipProtocol, fromPort, toPort };
  const rules: RuleSpec[] = [
    ...(p.IpRanges ?? []).map((r) => ({
      ...base,
      cidrIpv4: requiredMember(r, 'CidrIp'),
      description: r.Description,
    })),
    ...(p.Ipv6Ranges ?? []).map((r) => ({
      ...base,
      cidrIpv6: requiredMember(r, 'CidrIpv6'),
      description: r.Description,
    })),
    ...(p.PrefixListIds ?? []).map((r) => ({
      ...base,
      prefixListId: requiredMember(r, 'PrefixListId'),
      description: r.Description,
    })),
    // `Groups.M` on the wire.
    ...(p.UserIdGroupPairs ?? []).map((r) => ({
      ...base,
      referencedGroupId: referencedGroup(state, group, r).groupId,
      referencedUserId: r.UserId ?? state.accountId,
      description: r.Description,
    })),
  ];
  if (rules.length === 0) {
    throw new AwsError(
      'MissingParameter',
      'Each permission must name a source or destination: a CIDR range, a security group or a prefix list.',
    );
  }
  return rules;
}

/** The members of an Authorize/Revoke request that name rules (the flat ones ingress only). */
export interface RuleRequest {
  readonly IpPermissions?: IpPermission[];
  readonly CidrIp?: string;
  readonly SourceSecurityGroupName?: string;
  readonly IpProtocol?: string;
  readonly FromPort?: number;
  readonly ToPort?: number;
}

/**
 * The rules an Authorize/Revoke request names, one per peer: from `IpPermissions.N`, or
 * from the older flat parameters (`IpProtocol`, `FromPort`, `ToPort`, `CidrIp`,
 * `SourceSecurityGroupName`) that the CLI's shorthand options still send.
 */
export function readRequestedRules(
  state: Ec2State,
  group: SecurityGroup,
  isEgress: boolean,
  input: RuleRequest,
): RuleSpec[] {
  const permissions = input.IpPermissions ?? [];
  if (permissions.length > 0) return permissions.flatMap((p) => readPermission(state, group, isEgress, p));
  const cidr = input.CidrIp;
  const sourceName = input.SourceSecurityGroupName;
  if (!cidr && !sourceName) return [];
  const ipProtocol = normalizeProtocol(input.IpProtocol ?? '-1');
  const [fromPort, toPort] = portRange(ipProtocol, input.FromPort, input.ToPort);
  const base = { groupId: group.groupId, isEgress, ipProtocol, fromPort, toPort };
  if (cidr) return [{ ...base, cidrIpv4: cidr }];
  const source = findGroupByName(state, group.vpcId, sourceName as string);
  if (!source)
    throw new AwsError('InvalidGroup.NotFound', `The security group '${sourceName}' does not exist`);
  return [{ ...base, referencedGroupId: source.groupId, referencedUserId: state.accountId }];
}
