import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { Instance, Volume } from './resources.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/** Create an EBS volume record (state `available`). */
export function createVolumeRecord(
  state: Ec2State,
  input: {
    size: number;
    availabilityZone: string;
    snapshotId?: string;
    volumeType?: string;
    encrypted?: boolean;
    now: Date;
  },
): Volume {
  const volume: Volume = {
    volumeId: newEc2Id('vol'),
    size: input.size,
    snapshotId: input.snapshotId,
    availabilityZone: input.availabilityZone,
    volumeType: input.volumeType ?? 'gp3',
    iops: 3000,
    encrypted: input.encrypted ?? false,
    createTime: input.now,
  };
  state.volumes.set(volume.volumeId, volume);
  return volume;
}

/** Attach a volume at a device name; one volume per device, one instance per volume. */
export function attachVolumeRecord(
  state: Ec2State,
  volume: Volume,
  instance: Instance,
  device: string,
  deleteOnTermination: boolean,
  now: Date,
): void {
  if (volume.attachment) {
    throw new AwsError('VolumeInUse', `${volume.volumeId} is already attached to an instance`);
  }
  if (volume.availabilityZone !== instance.availabilityZone) {
    throw new AwsError(
      'InvalidVolume.ZoneMismatch',
      `The volume '${volume.volumeId}' is not in the same availability zone as instance '${instance.instanceId}'`,
    );
  }
  if (state.volumesOf(instance.instanceId).some((v) => v.attachment?.device === device)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`,
    );
  }
  volume.attachment = { instanceId: instance.instanceId, device, attachTime: now, deleteOnTermination };
}

/** A volume as DescribeVolumes and CreateVolume return it. */
export function volumeView(state: Ec2State, volume: Volume) {
  const a = volume.attachment;
  return {
    volumeId: volume.volumeId,
    size: volume.size,
    // EC2 sends an empty snapshotId for volumes not restored from a snapshot.
    snapshotId: volume.snapshotId ?? '',
    availabilityZone: volume.availabilityZone,
    status: a ? 'in-use' : 'available',
    createTime: volume.createTime,
    attachmentSet: a
      ? [
          {
            volumeId: volume.volumeId,
            instanceId: a.instanceId,
            device: a.device,
            status: 'attached',
            attachTime: a.attachTime,
            deleteOnTermination: a.deleteOnTermination,
          },
        ]
      : [],
    volumeType: volume.volumeType,
    iops: volume.iops,
    throughput: volume.volumeType === 'gp3' ? 125 : undefined,
    encrypted: volume.encrypted,
    multiAttachEnabled: false,
    tagSet: state.tagSet(volume.volumeId),
  };
}

const VOLUME_FILTERS: FilterFields<Volume> = {
  'volume-id': (v) => v.volumeId,
  'attachment.instance-id': (v) => v.attachment?.instanceId,
  'attachment.device': (v) => v.attachment?.device,
  'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
  'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
  'availability-zone': (v) => v.availabilityZone,
  'snapshot-id': (v) => v.snapshotId,
  size: (v) => v.size,
  status: (v) => (v.attachment ? 'in-use' : 'available'),
  'volume-type': (v) => v.volumeType,
  encrypted: (v) => v.encrypted,
};

function createVolume({ input, state, now }: Ec2Context) {
  const availabilityZone = requiredMember(input, 'AvailabilityZone');
  const snapshotId = input.SnapshotId;
  const snapshot = snapshotId ? requireOne(state, KINDS.snapshot, snapshotId) : undefined;
  const size = input.Size ?? snapshot?.volumeSize;
  if (size === undefined)
    throw new AwsError('MissingParameter', 'The request must contain the parameter size or snapshotId');
  const volume = createVolumeRecord(state, {
    size,
    availabilityZone,
    snapshotId,
    volumeType: input.VolumeType,
    encrypted: input.Encrypted ?? snapshot?.encrypted,
    now,
  });
  applyTagSpecifications(state, volume.volumeId, 'volume', readTagSpecifications(input));
  return { ...volumeView(state, volume), status: 'creating' };
}

function describeVolumes({ input, state }: Ec2Context) {
  const ids = input.VolumeIds ?? [];
  const scope = ids.length > 0 ? requireAll(state, KINDS.volume, ids) : state.volumes.values();
  const filtered = applyFilters(state, scope, (v) => v.volumeId, readFilters(input), VOLUME_FILTERS);
  const page = paginate(filtered, input);
  return { volumeSet: page.items.map((volume) => volumeView(state, volume)), nextToken: page.nextToken };
}

function attachVolume({ input, state, now }: Ec2Context) {
  const device = requiredMember(input, 'Device');
  const instance = requireOne(state, KINDS.instance, requiredMember(input, 'InstanceId'));
  const volume = requireOne(state, KINDS.volume, requiredMember(input, 'VolumeId'));
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    throw new AwsError('IncorrectState', `Instance '${instance.instanceId}' is not 'running' or 'stopped'.`);
  }
  attachVolumeRecord(state, volume, instance, device, false, now);
  return {
    attachTime: now,
    device,
    instanceId: instance.instanceId,
    status: 'attaching',
    volumeId: volume.volumeId,
    deleteOnTermination: false,
  };
}

/** CreateVolume, DescribeVolumes, AttachVolume. */
export const volumeOperations: Ec2Operations = {
  CreateVolume: createVolume,
  DescribeVolumes: describeVolumes,
  AttachVolume: attachVolume,
};
