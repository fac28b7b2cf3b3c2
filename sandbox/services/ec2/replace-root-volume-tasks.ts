import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { rootDeviceOf } from './images.ts';
import { KINDS, requireOne } from './lookups.ts';
import type { ReplaceRootVolumeTask } from './resources.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';
import { attachVolumeRecord, createVolumeRecord } from './volumes.ts';

/**
 * Swap the root volume the way AWS does: a new volume restored from the snapshot, the
 * AMI's root snapshot, or (with neither) the old volume's own launch snapshot; the old
 * volume is detached and kept unless the task asked for it to be deleted.
 */
function completeTask(state: Ec2State, task: ReplaceRootVolumeTask, now: Date): void {
  const instance = state.instances.get(task.instanceId);
  const oldRoot =
    instance &&
    state.volumesOf(instance.instanceId).find((v) => v.attachment?.device === instance.rootDeviceName);
  task.completeTime = now;
  if (instance?.state !== 'running' || !oldRoot?.attachment) {
    task.taskState = 'failed';
    return;
  }
  const image = task.imageId ? state.images.get(task.imageId) : undefined;
  const snapshot = task.snapshotId ? state.snapshots.get(task.snapshotId) : undefined;
  const source = image ? rootDeviceOf(image) : undefined;
  const { deleteOnTermination } = oldRoot.attachment;
  oldRoot.attachment = undefined;
  if (task.deleteReplacedRootVolume) state.forget(oldRoot.volumeId, state.volumes);
  const newRoot = createVolumeRecord(state, {
    size: snapshot?.volumeSize ?? source?.volumeSize ?? oldRoot.size,
    availabilityZone: instance.availabilityZone,
    snapshotId: snapshot?.snapshotId ?? source?.snapshotId ?? oldRoot.snapshotId,
    volumeType: oldRoot.volumeType,
    encrypted: oldRoot.encrypted,
    now,
  });
  attachVolumeRecord(state, newRoot, instance, instance.rootDeviceName, deleteOnTermination, now);
  if (task.imageId) instance.imageId = task.imageId;
  task.taskState = 'succeeded';
}

/** Complete the tasks whose time has come; run before every request so reads see the result. */
export function settleReplaceRootVolumeTasks(state: Ec2State, now: Date): void {
  for (const task of state.replaceRootVolumeTasks.values()) {
    if (task.taskState === 'pending' && task.completesAt <= now.getTime()) completeTask(state, task, now);
  }
}

function taskView(state: Ec2State, task: ReplaceRootVolumeTask) {
  return {
    replaceRootVolumeTaskId: task.replaceRootVolumeTaskId,
    instanceId: task.instanceId,
    taskState: task.taskState,
    startTime: task.startTime.toISOString(),
    completeTime: task.completeTime?.toISOString(),
    tagSet: state.tagSet(task.replaceRootVolumeTaskId),
    imageId: task.imageId,
    snapshotId: task.snapshotId,
    deleteReplacedRootVolume: task.deleteReplacedRootVolume,
  };
}

function createReplaceRootVolumeTask({ input, state, now }: Ec2Context) {
  const instance = requireOne(state, KINDS.instance, requiredMember(input, 'InstanceId'));
  const snapshotId = input.SnapshotId;
  const imageId = input.ImageId;
  if (snapshotId && imageId) {
    throw new AwsError(
      'InvalidParameterCombination',
      'You can specify either a snapshot or an AMI, but not both.',
    );
  }
  if (snapshotId) requireOne(state, KINDS.snapshot, snapshotId);
  if (imageId) requireOne(state, KINDS.image, imageId);
  if (instance.state !== 'running') {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${instance.instanceId}' must be in the 'running' state.`,
    );
  }
  const busy = [...state.replaceRootVolumeTasks.values()].some(
    (t) => t.instanceId === instance.instanceId && t.taskState === 'pending',
  );
  if (busy)
    throw new AwsError(
      'IncorrectState',
      `A root volume replacement is already in progress for ${instance.instanceId}.`,
    );
  const task: ReplaceRootVolumeTask = {
    replaceRootVolumeTaskId: newEc2Id('replacevol'),
    instanceId: instance.instanceId,
    imageId,
    snapshotId,
    deleteReplacedRootVolume: input.DeleteReplacedRootVolume ?? false,
    startTime: now,
    completesAt: now.getTime() + state.timing.replaceRootVolumeDelayMs,
    taskState: 'pending',
  };
  state.replaceRootVolumeTasks.set(task.replaceRootVolumeTaskId, task);
  applyTagSpecifications(
    state,
    task.replaceRootVolumeTaskId,
    'replace-root-volume-task',
    readTagSpecifications(input),
  );
  return { replaceRootVolumeTask: taskView(state, task) };
}

/**
 * DescribeReplaceRootVolumeTasks documents one filter, `instance-id`, and no tag filter
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeReplaceRootVolumeTasks.html).
 */
const TASK_FILTERS: FilterFields<ReplaceRootVolumeTask> = {
  'instance-id': (t) => t.instanceId,
};
const TASK_TAG_FILTERS: readonly TagFilter[] = [];

function describeReplaceRootVolumeTasks({ input, state }: Ec2Context) {
  const ids = input.ReplaceRootVolumeTaskIds ?? [];
  const tasks = [...state.replaceRootVolumeTasks.values()].filter(
    (t) => ids.length === 0 || ids.includes(t.replaceRootVolumeTaskId),
  );
  const filtered = applyFilters(
    state,
    tasks,
    (t) => t.replaceRootVolumeTaskId,
    readFilters(input),
    TASK_FILTERS,
    TASK_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  return { replaceRootVolumeTaskSet: page.items.map((t) => taskView(state, t)), nextToken: page.nextToken };
}

/** CreateReplaceRootVolumeTask, DescribeReplaceRootVolumeTasks. */
export const replaceRootVolumeOperations: Ec2Operations = {
  CreateReplaceRootVolumeTask: createReplaceRootVolumeTask,
  DescribeReplaceRootVolumeTasks: describeReplaceRootVolumeTasks,
};
