import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, missingParameter } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { instanceView, stateView } from './instance-view.ts';
import { KINDS, requireAll } from './lookups.ts';
import { INSTANCE_STATE_CODES, type Instance, type InstanceStateName } from './resources.ts';
import { runInstances } from './run-instances.ts';
import type { Ec2State } from './state.ts';

/** DescribeInstances documents `tag:<key>` and `tag-key` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html). */
const INSTANCE_TAG_FILTERS: readonly TagFilter[] = ['tag:', 'tag-key'];

/** The documented filters of DescribeInstances the sandbox evaluates (same page). */
function instanceFilters(state: Ec2State): FilterFields<Instance> {
  const enis = (i: Instance) => state.interfacesOf(i.instanceId);
  return {
    'instance-id': (i) => i.instanceId,
    'instance-state-name': (i) => i.state,
    'instance-state-code': (i) => INSTANCE_STATE_CODES[i.state],
    'instance-type': (i) => i.instanceType,
    'image-id': (i) => i.imageId,
    'vpc-id': (i) => i.vpcId,
    'subnet-id': (i) => i.subnetId,
    'availability-zone': (i) => i.availabilityZone,
    'reservation-id': (i) => i.reservationId,
    'private-ip-address': (i) => enis(i)[0]?.privateIpAddress,
    'network-interface.network-interface-id': (i) => enis(i).map((e) => e.networkInterfaceId),
    'instance.group-id': (i) => enis(i)[0]?.groupIds ?? [],
    'group-id': (i) => enis(i)[0]?.groupIds ?? [],
    'network-interface.group-id': (i) => enis(i).flatMap((e) => e.groupIds),
    'iam-instance-profile.arn': (i) => state.associationOf(i.instanceId)?.iamInstanceProfile.arn,
    'block-device-mapping.volume-id': (i) => state.volumesOf(i.instanceId).map((v) => v.volumeId),
  };
}

/** Instances grouped into the reservations they were launched in, as DescribeInstances returns them. */
function describeInstances({ input, state }: Ec2Context) {
  const ids = input.InstanceIds ?? [];
  const scope = ids.length > 0 ? requireAll(state, KINDS.instance, ids) : state.instances.values();
  const filtered = applyFilters(
    state,
    scope,
    (i) => i.instanceId,
    readFilters(input),
    instanceFilters(state),
    INSTANCE_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  const reservations = new Map<string, Instance[]>();
  for (const instance of page.items) {
    reservations.set(instance.reservationId, [...(reservations.get(instance.reservationId) ?? []), instance]);
  }
  return {
    reservationSet: [...reservations].map(([reservationId, instances]) => ({
      reservationId,
      ownerId: state.accountId,
      groupSet: [],
      instancesSet: instances.map((instance) => instanceView(state, instance)),
    })),
    nextToken: page.nextToken,
  };
}

/**
 * What termination leaves behind: volumes and interfaces marked DeleteOnTermination are
 * deleted, the rest detached; the instance profile association ends.
 */
function releaseResources(state: Ec2State, instance: Instance): void {
  for (const volume of state.volumesOf(instance.instanceId)) {
    if (volume.attachment?.deleteOnTermination) state.forget(volume.volumeId, state.volumes);
    else volume.attachment = undefined;
  }
  for (const eni of state.interfacesOf(instance.instanceId)) {
    if (eni.attachment?.deleteOnTermination) state.forget(eni.networkInterfaceId, state.networkInterfaces);
    else eni.attachment = undefined;
  }
  const association = state.associationOf(instance.instanceId);
  if (association) state.iamInstanceProfileAssociations.delete(association.associationId);
}

/** The `reason` EC2 records when a user stops or terminates an instance. */
function userInitiated(now: Date): string {
  return `User initiated (${now.toISOString().replace('T', ' ').slice(0, 19)} GMT)`;
}

function stateChange(instance: Instance, previous: InstanceStateName, current: InstanceStateName) {
  return {
    instanceId: instance.instanceId,
    currentState: stateView(current),
    previousState: stateView(previous),
  };
}

/** Termination protection on any instance fails the whole request and terminates none. */
function terminateInstances({ input, state, now }: Ec2Context) {
  const instances = requireAll(state, KINDS.instance, input.InstanceIds ?? []);
  if (instances.length === 0) throw missingParameter('InstanceId.1');
  const protectedInstance = instances.find((i) => i.disableApiTermination && i.state !== 'terminated');
  if (protectedInstance) {
    throw new AwsError(
      'OperationNotPermitted',
      `The instance '${protectedInstance.instanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
    );
  }
  const changes = instances.map((instance) => {
    const previous = instance.state;
    if (previous === 'terminated') return stateChange(instance, previous, previous);
    instance.state = 'terminated';
    instance.stateTransitionReason = userInitiated(now);
    releaseResources(state, instance);
    return stateChange(instance, previous, 'shutting-down');
  });
  return { instancesSet: changes };
}

function stopInstances({ input, state, now }: Ec2Context) {
  const instances = requireAll(state, KINDS.instance, input.InstanceIds ?? []);
  if (instances.length === 0) throw missingParameter('InstanceId.1');
  const stuck = instances.find((i) => i.state === 'terminated' || i.state === 'shutting-down');
  if (stuck) {
    throw new AwsError(
      'IncorrectInstanceState',
      `This instance '${stuck.instanceId}' is not in a state from which it can be stopped.`,
    );
  }
  const changes = instances.map((instance) => {
    const previous = instance.state;
    if (previous === 'stopped') return stateChange(instance, previous, previous);
    instance.state = 'stopped';
    instance.stateTransitionReason = userInitiated(now);
    return stateChange(instance, previous, 'stopping');
  });
  return { instancesSet: changes };
}

function startInstances({ input, state }: Ec2Context) {
  const instances = requireAll(state, KINDS.instance, input.InstanceIds ?? []);
  if (instances.length === 0) throw missingParameter('InstanceId.1');
  const stuck = instances.find((i) => i.state !== 'stopped' && i.state !== 'running');
  if (stuck) {
    throw new AwsError(
      'IncorrectInstanceState',
      `The instance '${stuck.instanceId}' is not in a state from which it can be started.`,
    );
  }
  const changes = instances.map((instance) => {
    const previous = instance.state;
    if (previous === 'running') return stateChange(instance, previous, previous);
    instance.state = 'running';
    instance.stateTransitionReason = '';
    return stateChange(instance, previous, 'pending');
  });
  return { instancesSet: changes };
}

/** RunInstances, DescribeInstances, Terminate/Stop/StartInstances. */
export const instanceOperations: Ec2Operations = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  StopInstances: stopInstances,
  StartInstances: startInstances,
};
