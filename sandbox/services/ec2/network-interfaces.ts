import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
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

function createNetworkInterface({ input, params, state }: Ec2Context) {
  const subnet = requireOne(state, KINDS.subnet, params.required('SubnetId'));
  const eni = createNetworkInterfaceRecord(state, {
    subnet,
    groupIds: params.list('SecurityGroupId'),
    description: params.string('Description'),
    privateIpAddress: params.string('PrivateIpAddress'),
  });
  applyTagSpecifications(state, eni.networkInterfaceId, 'network-interface', readTagSpecifications(input));
  return { networkInterface: networkInterfaceView(state, eni), clientToken: params.string('ClientToken') };
}

function attachNetworkInterface({ params, state, now }: Ec2Context) {
  const eni = requireOne(state, KINDS.networkInterface, params.required('NetworkInterfaceId'));
  const instance = requireOne(state, KINDS.instance, params.required('InstanceId'));
  const deviceIndex = params.requiredInt('DeviceIndex');
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
  return { attachmentId: attachment.attachmentId, networkCardIndex: 0 };
}

function describeNetworkInterfaces({ input, params, state }: Ec2Context) {
  const ids = params.list('NetworkInterfaceId');
  const scope =
    ids.length > 0 ? requireAll(state, KINDS.networkInterface, ids) : state.networkInterfaces.values();
  const filtered = applyFilters(state, scope, (e) => e.networkInterfaceId, readFilters(input), ENI_FILTERS);
  const page = paginate(filtered, input);
  return {
    networkInterfaceSet: page.items.map((eni) => networkInterfaceView(state, eni)),
    nextToken: page.nextToken,
  };
}

/**
 * Change one attribute of an ENI. `SecurityGroupId.N` replaces the ENI's whole group list:
 * this is how an instance's groups change per interface.
 */
function modifyNetworkInterfaceAttribute({ params, state }: Ec2Context) {
  const eni = requireOne(state, KINDS.networkInterface, params.required('NetworkInterfaceId'));
  const groupIds = params.list('SecurityGroupId');
  if (groupIds.length > 0) {
    eni.groupIds = requireGroupsInVpc(state, groupIds, eni.vpcId, eni.subnetId);
  } else if (params.has('Description')) {
    eni.description = params.string('Description.Value') ?? '';
  } else if (params.has('SourceDestCheck')) {
    eni.sourceDestCheck = params.bool('SourceDestCheck.Value') ?? eni.sourceDestCheck;
  } else if (params.has('Attachment')) {
    const attachmentId = params.required('Attachment.AttachmentId');
    if (eni.attachment?.attachmentId !== attachmentId) {
      throw new AwsError(
        'InvalidAttachmentID.NotFound',
        `The attachment ID '${attachmentId}' does not exist`,
      );
    }
    eni.attachment.deleteOnTermination = params.bool('Attachment.DeleteOnTermination') ?? false;
  } else {
    throw new AwsError('MissingParameter', 'You must specify an attribute to modify.');
  }
  return { return: true };
}

function deleteNetworkInterface({ params, state }: Ec2Context) {
  const eni = requireOne(state, KINDS.networkInterface, params.required('NetworkInterfaceId'));
  if (eni.attachment) {
    throw new AwsError(
      'InvalidNetworkInterface.InUse',
      `The network interface '${eni.networkInterfaceId}' is currently in use.`,
    );
  }
  state.forget(eni.networkInterfaceId, state.networkInterfaces);
  return { return: true };
}

/** Create/Attach/Describe/Delete NetworkInterface(s) and ModifyNetworkInterfaceAttribute. */
export const networkInterfaceOperations: Ec2Operations = {
  CreateNetworkInterface: createNetworkInterface,
  AttachNetworkInterface: attachNetworkInterface,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  ModifyNetworkInterfaceAttribute: modifyNetworkInterfaceAttribute,
  DeleteNetworkInterface: deleteNetworkInterface,
};
