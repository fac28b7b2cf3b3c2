import { DEFAULT_METADATA_OPTIONS } from './instance-metadata-options.ts';
import { privateDnsName } from './ipv4.ts';
import { groupSetView, instanceNetworkInterfaceView } from './network-interface-records.ts';
import { INSTANCE_STATE_CODES, type Instance, type InstanceStateName } from './resources.ts';
import type { Ec2State } from './state.ts';

/** `InstanceState` as EC2 sends it: the code and the name. */
export function stateView(name: InstanceStateName) {
  return { Code: INSTANCE_STATE_CODES[name], Name: name };
}

/** Stopped and terminated instances carry the reason they left `running`. */
function stateReason(instance: Instance) {
  if (instance.state !== 'stopped' && instance.state !== 'terminated') return undefined;
  return {
    Code: 'Client.UserInitiatedShutdown',
    Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
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
    InstanceId: instance.instanceId,
    ImageId: instance.imageId,
    State: stateView(overrideState ?? instance.state),
    PrivateDnsName: primary ? privateDnsName(primary.privateIpAddress, state.region) : '',
    PublicDnsName: '',
    StateTransitionReason: instance.stateTransitionReason,
    KeyName: instance.keyName,
    AmiLaunchIndex: instance.amiLaunchIndex,
    ProductCodes: [],
    InstanceType: instance.instanceType,
    LaunchTime: instance.launchTime,
    Placement: { AvailabilityZone: instance.availabilityZone, GroupName: '', Tenancy: 'default' },
    Monitoring: { State: 'disabled' },
    SubnetId: instance.subnetId,
    VpcId: instance.vpcId,
    PrivateIpAddress: primary?.privateIpAddress,
    SourceDestCheck: primary?.sourceDestCheck,
    SecurityGroups: groupSetView(state, primary?.groupIds ?? []),
    StateReason: stateReason(instance),
    Architecture: instance.architecture,
    RootDeviceType: 'ebs',
    RootDeviceName: instance.rootDeviceName,
    BlockDeviceMappings: state.volumesOf(instance.instanceId).map((volume) => ({
      DeviceName: volume.attachment?.device,
      Ebs: {
        VolumeId: volume.volumeId,
        Status: 'attached',
        AttachTime: volume.attachment?.attachTime,
        DeleteOnTermination: volume.attachment?.deleteOnTermination,
      },
    })),
    VirtualizationType: 'hvm',
    ClientToken: instance.clientToken ?? '',
    Tags: state.tagSet(instance.instanceId),
    Hypervisor: 'xen',
    NetworkInterfaces: interfaces.map((eni) => instanceNetworkInterfaceView(state, eni)),
    IamInstanceProfile: association && {
      Arn: association.iamInstanceProfile.arn,
      Id: association.iamInstanceProfile.id,
    },
    EbsOptimized: false,
    EnaSupport: true,
    MetadataOptions: { State: 'applied', ...(instance.metadataOptions ?? DEFAULT_METADATA_OPTIONS) },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
  };
}
