import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
import type { FormParams } from './form-params.ts';
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

function readPermission(item: FormParams, images: boolean): Permission {
  const group = item.string('Group');
  if (group !== undefined && group !== 'all')
    throw new AwsError('InvalidParameterValue', `Value (${group}) for parameter group is invalid.`);
  const userId = item.string('UserId');
  if (userId !== undefined && !/^\d{12}$/.test(userId))
    throw new AwsError('InvalidParameterValue', `Value (${userId}) for parameter userId is invalid.`);
  const organizationArn = images ? item.string('OrganizationArn') : undefined;
  const organizationalUnitArn = images ? item.string('OrganizationalUnitArn') : undefined;
  const permission = { group: group as 'all' | undefined, userId, organizationArn, organizationalUnitArn };
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
function readModifications(params: FormParams, structure: string, images: boolean) {
  const mods = params.struct(structure);
  let add = mods.structs('Add').map((item) => readPermission(item, images));
  let remove = mods.structs('Remove').map((item) => readPermission(item, images));
  const operation = params.string('OperationType');
  const listed: Permission[] = [
    ...params.list('UserGroup').map((group) => readPermissionOf({ group })),
    ...params.list('UserId').map((userId) => readPermissionOf({ userId })),
    ...(images ? params.list('OrganizationArn').map((organizationArn) => ({ organizationArn })) : []),
    ...(images
      ? params.list('OrganizationalUnitArn').map((organizationalUnitArn) => ({ organizationalUnitArn }))
      : []),
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
function requireAttribute(params: FormParams, allowed: string): void {
  const attribute = params.required('Attribute');
  if (attribute !== allowed)
    throw new AwsError('InvalidParameterValue', `Value (${attribute}) for parameter attribute is invalid.`);
}

function modifySnapshotAttribute({ params, state }: Ec2Context) {
  const snapshot = requireOne(state, KINDS.snapshot, params.required('SnapshotId'));
  if (params.has('Attribute')) requireAttribute(params, 'createVolumePermission');
  const { add, remove } = readModifications(params, 'CreateVolumePermission', false);
  apply(sharesOf(state, snapshot.snapshotId), add, remove);
  return { return: true };
}

function describeSnapshotAttribute({ params, state }: Ec2Context) {
  requireAttribute(params, 'createVolumePermission');
  const snapshot = requireOne(state, KINDS.snapshot, params.required('SnapshotId'));
  const shares = [...sharesOf(state, snapshot.snapshotId).values()];
  return {
    snapshotId: snapshot.snapshotId,
    createVolumePermission: shares.map((p) => ({ group: p.group, userId: p.userId })),
  };
}

/** Launch permissions of an image; `all` is kept as the image's `isPublic`, which DescribeImages reports. */
function modifyImageAttribute({ params, state }: Ec2Context) {
  const image = requireOne(state, KINDS.image, params.required('ImageId'));
  if (params.has('Attribute')) requireAttribute(params, 'launchPermission');
  const { add, remove } = readModifications(params, 'LaunchPermission', true);
  const shares = sharesOf(state, image.imageId);
  apply(
    shares,
    add.filter((p) => !p.group),
    remove.filter((p) => !p.group),
  );
  const isPublic = add.some((p) => p.group) ? true : remove.some((p) => p.group) ? false : image.isPublic;
  state.images.set(image.imageId, { ...image, isPublic });
  return { return: true };
}

function describeImageAttribute({ params, state }: Ec2Context) {
  requireAttribute(params, 'launchPermission');
  const image = requireOne(state, KINDS.image, params.required('ImageId'));
  const shares = [...sharesOf(state, image.imageId).values()];
  return {
    imageId: image.imageId,
    launchPermission: [
      ...(image.isPublic ? [{ group: 'all' }] : []),
      ...shares.map((p) => ({
        userId: p.userId,
        organizationArn: p.organizationArn,
        organizationalUnitArn: p.organizationalUnitArn,
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
