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
  return { Return: true };
}

/** The single attribute DescribeInstanceAttribute returns, keyed as its response element. */
function attributeView(state: Ec2State, instance: Instance, attribute: string) {
  const primary = state.interfacesOf(instance.instanceId)[0];
  switch (attribute) {
    case 'disableApiTermination':
      return { DisableApiTermination: { Value: instance.disableApiTermination } };
    case 'instanceInitiatedShutdownBehavior':
      return { InstanceInitiatedShutdownBehavior: { Value: instance.instanceInitiatedShutdownBehavior } };
    case 'instanceType':
      return { InstanceType: { Value: instance.instanceType } };
    case 'rootDeviceName':
      return { RootDeviceName: { Value: instance.rootDeviceName } };
    case 'sourceDestCheck':
      return { SourceDestCheck: { Value: primary?.sourceDestCheck ?? true } };
    case 'groupSet':
      return { Groups: groupSetView(state, primary?.groupIds ?? []) };
    case 'disableApiStop':
      return { DisableApiStop: { Value: false } };
    case 'ebsOptimized':
      return { EbsOptimized: { Value: false } };
    case 'enaSupport':
      return { EnaSupport: { Value: true } };
    case 'userData':
      return { UserData: {} };
    case 'blockDeviceMapping':
      return {
        BlockDeviceMappings: state.volumesOf(instance.instanceId).map((v) => ({
          DeviceName: v.attachment?.device,
          Ebs: {
            VolumeId: v.volumeId,
            Status: 'attached',
            AttachTime: v.attachment?.attachTime,
            DeleteOnTermination: v.attachment?.deleteOnTermination,
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
    InstanceId: instance.instanceId,
    ...attributeView(state, instance, requiredMember(request, 'Attribute')),
  };
}

/** ModifyInstanceAttribute, DescribeInstanceAttribute. */
export const instanceAttributeOperations: Ec2Operations = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceAttribute: describeInstanceAttribute,
};
