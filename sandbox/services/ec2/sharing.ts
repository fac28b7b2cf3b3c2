import type {
  CreateVolumePermission,
  DescribeImageAttributeRequest,
  DescribeSnapshotAttributeRequest,
  LaunchPermission,
  ModifyImageAttributeRequest,
  ModifySnapshotAttributeRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';
import type { Ec2State } from './state.ts';

/**
 * Who may create volumes from a snapshot or launch an image besides its owner: the `all` group
 * (anyone: public), an account id, or (images only) an organization or organizational unit ARN.
 * Shapes are the EC2 model's `CreateVolumePermission` and `LaunchPermission`.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyImageAttribute.html
 */
interface Permission {
  readonly group?: 'all';
  readonly userId?: string;
  readonly organizationArn?: string;
  readonly organizationalUnitArn?: string;
}

const keyOf = (p: Permission) =>
  p.group ? `group:${p.group}` : (p.userId ?? p.organizationArn ?? p.organizationalUnitArn ?? '');

/** The permissions of each snapshot and image, per account and region (the EC2 state). */
const sharesByState = new WeakMap<Ec2State, Map<string, Map<string, Permission>>>();
function sharesOf(state: Ec2State, resourceId: string): Map<string, Permission> {
  let byResource = sharesByState.get(state);
  if (!byResource) {
    byResource = new Map();
    sharesByState.set(state, byResource);
  }
  let shares = byResource.get(resourceId);
  if (!shares) {
    shares = new Map();
    byResource.set(resourceId, shares);
  }
  return shares;
}

/**
 * Whether one of `who` may create volumes from the snapshot: `all` names public sharing, an account
 * id a share with that account (DescribeSnapshots' RestorableByUserIds,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html).
 */
export function restorableBy(state: Ec2State, snapshotId: string, who: readonly string[]): boolean {
  return [...sharesOf(state, snapshotId).values()].some((p) =>
    who.some((id) => (id === 'all' ? p.group === 'all' : p.userId === id)),
  );
}

function readPermission(item: LaunchPermission & CreateVolumePermission): Permission {
  const { Group: group, UserId: userId } = item;
  if (group !== undefined && group !== 'all')
    throw new AwsError('InvalidParameterValue', `Value (${group}) for parameter group is invalid.`);
  if (userId !== undefined && !/^\d{12}$/.test(userId))
    throw new AwsError('InvalidParameterValue', `Value (${userId}) for parameter userId is invalid.`);
  const permission = {
    group,
    userId,
    organizationArn: item.OrganizationArn,
    organizationalUnitArn: item.OrganizationalUnitArn,
  };
  if (keyOf(permission) === '')
    throw new AwsError('MissingParameter', 'A permission must name a group, a user id or an organization.');
  return permission;
}

/**
 * The permissions a Modify call adds and removes: either the `<Attribute>.Add.N`/`.Remove.N`
 * structure, or `OperationType` with `UserId.N` and `UserGroup.N` (and, for images,
 * `OrganizationArn.N` and `OrganizationalUnitArn.N`). Adding and removing at once is refused,
 * as EC2 does ("you cannot do both in a single operation").
 */
function readModifications(request: {
  modifications: { Add?: LaunchPermission[]; Remove?: LaunchPermission[] } | undefined;
  operationType: string | undefined;
  userGroups: readonly string[] | undefined;
  userIds: readonly string[] | undefined;
  organizationArns?: readonly string[];
  organizationalUnitArns?: readonly string[];
}) {
  let add = (request.modifications?.Add ?? []).map(readPermission);
  let remove = (request.modifications?.Remove ?? []).map(readPermission);
  const operation = request.operationType;
  const listed: Permission[] = [
    ...(request.userGroups ?? []).map((group) => readPermissionOf({ group })),
    ...(request.userIds ?? []).map((userId) => readPermissionOf({ userId })),
    ...(request.organizationArns ?? []).map((organizationArn) => ({ organizationArn })),
    ...(request.organizationalUnitArns ?? []).map((organizationalUnitArn) => ({ organizationalUnitArn })),
  ];
  if (listed.length > 0) {
    if (operation !== 'add' && operation !== 'remove')
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${operation ?? ''}) for parameter operationType is invalid.`,
      );
    if (operation === 'add') add = [...add, ...listed];
    else remove = [...remove, ...listed];
  }
  if (add.length > 0 && remove.length > 0)
    throw new AwsError(
      'InvalidParameterCombination',
      'You cannot add and remove permissions in the same request.',
    );
  return { add, remove };
}

function readPermissionOf(fields: { group?: string; userId?: string }): Permission {
  if (fields.group !== undefined && fields.group !== 'all')
    throw new AwsError('InvalidParameterValue', `Value (${fields.group}) for parameter group is invalid.`);
  if (fields.userId !== undefined && !/^\d{12}$/.test(fields.userId))
    throw new AwsError('InvalidParameterValue', `Value (${fields.userId}) for parameter userId is invalid.`);
  return { group: fields.group as 'all' | undefined, userId: fields.userId };
}

function apply(shares: Map<string, Permission>, add: Permission[], remove: Permission[]): void {
  for (const p of add) shares.set(keyOf(p), p);
  // Removing a permission the resource does not have is not an error in EC2.
  for (const p of remove) shares.delete(keyOf(p));
}

/** Only the attribute this module keeps may be read or changed; others are refused, not ignored. */
function requireAttribute(attribute: string, allowed: string): void {
  if (attribute !== allowed)
    throw new AwsError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid.`);
}

function modifySnapshotAttribute({ input, state }: Ec2Context) {
  const request = input as ModifySnapshotAttributeRequest;
  const snapshot = requireOne(state, KINDS.snapshot, requiredMember(request, 'SnapshotId'));
  if (request.Attribute !== undefined)
    requireAttribute(requiredMember(request, 'Attribute'), 'createVolumePermission');
  const { add, remove } = readModifications({
    modifications: request.CreateVolumePermission,
    operationType: request.OperationType,
    userGroups: request.GroupNames,
    userIds: request.UserIds,
  });
  apply(sharesOf(state, snapshot.snapshotId), add, remove);
  return { Return: true };
}

function describeSnapshotAttribute({ input, state }: Ec2Context) {
  const request = input as DescribeSnapshotAttributeRequest;
  requireAttribute(requiredMember(request, 'Attribute'), 'createVolumePermission');
  const snapshot = requireOne(state, KINDS.snapshot, requiredMember(request, 'SnapshotId'));
  const shares = [...sharesOf(state, snapshot.snapshotId).values()];
  return {
    SnapshotId: snapshot.snapshotId,
    CreateVolumePermissions: shares.map((p) => ({ Group: p.group, UserId: p.userId })),
  };
}

/** Launch permissions of an image; `all` is kept as the image's `isPublic`, which DescribeImages reports. */
function modifyImageAttribute({ input, state }: Ec2Context) {
  const request = input as ModifyImageAttributeRequest;
  const image = requireOne(state, KINDS.image, requiredMember(request, 'ImageId'));
  if (request.Attribute !== undefined)
    requireAttribute(requiredMember(request, 'Attribute'), 'launchPermission');
  const { add, remove } = readModifications({
    modifications: request.LaunchPermission,
    operationType: request.OperationType,
    userGroups: request.UserGroups,
    userIds: request.UserIds,
    organizationArns: request.OrganizationArns,
    organizationalUnitArns: request.OrganizationalUnitArns,
  });
  const shares = sharesOf(state, image.imageId);
  apply(
    shares,
    add.filter((p) => !p.group),
    remove.filter((p) => !p.group),
  );
  const isPublic = add.some((p) => p.group) ? true : remove.some((p) => p.group) ? false : image.isPublic;
  state.images.set(image.imageId, { ...image, isPublic });
  return { Return: true };
}

function describeImageAttribute({ input, state }: Ec2Context) {
  const request = input as DescribeImageAttributeRequest;
  requireAttribute(requiredMember(request, 'Attribute'), 'launchPermission');
  const image = requireOne(state, KINDS.image, requiredMember(request, 'ImageId'));
  const shares = [...sharesOf(state, image.imageId).values()];
  return {
    ImageId: image.imageId,
    LaunchPermissions: [
      ...(image.isPublic ? [{ Group: 'all' }] : []),
      ...shares.map((p) => ({
        UserId: p.userId,
        OrganizationArn: p.organizationArn,
        OrganizationalUnitArn: p.organizationalUnitArn,
      })),
    ],
  };
}

/** ModifySnapshotAttribute, DescribeSnapshotAttribute (createVolumePermission), ModifyImageAttribute, DescribeImageAttribute (launchPermission). */
export const sharingOperations: Ec2Operations = {
  ModifySnapshotAttribute: modifySnapshotAttribute,
  DescribeSnapshotAttribute: describeSnapshotAttribute,
  ModifyImageAttribute: modifyImageAttribute,
  DescribeImageAttribute: describeImageAttribute,
};
