import type {
  BlockDeviceMapping,
  InstanceNetworkInterfaceSpecification,
  RequestLaunchTemplateData,
  RunInstancesRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, requiredMember, resolveRequestedProfile } from './context.ts';
import { newEc2Id } from './ids.ts';
import { rootDeviceOf } from './images.ts';
import { instanceView } from './instance-view.ts';
import { resolveLaunchTemplate } from './launch-templates.ts';
import { assertWellFormed, KINDS, requireOne } from './lookups.ts';
import {
  attachNetworkInterfaceRecord,
  createNetworkInterfaceRecord,
  requireGroupsInVpc,
} from './network-interface-records.ts';
import type { ImageBlockDevice, Instance, NetworkInterface, Subnet } from './resources.ts';
import { defaultVpcId, findGroupByName } from './security-group-records.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications, type TagSpecifications } from './tags.ts';
import { attachVolumeRecord, createVolumeRecord } from './volumes.ts';

/** The most instances one sandbox RunInstances launches (AWS limits by account quota). */
const MAX_LAUNCH = 20;

/** A network interface of the launch, as RunInstances (or its launch template) describes it. */
type InterfaceSpec = InstanceNetworkInterfaceSpecification;

/** The subnet of the primary interface: named on device 0, at top level, or the default subnet. */
function primarySubnet(state: Ec2State, request: RunInstancesRequest, interfaces: InterfaceSpec[]): Subnet {
  const device0 = interfaces.find((spec) => (spec.DeviceIndex ?? 0) === 0);
  const existingEniId = device0?.NetworkInterfaceId;
  if (existingEniId) {
    const eni = requireOne(state, KINDS.networkInterface, existingEniId);
    return requireOne(state, KINDS.subnet, eni.subnetId);
  }
  const subnetId = device0?.SubnetId ?? request.SubnetId;
  if (subnetId) return requireOne(state, KINDS.subnet, subnetId);
  const zone = request.Placement?.AvailabilityZone;
  const defaults = [...state.subnets.values()].filter(
    (s) => s.defaultForAz && s.vpcId === defaultVpcId(state),
  );
  const subnet = defaults.find((s) => zone === undefined || s.availabilityZone === zone);
  if (!subnet) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user.');
  return subnet;
}

/** Top-level `SecurityGroupIds`, plus `SecurityGroups` names resolved within the VPC. */
function topLevelGroupIds(state: Ec2State, request: RunInstancesRequest, vpcId: string): string[] {
  const byName = (request.SecurityGroups ?? []).map((name) => {
    const group = findGroupByName(state, vpcId, name);
    if (!group)
      throw new AwsError(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in VPC '${vpcId}'`,
      );
    return group.groupId;
  });
  return [...(request.SecurityGroupIds ?? []), ...byName];
}

/** One interface of the launch, resolved and checked before anything is created. */
interface InterfacePlan {
  readonly deviceIndex: number;
  readonly existing?: NetworkInterface;
  readonly subnet: Subnet;
  readonly groupIds: string[];
  readonly description: string;
  readonly privateIpAddress?: string;
  readonly deleteOnTermination: boolean;
}

/** The interfaces to attach: device 0 (from its spec or the top-level parameters) and any extra ENIs. */
function planInterfaces(
  state: Ec2State,
  request: RunInstancesRequest,
  subnet: Subnet,
  specs: InterfaceSpec[],
): InterfacePlan[] {
  const hasDevice0 = specs.some((spec) => (spec.DeviceIndex ?? 0) === 0);
  const all = hasDevice0 ? specs : [undefined, ...specs];
  return all.map((spec, position) => {
    const deviceIndex = spec?.DeviceIndex ?? position;
    const existingId = spec?.NetworkInterfaceId;
    const existing = existingId ? requireOne(state, KINDS.networkInterface, existingId) : undefined;
    const specSubnetId = spec?.SubnetId;
    const eniSubnet = existing
      ? requireOne(state, KINDS.subnet, existing.subnetId)
      : specSubnetId
        ? requireOne(state, KINDS.subnet, specSubnetId)
        : subnet;
    const requestedGroups = spec ? (spec.Groups ?? []) : topLevelGroupIds(state, request, subnet.vpcId);
    return {
      deviceIndex,
      existing,
      subnet: eniSubnet,
      groupIds: requireGroupsInVpc(state, requestedGroups, eniSubnet.vpcId, eniSubnet.subnetId),
      description: spec?.Description ?? (deviceIndex === 0 ? 'Primary network interface' : ''),
      privateIpAddress: spec?.PrivateIpAddress ?? (deviceIndex === 0 ? request.PrivateIpAddress : undefined),
      // Interfaces the launch creates go with the instance; ones it was handed stay, by default.
      deleteOnTermination: spec?.DeleteOnTermination ?? !existing,
    };
  });
}

/** One EBS volume of the launch: the AMI's root device, or one of `BlockDeviceMappings`. */
interface VolumePlan {
  readonly device: string;
  readonly size: number;
  readonly snapshotId?: string;
  readonly volumeType?: string;
  readonly encrypted?: boolean;
  readonly deleteOnTermination: boolean;
}

function planVolumes(
  state: Ec2State,
  request: RunInstancesRequest,
  rootDeviceName: string,
  root?: ImageBlockDevice,
): VolumePlan[] {
  const mappings = (request.BlockDeviceMappings ?? [])
    .map((mapping, i) => ({ mapping, wireName: `BlockDeviceMapping.${i + 1}.DeviceName` }))
    .filter(({ mapping }) => mapping.NoDevice === undefined);
  const rootMapping = mappings.find(({ mapping }) => mapping.DeviceName === rootDeviceName)?.mapping;
  const plan = (
    device: string,
    spec: BlockDeviceMapping | undefined,
    fallback?: ImageBlockDevice,
  ): VolumePlan => {
    const requestedSnapshot = spec?.Ebs?.SnapshotId;
    if (requestedSnapshot) requireOne(state, KINDS.snapshot, requestedSnapshot);
    const snapshotId = requestedSnapshot ?? fallback?.snapshotId;
    return {
      device,
      size: spec?.Ebs?.VolumeSize ?? fallback?.volumeSize ?? 8,
      snapshotId,
      volumeType: spec?.Ebs?.VolumeType ?? fallback?.volumeType,
      encrypted: spec?.Ebs?.Encrypted,
      // Volumes created at launch default to DeleteOnTermination=true, the root included.
      deleteOnTermination: spec?.Ebs?.DeleteOnTermination ?? true,
    };
  };
  return [
    plan(rootDeviceName, rootMapping, root),
    ...mappings
      .filter(({ mapping }) => mapping !== rootMapping)
      .map(({ mapping, wireName }) => plan(requiredMember(mapping, 'DeviceName', wireName), mapping)),
  ];
}

function attachPlanned(
  ctx: Ec2Context,
  instance: Instance,
  interfaces: InterfacePlan[],
  volumes: VolumePlan[],
) {
  const { state, now } = ctx;
  const enis = interfaces.map((p) => {
    const eni = p.existing ?? createNetworkInterfaceRecord(state, p);
    attachNetworkInterfaceRecord(state, eni, instance.instanceId, p.deviceIndex, p.deleteOnTermination, now);
    return eni;
  });
  for (const p of volumes) {
    const volume = createVolumeRecord(state, { ...p, availabilityZone: instance.availabilityZone, now });
    attachVolumeRecord(state, volume, instance, p.device, p.deleteOnTermination, now);
  }
  return enis;
}

/**
 * The launch template's tag specifications, then the request's: a key the request tags again
 * takes the request's value.
 */
function mergedTagSpecifications(
  template: RequestLaunchTemplateData | undefined,
  request: RunInstancesRequest,
): TagSpecifications {
  const merged = new Map<string, (readonly [string, string])[]>();
  for (const specs of [readTagSpecifications(template ?? {}), readTagSpecifications(request)])
    for (const [type, tags] of specs) merged.set(type, [...(merged.get(type) ?? []), ...tags]);
  return merged;
}

/**
 * RunInstances with its launch template's data as defaults: "any additional parameters that you
 * specify for the new instance override the corresponding parameters included in the launch
 * template" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/LaunchingAnInstance.html).
 * The template's members RunInstances reads carry RunInstances' own names and shapes; tag
 * specifications are merged apart ({@link mergedTagSpecifications}).
 */
function overTemplate(
  template: RequestLaunchTemplateData,
  request: RunInstancesRequest,
): RunInstancesRequest {
  const { TagSpecifications: _tags, RamDiskId, ...data } = template;
  return { ...(data as Partial<RunInstancesRequest>), RamdiskId: RamDiskId, ...request };
}

/** RunInstances: instances with their interfaces, volumes, instance profile and tags. */
export function runInstances(ctx: Ec2Context) {
  const { state, now } = ctx;
  const input = ctx.input as RunInstancesRequest;
  // A launch template's data are the defaults; what the request says itself wins.
  const template = input.LaunchTemplate ? resolveLaunchTemplate(state, input.LaunchTemplate) : undefined;
  const request = template ? overTemplate(template.data, input) : input;
  const imageId = requiredMember(request, 'ImageId');
  assertWellFormed(KINDS.image, [imageId]);
  // The sandbox does not hold the public AMI catalogue: an unknown but well-formed AMI id is
  // treated as a public Linux image with an 8 GiB root device.
  const image = state.images.get(imageId);
  const root = image ? rootDeviceOf(image) : undefined;
  const minCount = request.MinCount ?? 1;
  const maxCount = request.MaxCount ?? minCount;
  if (minCount < 1 || maxCount < minCount || maxCount > MAX_LAUNCH) {
    throw new AwsError('InvalidParameterValue', `Invalid MinCount/MaxCount: ${minCount}/${maxCount}`);
  }
  const interfaceSpecs = request.NetworkInterfaces ?? [];
  const subnet = primarySubnet(state, request, interfaceSpecs);
  const rootDeviceName = image?.rootDeviceName ?? '/dev/xvda';
  // Everything is resolved and checked first, so a bad parameter launches nothing.
  const interfacePlans = planInterfaces(state, request, subnet, interfaceSpecs);
  const volumePlans = planVolumes(state, request, rootDeviceName, root);
  if (maxCount > 1 && interfacePlans.some((p) => p.existing)) {
    throw new AwsError(
      'InvalidParameterCombination',
      'Only one instance can be launched with an existing network interface.',
    );
  }
  const inUse = interfacePlans.find((p) => p.existing?.attachment);
  if (inUse?.existing) {
    throw new AwsError(
      'InvalidNetworkInterface.InUse',
      `Interface: [${inUse.existing.networkInterfaceId}] in use.`,
    );
  }
  const profile = request.IamInstanceProfile
    ? resolveRequestedProfile(ctx, request.IamInstanceProfile)
    : undefined;
  const shutdown = request.InstanceInitiatedShutdownBehavior ?? 'stop';
  if (shutdown !== 'stop' && shutdown !== 'terminate') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  }
  const tagSpecs = mergedTagSpecifications(template?.data, input);
  const reservationId = newEc2Id('r');
  const instances = Array.from({ length: maxCount }, (_, index) => {
    const instance: Instance = {
      instanceId: newEc2Id('i'),
      reservationId,
      imageId,
      instanceType: request.InstanceType ?? 'm1.small',
      keyName: request.KeyName,
      launchTime: now,
      state: 'running',
      stateTransitionReason: '',
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      rootDeviceName,
      architecture: image?.architecture ?? 'x86_64',
      amiLaunchIndex: index,
      clientToken: request.ClientToken,
      disableApiTermination: request.DisableApiTermination ?? false,
      instanceInitiatedShutdownBehavior: shutdown,
    };
    state.instances.set(instance.instanceId, instance);
    const interfaces = attachPlanned(ctx, instance, interfacePlans, volumePlans);
    if (profile) {
      const associationId = newEc2Id('iip-assoc');
      state.iamInstanceProfileAssociations.set(associationId, {
        associationId,
        instanceId: instance.instanceId,
        iamInstanceProfile: profile,
        timestamp: now,
      });
    }
    applyTagSpecifications(state, instance.instanceId, 'instance', tagSpecs);
    if (template) state.putTags(instance.instanceId, template.tags);
    for (const eni of interfaces)
      applyTagSpecifications(state, eni.networkInterfaceId, 'network-interface', tagSpecs);
    for (const volume of state.volumesOf(instance.instanceId)) {
      applyTagSpecifications(state, volume.volumeId, 'volume', tagSpecs);
    }
    return instance;
  });
  return {
    ReservationId: reservationId,
    OwnerId: state.accountId,
    Groups: [],
    // A new instance is reported `pending`; the sandbox boots it at once, so Describe says `running`.
    Instances: instances.map((instance) => instanceView(state, instance, 'pending')),
  };
}
