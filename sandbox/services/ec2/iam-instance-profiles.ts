import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember, resolveRequestedProfile } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters, type TagFilter } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { IamInstanceProfileAssociation } from './resources.ts';

type AssociationState = 'associating' | 'associated' | 'disassociating';

/**
 * The association as EC2 returns it. The sandbox applies changes at once, but the
 * mutating calls report the transitional state AWS reports (`associating`, `disassociating`).
 */
function associationView(association: IamInstanceProfileAssociation, state: AssociationState = 'associated') {
  return {
    associationId: association.associationId,
    instanceId: association.instanceId,
    iamInstanceProfile: { arn: association.iamInstanceProfile.arn, id: association.iamInstanceProfile.id },
    state,
    timestamp: association.timestamp,
  };
}

/**
 * DescribeIamInstanceProfileAssociations documents `instance-id` and `state`, no tag filter
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeIamInstanceProfileAssociations.html).
 */
const ASSOCIATION_TAG_FILTERS: readonly TagFilter[] = [];
const ASSOCIATION_FILTERS: FilterFields<IamInstanceProfileAssociation> = {
  'instance-id': (a) => a.instanceId,
  state: () => 'associated',
};

/** An instance holds one profile at a time: a second Associate is `IncorrectState`. */
function associateIamInstanceProfile(ctx: Ec2Context) {
  const { state, now } = ctx;
  const instance = requireOne(state, KINDS.instance, requiredMember(ctx.input, 'InstanceId'));
  if (instance.state !== 'running' && instance.state !== 'stopped') {
    throw new AwsError(
      'IncorrectState',
      `The instance '${instance.instanceId}' is not in the 'running' or 'stopped' state.`,
    );
  }
  if (state.associationOf(instance.instanceId)) {
    throw new AwsError(
      'IncorrectState',
      `There is an existing association for instance ${instance.instanceId}`,
    );
  }
  const association: IamInstanceProfileAssociation = {
    associationId: newEc2Id('iip-assoc'),
    instanceId: instance.instanceId,
    iamInstanceProfile: resolveRequestedProfile(ctx),
    timestamp: now,
  };
  state.iamInstanceProfileAssociations.set(association.associationId, association);
  return { iamInstanceProfileAssociation: associationView(association, 'associating') };
}

function describeIamInstanceProfileAssociations({ input, state }: Ec2Context) {
  const ids = input.AssociationIds ?? [];
  const scope =
    ids.length > 0
      ? requireAll(state, KINDS.iamInstanceProfileAssociation, ids)
      : state.iamInstanceProfileAssociations.values();
  const filtered = applyFilters(
    state,
    scope,
    (a) => a.associationId,
    readFilters(input),
    ASSOCIATION_FILTERS,
    ASSOCIATION_TAG_FILTERS,
  );
  const page = paginate(filtered, input);
  return {
    iamInstanceProfileAssociationSet: page.items.map((a) => associationView(a)),
    nextToken: page.nextToken,
  };
}

function disassociateIamInstanceProfile({ input, state }: Ec2Context) {
  const association = requireOne(
    state,
    KINDS.iamInstanceProfileAssociation,
    requiredMember(input, 'AssociationId'),
  );
  state.iamInstanceProfileAssociations.delete(association.associationId);
  return { iamInstanceProfileAssociation: associationView(association, 'disassociating') };
}

/** Swap the profile in one step, so the instance is never left without one. */
function replaceIamInstanceProfileAssociation(ctx: Ec2Context) {
  const { state, now } = ctx;
  const previous = requireOne(
    state,
    KINDS.iamInstanceProfileAssociation,
    requiredMember(ctx.input, 'AssociationId'),
  );
  const iamInstanceProfile = resolveRequestedProfile(ctx);
  state.iamInstanceProfileAssociations.delete(previous.associationId);
  const association: IamInstanceProfileAssociation = {
    associationId: newEc2Id('iip-assoc'),
    instanceId: previous.instanceId,
    iamInstanceProfile,
    timestamp: now,
  };
  state.iamInstanceProfileAssociations.set(association.associationId, association);
  return { iamInstanceProfileAssociation: associationView(association, 'associating') };
}

/** Associate/Describe/Disassociate/Replace IAM instance profile association(s). */
export const iamInstanceProfileOperations: Ec2Operations = {
  AssociateIamInstanceProfile: associateIamInstanceProfile,
  DescribeIamInstanceProfileAssociations: describeIamInstanceProfileAssociations,
  DisassociateIamInstanceProfile: disassociateIamInstanceProfile,
  ReplaceIamInstanceProfileAssociation: replaceIamInstanceProfileAssociation,
};
