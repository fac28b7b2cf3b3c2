import type {
  AttachNetworkInterfaceRequest,
  CreateNetworkInterfaceRequest,
  DeleteNetworkInterfaceRequest,
  DescribeNetworkInterfacesRequest,
  ModifyNetworkInterfaceAttributeRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import {
  attachNetworkInterfaceRecord,
  createNetworkInterfaceRecord,
  networkInterfaceView,
  requireGroupsInVpc,
} from './network-interface-records.ts';
import type { NetworkInterface } from './resources.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

const ENI_FILTERS: FilterFields<NetworkInterface> = {
  'network-interface-id': (e) => e.networkInterfaceId,
  'attachment.instance-id': (e) => e.attachment?.instanceId,
  'attachment.attachment-id': (e) => e.attachment?.attachmentId,
  'attachment.device-index': (e) => e.attachment?.deviceIndex,
  'attachment.status': (e) => (e.attachment ? 'attached' : undefined),
  'availability-zone': (e) => e.availabilityZone,
  'group-id': (e) => e.groupIds,
  'private-ip-address': (e) => e.privateIpAddress,
  status: (e) => (e.attachment ? 'in-use' : 'available'),
  'subnet-id': (e) => e.subnetId,
  'vpc-id': (e) => e.vpcId,
};

function createNetworkInterface({ input, state }: Ec2Context) {
  const request = input as CreateNetworkInterfaceRequest;
  const subnet = requireOne(state, KINDS.subnet, requiredMember(request, 'SubnetId'));
  const eni = createNetworkInterfaceRecord(state, {
    subnet,
    groupIds: request.Groups ?? [],
    description: request.Description,
    privateIpAddress: request.PrivateIpAddress,
  });
  applyTagSpecifications(state, eni.networkInterfaceId, 'network-interface', readTagSpecifications(request));
  return { NetworkInterface: networkInterfaceView(state, eni), ClientToken: request.ClientToken };
}

function attachNetworkInterface({ input, state, now }: Ec2Context) {
  const request = input as AttachNetworkInterfaceRequest;
  const eni = requireOne(state, KINDS.networkInterface, requiredMember(request, 'NetworkInterfaceId'));
  const instance = requireOne(state, KINDS.instance, requiredMember(request, 'InstanceId'));
  const deviceIndex = request.DeviceIndex;
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' is not in a valid state for this operation.`,
    );
  }
  if (eni.vpcId !== instance.vpcId) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The network interface and the instance are in different VPCs.',
    );
  }
  // Interfaces attached after launch stay behind when the instance terminates (AWS default).
  const attachment = attachNetworkInterfaceRecord(
    state,
    eni,
    instance.instanceId,
    deviceIndex ?? 1,
    false,
    now,
  );
  return { AttachmentId: attachment.attachmentId, NetworkCardIndex: 0 };
}

function describeNetworkInterfaces({ input, state }: Ec2Context) {
  const ids = (input as DescribeNetworkInterfacesRequest).NetworkInterfaceIds ?? [];
  const scope =
    ids.length > 0 ? requireAll(state, KINDS.networkInterface, ids) : state.networkInterfaces.values();
  const filtered = applyFilters(state, scope, (e) => e.networkInterfaceId, readFilters(input), ENI_FILTERS);
  const page = paginate(filtered, input);
  return {
    NetworkInterfaces: page.items.map((eni) => networkInterfaceView(state, eni)),
    NextToken: page.nextToken,
  };
}

/**
 * Change one attribute of an ENI. `SecurityGroupId.N` replaces the ENI's whole group list:
 * this is how an instance's groups change per interface.
 */
function modifyNetworkInterfaceAttribute({ input, state }: Ec2Context) {
  const request = input as ModifyNetworkInterfaceAttributeRequest;
  const eni = requireOne(state, KINDS.networkInterface, requiredMember(request, 'NetworkInterfaceId'));
  const groupIds = request.Groups ?? [];
  if (groupIds.length > 0) {
    eni.groupIds = requireGroupsInVpc(state, groupIds, eni.vpcId, eni.subnetId);
  } else if (request.Description) {
    eni.description = request.Description.Value ?? '';
  } else if (request.SourceDestCheck) {
    eni.sourceDestCheck = request.SourceDestCheck.Value ?? eni.sourceDestCheck;
  } else if (request.Attachment) {
    const attachmentId = requiredMember(request.Attachment, 'AttachmentId', 'Attachment.AttachmentId');
    if (eni.attachment?.attachmentId !== attachmentId) {
      throw new AwsError(
        'InvalidAttachmentID.NotFound',
        `The attachment ID '${attachmentId}' does not exist`,
      );
    }
    eni.attachment.deleteOnTermination = request.Attachment.DeleteOnTermination ?? false;
  } else {
    throw new AwsError('MissingParameter', 'You must specify an attribute to modify.');
  }
  return { Return: true };
}

function deleteNetworkInterface({ input, state }: Ec2Context) {
  const request = input as DeleteNetworkInterfaceRequest;
  const eni = requireOne(state, KINDS.networkInterface, requiredMember(request, 'NetworkInterfaceId'));
  if (eni.attachment) {
    throw new AwsError(
      'InvalidNetworkInterface.InUse',
      `The network interface '${eni.networkInterfaceId}' is currently in use.`,
    );
  }
  state.forget(eni.networkInterfaceId, state.networkInterfaces);
  return { Return: true };
}

/** Create/Attach/Describe/Delete NetworkInterface(s) and ModifyNetworkInterfaceAttribute. */
export const networkInterfaceOperations: Ec2Operations = {
  CreateNetworkInterface: createNetworkInterface,
  AttachNetworkInterface: attachNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
  DeleteNetworkInterface: deleteNetworkInterface,
};
