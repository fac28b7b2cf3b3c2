import { DEFAULT_METADATA_OPTIONS } from './instance-metadata-options.ts';
import { privateDnsName } from './ipv4.ts';
import { groupSetView, instanceNetworkInterfaceView } from './network-interface-records.ts';
import { INSTANCE_STATE_CODES, type Instance, type InstanceStateName } from './resources.ts';
import type { Ec2State } from './state.ts';

/** `InstanceState` as EC2 sends it: the code and the name. */
export function stateView(name: InstanceStateName) {
  return { code: INSTANCE_STATE_CODES[name], name };
}

/** Stopped and terminated instances carry the reason they left `running`. */
function stateReason(instance: Instance) {
  if (instance.state !== 'stopped' && instance.state !== 'terminated') return undefined;
  return {
    code: 'Client.UserInitiatedShutdown',
    message: 'Client.UserInitiatedShutdown: User initiated shutdown',
  };
}

/**
 * An instance as DescribeInstances and RunInstances return it. Its groups, addresses,
 * interfaces, volumes and instance profile are read from the ENIs, volumes and
 * associations that hold them; the instance-level `groupSet` is the primary ENI's.
 */
export function instanceView(state: Ec2State, instance: Instance, overrideState?: InstanceStateName) {
  const interfaces = state.interfacesOf(instance.instanceId);
  const primary = interfaces[0];
  const association = state.associationOf(instance.instanceId);
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: stateView(overrideState ?? instance.state),
    privateDnsName: primary ? privateDnsName(primary.privateIpAddress, state.region) : '',
    dnsName: '',
    reason: instance.stateTransitionReason,
    keyName: instance.keyName,
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime,
    placement: { availabilityZone: instance.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    privateIpAddress: primary?.privateIpAddress,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: groupSetView(state, primary?.groupIds ?? []),
    stateReason: stateReason(instance),
    architecture: instance.architecture,
    rootDeviceType: 'ebs',
    rootDeviceName: instance.rootDeviceName,
    blockDeviceMapping: state.volumesOf(instance.instanceId).map((volume) => ({
      deviceName: volume.attachment?.device,
      ebs: {
        volumeId: volume.volumeId,
        status: 'attached',
        attachTime: volume.attachment?.attachTime,
        deleteOnTermination: volume.attachment?.deleteOnTermination,
      },
    })),
    virtualizationType: 'hvm',
    clientToken: instance.clientToken ?? '',
    tagSet: state.tagSet(instance.instanceId),
    hypervisor: 'xen',
    networkInterfaceSet: interfaces.map((eni) => instanceNetworkInterfaceView(state, eni)),
    iamInstanceProfile: association && {
      arn: association.iamInstanceProfile.arn,
      id: association.iamInstanceProfile.id,
    },
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: { state: 'applied', ...(instance.metadataOptions ?? DEFAULT_METADATA_OPTIONS) },
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  };
}
