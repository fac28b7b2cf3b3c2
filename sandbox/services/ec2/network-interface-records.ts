import { AwsError } from '../../protocol.ts';
import { newEc2Id, newMacAddress } from './ids.ts';
import { hostAddress, parseIpv4Cidr, privateDnsName } from './ipv4.ts';
import { KINDS, requireAll } from './lookups.ts';
import type { NetworkInterface, NetworkInterfaceAttachment, Subnet } from './resources.ts';
import { findGroupByName } from './security-group-records.ts';
import type { Ec2State } from './state.ts';

/**
 * The groups named for an ENI in `vpcId`: each must exist and belong to that VPC, since a
 * security group only applies within its own network. Without groups, the VPC's default.
 */
export function requireGroupsInVpc(
  state: Ec2State,
  groupIds: readonly string[],
  vpcId: string,
  subnetId: string,
): string[] {
  if (groupIds.length === 0) {
    const fallback = findGroupByName(state, vpcId, 'default');
    return fallback ? [fallback.groupId] : [];
  }
  for (const group of requireAll(state, KINDS.securityGroup, groupIds)) {
    if (group.vpcId !== vpcId) {
      throw new AwsError(
        'InvalidParameter',
        `Security group ${group.groupId} and subnet ${subnetId} belong to different networks.`,
      );
    }
  }
  return [...new Set(groupIds)];
}

/** Create an ENI in a subnet, with the next free private address unless one is given. */
export function createNetworkInterfaceRecord(
  state: Ec2State,
  input: { subnet: Subnet; groupIds: readonly string[]; description?: string; privateIpAddress?: string },
): NetworkInterface {
  const { subnet } = input;
  const groupIds = requireGroupsInVpc(state, input.groupIds, subnet.vpcId, subnet.subnetId);
  const address = input.privateIpAddress ?? hostAddress(parseIpv4Cidr(subnet.cidrBlock), subnet.allocated);
  subnet.allocated += 1;
  const eni: NetworkInterface = {
    networkInterfaceId: newEc2Id('eni'),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: input.description ?? '',
    macAddress: newMacAddress(),
    privateIpAddress: address,
    sourceDestCheck: true,
    groupIds,
  };
  state.networkInterfaces.set(eni.networkInterfaceId, eni);
  return eni;
}

/** Attach an ENI at a device index; each index of an instance holds one ENI. */
export function attachNetworkInterfaceRecord(
  state: Ec2State,
  eni: NetworkInterface,
  instanceId: string,
  deviceIndex: number,
  deleteOnTermination: boolean,
  now: Date,
): NetworkInterfaceAttachment {
  if (eni.attachment) {
    throw new AwsError('InvalidNetworkInterface.InUse', `Interface: [${eni.networkInterfaceId}] in use.`);
  }
  if (state.interfacesOf(instanceId).some((other) => other.attachment?.deviceIndex === deviceIndex)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Instance '${instanceId}' already has an interface attached at device index '${deviceIndex}'.`,
    );
  }
  eni.attachment = {
    attachmentId: newEc2Id('eni-attach'),
    instanceId,
    deviceIndex,
    attachTime: now,
    deleteOnTermination,
  };
  return eni.attachment;
}

/** The `groupSet` of an ENI: id and name of each group. */
export function groupSetView(state: Ec2State, groupIds: readonly string[]) {
  return groupIds.map((groupId) => ({
    GroupId: groupId,
    GroupName: state.securityGroups.get(groupId)?.groupName,
  }));
}

/** Fields shared by the instance's and DescribeNetworkInterfaces' view of an ENI. */
function commonView(state: Ec2State, eni: NetworkInterface) {
  const dnsName = privateDnsName(eni.privateIpAddress, state.region);
  return {
    NetworkInterfaceId: eni.networkInterfaceId,
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    Description: eni.description,
    OwnerId: state.accountId,
    Status: eni.attachment ? 'in-use' : 'available',
    MacAddress: eni.macAddress,
    PrivateIpAddress: eni.privateIpAddress,
    PrivateDnsName: dnsName,
    SourceDestCheck: eni.sourceDestCheck,
    Groups: groupSetView(state, eni.groupIds),
    PrivateIpAddresses: [{ PrivateIpAddress: eni.privateIpAddress, PrivateDnsName: dnsName, Primary: true }],
    InterfaceType: 'interface',
  };
}

/** An ENI as it appears inside an instance (`networkInterfaceSet`). */
export function instanceNetworkInterfaceView(state: Ec2State, eni: NetworkInterface) {
  const a = eni.attachment;
  return {
    ...commonView(state, eni),
    Attachment: a && {
      AttachmentId: a.attachmentId,
      DeviceIndex: a.deviceIndex,
      Status: 'attached',
      AttachTime: a.attachTime,
      DeleteOnTermination: a.deleteOnTermination,
      NetworkCardIndex: 0,
    },
  };
}

/** An ENI as DescribeNetworkInterfaces and CreateNetworkInterface return it. */
export function networkInterfaceView(state: Ec2State, eni: NetworkInterface) {
  const a = eni.attachment;
  return {
    ...commonView(state, eni),
    AvailabilityZone: eni.availabilityZone,
    RequesterManaged: false,
    Attachment: a && {
      AttachmentId: a.attachmentId,
      InstanceId: a.instanceId,
      InstanceOwnerId: state.accountId,
      DeviceIndex: a.deviceIndex,
      Status: 'attached',
      AttachTime: a.attachTime,
      DeleteOnTermination: a.deleteOnTermination,
      NetworkCardIndex: 0,
    },
    TagSet: state.tagSet(eni.networkInterfaceId),
  };
}
