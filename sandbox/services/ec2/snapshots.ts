import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { Snapshot, Volume } from './resources.ts';
import { restorableBy } from './sharing.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications, type TagSpecifications } from './tags.ts';

/** A snapshot's state at `now`: `pending` with a rising progress until it completes. */
export function snapshotStatus(
  snapshot: Snapshot,
  now: Date,
): { state: 'pending' | 'completed'; progress: string } {
  const remaining = snapshot.completesAt - now.getTime();
  if (remaining <= 0) return { state: 'completed', progress: '100%' };
  const total = snapshot.completesAt - snapshot.startTime.getTime();
  const done = Math.min(99, Math.floor(((total - remaining) / total) * 100));
  return { state: 'pending', progress: `${done}%` };
}

function createSnapshotRecord(
  state: Ec2State,
  volume: Volume,
  description: string,
  startTime: Date,
): Snapshot {
  const snapshot: Snapshot = {
    snapshotId: newEc2Id('snap'),
    volumeId: volume.volumeId,
    volumeSize: volume.size,
    description,
    startTime,
    encrypted: volume.encrypted,
    completesAt: startTime.getTime() + state.timing.snapshotDelayMs,
  };
  state.snapshots.set(snapshot.snapshotId, snapshot);
  return snapshot;
}

function tagSnapshot(
  state: Ec2State,
  snapshot: Snapshot,
  specs: TagSpecifications,
  copyFromVolume: boolean,
): void {
  // Volume tags are copied first so that tags given in the request win on a shared key.
  if (copyFromVolume) state.putTags(snapshot.snapshotId, state.tags.get(snapshot.volumeId) ?? []);
  applyTagSpecifications(state, snapshot.snapshotId, 'snapshot', specs);
}

/** A snapshot as DescribeSnapshots and CreateSnapshot return it (state in `<status>`). */
function snapshotView(state: Ec2State, snapshot: Snapshot, now: Date) {
  const status = snapshotStatus(snapshot, now);
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    State: status.state,
    StartTime: snapshot.startTime,
    Progress: status.progress,
    OwnerId: state.accountId,
    Description: snapshot.description,
    VolumeSize: snapshot.volumeSize,
    Encrypted: snapshot.encrypted,
    StorageTier: 'standard',
    CompletionTime: status.state === 'completed' ? new Date(snapshot.completesAt) : undefined,
    Tags: state.tagSet(snapshot.snapshotId),
  };
}

function createSnapshot({ input, state, now }: Ec2Context) {
  const volume = requireOne(state, KINDS.volume, requiredMember(input, 'VolumeId'));
  const snapshot = createSnapshotRecord(state, volume, input.Description ?? '', now);
  tagSnapshot(state, snapshot, readTagSpecifications(input), false);
  return snapshotView(state, snapshot, now);
}

/**
 * Snapshot every volume attached to an instance at one point in time (crash-consistent),
 * less the boot volume or listed data volumes if asked.
 */
function createSnapshots({ input, state, now }: Ec2Context) {
  const spec = input.InstanceSpecification;
  const instance = requireOne(
    state,
    KINDS.instance,
    requiredMember(spec, 'InstanceId', 'InstanceSpecification.InstanceId'),
  );
  const excludeBoot = spec.ExcludeBootVolume ?? false;
  const excluded = new Set(spec.ExcludeDataVolumeIds ?? []);
  const copyTags = input.CopyTagsFromSource;
  if (copyTags !== undefined && copyTags !== 'volume') {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${copyTags}) for parameter CopyTagsFromSource is invalid.`,
    );
  }
  const specs = readTagSpecifications(input);
  const volumes = state.volumesOf(instance.instanceId).filter((volume) => {
    const isBoot = volume.attachment?.device === instance.rootDeviceName;
    return isBoot ? !excludeBoot : !excluded.has(volume.volumeId);
  });
  const snapshots = volumes.map((volume) => {
    const snapshot = createSnapshotRecord(state, volume, input.Description ?? '', now);
    tagSnapshot(state, snapshot, specs, copyTags === 'volume');
    return snapshot;
  });
  return {
    Snapshots: snapshots.map((snapshot) => {
      const { StorageTier, CompletionTime, ...view } = snapshotView(state, snapshot, now);
      // CreateSnapshots answers with SnapshotInfo: no storage tier or completion time.
      return view;
    }),
  };
}

/** DescribeSnapshots documents `tag:<key>` and `tag-key` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html). */
const SNAPSHOT_TAG_FILTERS: readonly TagFilter[] = ['tag:', 'tag-key'];

function describeSnapshots({ input, state, now }: Ec2Context) {
  const ids = input.SnapshotIds ?? [];
  const owners: string[] = input.OwnerIds ?? [];
  const ownedByCaller = owners.length === 0 || owners.some((o) => o === 'self' || o === state.accountId);
  const restorable: string[] = input.RestorableByUserIds ?? [];
  const listed =
    ids.length > 0 ? requireAll(state, KINDS.snapshot, ids) : ownedByCaller ? state.snapshots.values() : [];
  // RestorableByUserIds keeps the snapshots those accounts (or, with `all`, anyone) may restore.
  const scope =
    restorable.length === 0
      ? listed
      : [...listed].filter((s) => restorableBy(state, s.snapshotId, restorable));
  // The documented filters of DescribeSnapshots the sandbox evaluates (same page).
  const fields: FilterFields<Snapshot> = {
    'snapshot-id': (s) => s.snapshotId,
    'volume-id': (s) => s.volumeId,
    'volume-size': (s) => s.volumeSize,
    description: (s) => s.description,
    'owner-id': () => state.accountId,
    status: (s) => snapshotStatus(s, now).state,
    progress: (s) => snapshotStatus(s, now).progress,
    encrypted: (s) => s.encrypted,
  };
  const filtered = applyFilters(
    state,
    scope,
    (s) => s.snapshotId,
    readFilters(input),
    fields,
    SNAPSHOT_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  return { Snapshots: page.items.map((s) => snapshotView(state, s, now)), NextToken: page.nextToken };
}

/** CreateSnapshot, CreateSnapshots, DescribeSnapshots. */
export const snapshotOperations: Ec2Operations = {
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  DescribeSnapshots: describeSnapshots,
};
