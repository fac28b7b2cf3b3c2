import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
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
function setDeleteOnTermination(ctx: Ec2Context, instance: Instance): void {
  for (const mapping of ctx.params.structs('BlockDeviceMapping')) {
    const device = mapping.required('DeviceName');
    const volume = ctx.state.volumesOf(instance.instanceId).find((v) => v.attachment?.device === device);
    if (!volume?.attachment) {
      throw new AwsError('InvalidInstanceAttributeValue', `No device is currently mapped at ${device}`);
    }
    volume.attachment.deleteOnTermination =
      mapping.bool('Ebs.DeleteOnTermination') ?? volume.attachment.deleteOnTermination;
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
function modifyInstanceAttribute(ctx: Ec2Context) {
  const { params, state } = ctx;
  const instance = requireOne(state, KINDS.instance, params.required('InstanceId'));
  const attribute = params.string('Attribute');
  const value = params.string('Value');
  const groupIds = params.list('GroupId');
  if (params.has('DisableApiTermination') || attribute === 'disableApiTermination') {
    instance.disableApiTermination =
      (params.bool('DisableApiTermination.Value') ?? value === 'true') === true;
  } else if (
    params.has('InstanceInitiatedShutdownBehavior') ||
    attribute === 'instanceInitiatedShutdownBehavior'
  ) {
    setShutdownBehavior(instance, params.string('InstanceInitiatedShutdownBehavior.Value') ?? value ?? '');
  } else if (params.has('BlockDeviceMapping')) {
    setDeleteOnTermination(ctx, instance);
  } else if (groupIds.length > 0 || attribute === 'groupSet') {
    replaceInstanceGroups(state, instance, groupIds.length > 0 ? groupIds : (value ?? '').split(','));
  } else if (params.has('SourceDestCheck') || attribute === 'sourceDestCheck') {
    const primary = state.interfacesOf(instance.instanceId)[0];
    if (primary) primary.sourceDestCheck = params.bool('SourceDestCheck.Value') ?? value === 'true';
  } else if (
    attribute ||
    params.has('InstanceType') ||
    params.has('UserData') ||
    params.has('EbsOptimized')
  ) {
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

function describeInstanceAttribute({ params, state }: Ec2Context) {
  const instance = requireOne(state, KINDS.instance, params.required('InstanceId'));
  return { instanceId: instance.instanceId, ...attributeView(state, instance, params.required('Attribute')) };
}

/** ModifyInstanceAttribute, DescribeInstanceAttribute. */
export const instanceAttributeOperations: Ec2Operations = {
  ModifyInstanceAttribute: modifyInstanceAttribute,
  DescribeInstanceAttribute: describeInstanceAttribute,
};
