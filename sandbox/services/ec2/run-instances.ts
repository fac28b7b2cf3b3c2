import { AwsError } from '../../protocol.ts';
import { type Ec2Context, resolveRequestedProfile } from './context.ts';
import { FormParams } from './form-params.ts';
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

/** The subnet of the primary interface: named on device 0, at top level, or the default subnet. */
function primarySubnet(state: Ec2State, params: FormParams, interfaces: FormParams[]): Subnet {
  const device0 = interfaces.find((spec) => (spec.int('DeviceIndex') ?? 0) === 0);
  const existingEniId = device0?.string('NetworkInterfaceId');
  if (existingEniId) {
    const eni = requireOne(state, KINDS.networkInterface, existingEniId);
    return requireOne(state, KINDS.subnet, eni.subnetId);
  }
  const subnetId = device0?.string('SubnetId') ?? params.string('SubnetId');
  if (subnetId) return requireOne(state, KINDS.subnet, subnetId);
  const zone = params.string('Placement.AvailabilityZone');
  const defaults = [...state.subnets.values()].filter(
    (s) => s.defaultForAz && s.vpcId === defaultVpcId(state),
  );
  const subnet = defaults.find((s) => zone === undefined || s.availabilityZone === zone);
  if (!subnet) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user.');
  return subnet;
}

/** Top-level `SecurityGroupId.N`, plus `SecurityGroup.N` names resolved within the VPC. */
function topLevelGroupIds(state: Ec2State, params: FormParams, vpcId: string): string[] {
  const byName = params.list('SecurityGroup').map((name) => {
    const group = findGroupByName(state, vpcId, name);
    if (!group)
      throw new AwsError(
        'InvalidGroup.NotFound',
        `The security group '${name}' does not exist in VPC '${vpcId}'`,
      );
    return group.groupId;
  });
  return [...params.list('SecurityGroupId'), ...byName];
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
  params: FormParams,
  subnet: Subnet,
  specs: FormParams[],
): InterfacePlan[] {
  const hasDevice0 = specs.some((spec) => (spec.int('DeviceIndex') ?? 0) === 0);
  const all = hasDevice0 ? specs : [undefined, ...specs];
  return all.map((spec, position) => {
    const deviceIndex = spec?.int('DeviceIndex') ?? position;
    const existingId = spec?.string('NetworkInterfaceId');
    const existing = existingId ? requireOne(state, KINDS.networkInterface, existingId) : undefined;
    const specSubnetId = spec?.string('SubnetId');
    const eniSubnet = existing
      ? requireOne(state, KINDS.subnet, existing.subnetId)
      : specSubnetId
        ? requireOne(state, KINDS.subnet, specSubnetId)
        : subnet;
    const requestedGroups = spec
      ? spec.list('SecurityGroupId')
      : topLevelGroupIds(state, params, subnet.vpcId);
    return {
      deviceIndex,
      existing,
      subnet: eniSubnet,
      groupIds: requireGroupsInVpc(state, requestedGroups, eniSubnet.vpcId, eniSubnet.subnetId),
      description: spec?.string('Description') ?? (deviceIndex === 0 ? 'Primary network interface' : ''),
      privateIpAddress:
        spec?.string('PrivateIpAddress') ??
        (deviceIndex === 0 ? params.string('PrivateIpAddress') : undefined),
      // Interfaces the launch creates go with the instance; ones it was handed stay, by default.
      deleteOnTermination: spec?.bool('DeleteOnTermination') ?? !existing,
    };
  });
}

/** One EBS volume of the launch: the AMI's root device, or a `BlockDeviceMapping.N`. */
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
  params: FormParams,
  rootDeviceName: string,
  root?: ImageBlockDevice,
): VolumePlan[] {
  const mappings = params.structs('BlockDeviceMapping').filter((m) => m.string('NoDevice') === undefined);
  const rootMapping = mappings.find((m) => m.string('DeviceName') === rootDeviceName);
  const plan = (device: string, spec: FormParams | undefined, fallback?: ImageBlockDevice): VolumePlan => {
    const requestedSnapshot = spec?.string('Ebs.SnapshotId');
    if (requestedSnapshot) requireOne(state, KINDS.snapshot, requestedSnapshot);
    const snapshotId = requestedSnapshot ?? fallback?.snapshotId;
    return {
      device,
      size: spec?.int('Ebs.VolumeSize') ?? fallback?.volumeSize ?? 8,
      snapshotId,
      volumeType: spec?.string('Ebs.VolumeType') ?? fallback?.volumeType,
      encrypted: spec?.bool('Ebs.Encrypted'),
      // Volumes created at launch default to DeleteOnTermination=true, the root included.
      deleteOnTermination: spec?.bool('Ebs.DeleteOnTermination') ?? true,
    };
  };
  return [
    plan(rootDeviceName, rootMapping, root),
    ...mappings.filter((m) => m !== rootMapping).map((m) => plan(m.required('DeviceName'), m)),
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
 * takes the request's value. (A template keeps its data as form entries until launch templates
 * hold the model's `RequestLaunchTemplateData`.)
 */
function mergedTagSpecifications(
  templateParams: FormParams | undefined,
  input: Parameters<typeof readTagSpecifications>[0],
): TagSpecifications {
  const merged = new Map<string, (readonly [string, string])[]>();
  for (const spec of templateParams?.structs('TagSpecification') ?? []) {
    const type = spec.required('ResourceType');
    const tags = spec.structs('Tag').map((tag) => [tag.required('Key'), tag.string('Value') ?? ''] as const);
    merged.set(type, [...(merged.get(type) ?? []), ...tags]);
  }
  for (const [type, tags] of readTagSpecifications(input))
    merged.set(type, [...(merged.get(type) ?? []), ...tags]);
  return merged;
}

/** RunInstances: instances with their interfaces, volumes, instance profile and tags. */
export function runInstances(request: Ec2Context) {
  // A launch template's data are the defaults; what the request says itself wins.
  const template = request.params.has('LaunchTemplate')
    ? resolveLaunchTemplate(request.state, request.params)
    : undefined;
  const ctx = template ? { ...request, params: request.params.over(template.data) } : request;
  const { params, state, now } = ctx;
  const imageId = params.required('ImageId');
  assertWellFormed(KINDS.image, [imageId]);
  // The sandbox does not hold the public AMI catalogue: an unknown but well-formed AMI id is
  // treated as a public Linux image with an 8 GiB root device.
  const image = state.images.get(imageId);
  const root = image ? rootDeviceOf(image) : undefined;
  const minCount = params.int('MinCount') ?? 1;
  const maxCount = params.int('MaxCount') ?? minCount;
  if (minCount < 1 || maxCount < minCount || maxCount > MAX_LAUNCH) {
    throw new AwsError('InvalidParameterValue', `Invalid MinCount/MaxCount: ${minCount}/${maxCount}`);
  }
  const interfaceSpecs = params.structs('NetworkInterface');
  const subnet = primarySubnet(state, params, interfaceSpecs);
  const rootDeviceName = image?.rootDeviceName ?? '/dev/xvda';
  // Everything is resolved and checked first, so a bad parameter launches nothing.
  const interfacePlans = planInterfaces(state, params, subnet, interfaceSpecs);
  const volumePlans = planVolumes(state, params, rootDeviceName, root);
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
  const profile = params.has('IamInstanceProfile') ? resolveRequestedProfile(ctx) : undefined;
  const shutdown = params.string('InstanceInitiatedShutdownBehavior') ?? 'stop';
  if (shutdown !== 'stop' && shutdown !== 'terminate') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  }
  const tagSpecs = mergedTagSpecifications(
    template && FormParams.fromSearchParams(new URLSearchParams([...template.data])),
    request.input,
  );
  const reservationId = newEc2Id('r');
  const instances = Array.from({ length: maxCount }, (_, index) => {
    const instance: Instance = {
      instanceId: newEc2Id('i'),
      reservationId,
      imageId,
      instanceType: params.string('InstanceType') ?? 'm1.small',
      keyName: params.string('KeyName'),
      launchTime: now,
      state: 'running',
      stateTransitionReason: '',
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      rootDeviceName,
      architecture: image?.architecture ?? 'x86_64',
      amiLaunchIndex: index,
      clientToken: params.string('ClientToken'),
      disableApiTermination: params.bool('DisableApiTermination') ?? false,
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
    reservationId,
    ownerId: state.accountId,
    groupSet: [],
    // A new instance is reported `pending`; the sandbox boots it at once, so Describe says `running`.
    instancesSet: instances.map((instance) => instanceView(state, instance, 'pending')),
  };
}
