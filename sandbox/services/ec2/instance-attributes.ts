import type {
  DescribeInstanceAttributeRequest,
  InstanceBlockDeviceMappingSpecification,
  ModifyInstanceAttributeRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';
import { groupSetView, requireGroupsInVpc } from './network-interface-records.ts';
import type { Instance } from './resources.ts';
import type { Ec2State } from './state.ts';

/**
 * Replace the instance's security groups. EC2 only does this for single-interface
 * instances: with several ENIs the groups must be changed per interface.
 */
function replaceInstanceGroups(state: Ec2State, instance: Instance, groupIds: string[]): void {
  const interfaces = state.interfacesOf(instance.instanceId);
  if (interfaces.length > 1) {
    throw new AwsError(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID for the operation instead.`,
    );
  }
  const primary = interfaces[0];
  if (!primary)
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' has no network interface.`,
    );
  primary.groupIds = requireGroupsInVpc(state, groupIds, primary.vpcId, primary.subnetId);
}

/** `BlockDeviceMapping.N.Ebs.DeleteOnTermination` per device: decides whether a volume outlives the instance. */
function setDeleteOnTermination(
  state: Ec2State,
  instance: Instance,
  mappings: readonly InstanceBlockDeviceMappingSpecification[],
): void {
  for (const [i, mapping] of mappings.entries()) {
    const device = requiredMember(mapping, 'DeviceName', `BlockDeviceMapping.${i + 1}.DeviceName`);
    const volume = state.volumesOf(instance.instanceId).find((v) => v.attachment?.device === device);
    if (!volume?.attachment) {
      throw new AwsError('InvalidInstanceAttributeValue', `No device is currently mapped at ${device}`);
    }
    volume.attachment.deleteOnTermination =
      mapping.Ebs?.DeleteOnTermination ?? volume.attachment.deleteOnTermination;
  }
}

function setShutdownBehavior(instance: Instance, value: string): void {
  if (value !== 'stop' && value !== 'terminate') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${value}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  }
  instance.instanceInitiatedShutdownBehavior = value;
}

/** One attribute per call, in either the structured form (`X.Value`) or `Attribute`/`Value`. */
function modifyInstanceAttribute({ input, state }: Ec2Context) {
  const request = input as ModifyInstanceAttributeRequest;
  const instance = requireOne(state, KINDS.instance, requiredMember(request, 'InstanceId'));
  const attribute = request.Attribute;
  const value = request.Value;
  const groupIds = request.Groups ?? [];
  if (request.DisableApiTermination || attribute === 'disableApiTermination') {
    instance.disableApiTermination = (request.DisableApiTermination?.Value ?? value === 'true') === true;
  } else if (request.InstanceInitiatedShutdownBehavior || attribute === 'instanceInitiatedShutdownBehavior') {
    setShutdownBehavior(instance, request.InstanceInitiatedShutdownBehavior?.Value ?? value ?? '');
  } else if (request.BlockDeviceMappings) {
    setDeleteOnTermination(state, instance, request.BlockDeviceMappings);
  } else if (groupIds.length > 0 || attribute === 'groupSet') {
    replaceInstanceGroups(state, instance, groupIds.length > 0 ? groupIds : (value ?? '').split(','));
  } else if (request.SourceDestCheck || attribute === 'sourceDestCheck') {
    const primary = state.interfacesOf(instance.instanceId)[0];
    if (primary) primary.sourceDestCheck = request.SourceDestCheck?.Value ?? value === 'true';
  } else if (attribute || request.InstanceType || request.UserData || request.EbsOptimized) {
    throw new AwsError(
      'UnsupportedOperation',
      `The sandbox does not modify the instance attribute '${attribute ?? 'requested'}'.`,
    );
  } else {
    throw new AwsError('MissingParameter', 'The request must contain an attribute to modify.');
  }
  return { return: true };
}

/** The single attribute DescribeInstanceAttribute returns, keyed as its response element. */
function attributeView(state: Ec2State, instance: Instance, attribute: string) {
  const primary = state.interfacesOf(instance.instanceId)[0];
  switch (attribute) {
    case 'disableApiTermination':
      return { disableApiTermination: { value: instance.disableApiTermination } };
    case 'instanceInitiatedShutdownBehavior':
      return { instanceInitiatedShutdownBehavior: { value: instance.instanceInitiatedShutdownBehavior } };
    case 'instanceType':
      return { instanceType: { value: instance.instanceType } };
    case 'rootDeviceName':
      return { rootDeviceName: { value: instance.rootDeviceName } };
    case 'sourceDestCheck':
      return { sourceDestCheck: { value: primary?.sourceDestCheck ?? true } };
    case 'groupSet':
      return { groupSet: groupSetView(state, primary?.groupIds ?? []) };
    case 'disableApiStop':
      return { disableApiStop: { value: false } };
    case 'ebsOptimized':
      return { ebsOptimized: { value: false } };
    case 'enaSupport':
      return { enaSupport: { value: true } };
    case 'userData':
      return { userData: {} };
    case 'blockDeviceMapping':
      return {
        blockDeviceMapping: state.volumesOf(instance.instanceId).map((v) => ({
          deviceName: v.attachment?.device,
          ebs: {
            volumeId: v.volumeId,
            status: 'attached',
            attachTime: v.attachment?.attachTime,
            deleteOnTermination: v.attachment?.deleteOnTermination,
          },
        })),
      };
    default:
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`,
      );
  }
}

function describeInstanceAttribute({ input, state }: Ec2Context) {
  const request = input as DescribeInstanceAttributeRequest;
  const instance = requireOne(state, KINDS.instance, requiredMember(request, 'InstanceId'));
  return {
    instanceId: instance.instanceId,
    ...attributeView(state, instance, requiredMember(request, 'Attribute')),
  };
}

/** ModifyInstanceAttribute, DescribeInstanceAttribute. */
export const instanceAttributeOperations: Ec2Operations = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceAttribute: describeInstanceAttribute,
};
