import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import { requestAs } from './cloudtrail-request.ts';
import type { Resource } from './finding.ts';

/**
 * Data shared out: calls that let another account, or anyone, create a volume from an EBS
 * snapshot, launch an AMI, or copy or restore a manual RDS snapshot. Each becomes a finding about the snapshot or image (`Other`, typed as
 * Security Hub names the resource) whose `change` lists exactly the permissions the call added, so
 * the revoke-outside-sharing playbook removes those and nothing else.
 *
 * CloudTrail records the request with the query API's names in lower camel case and lists as
 * `{ "items": [...] }`: `createVolumePermission.add.items[].userId|group` for
 * ModifySnapshotAttribute, `launchPermission.add.items[]` for ModifyImageAttribute; the older
 * form `operationType` with `userId`/`userGroup` lists is read too.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyImageAttribute.html
 */

/** Severity scores of a sharing call. */
export const SHARING_SEVERITY = {
  /** Shared with `all`: anyone with an AWS account can copy the data. */
  public: 8,
  /** Shared with another account: whether it is outside the organization is decided by the playbook. */
  otherAccount: 6,
  /** Permissions removed, or shared with the owning account itself, or an organization (AMIs). */
  narrower: 2,
} as const;

/** A permission the call added, as the EC2 API names it (what the playbook removes). */
export interface SharedPermission {
  Group?: 'all';
  UserId?: string;
  OrganizationArn?: string;
  OrganizationalUnitArn?: string;
}

const Item = z.looseObject({
  userId: z.optional(z.string()),
  group: z.optional(z.string()),
  organizationArn: z.optional(z.string()),
  organizationalUnitArn: z.optional(z.string()),
});
const Items = z.optional(z.looseObject({ items: z.optional(z.array(Item)) }));
const Modifications = z.optional(z.looseObject({ add: Items, remove: Items }));
/** A list CloudTrail may record as `{items: [{userId}]}`, `[...]` or one string. */
const Listed = z.optional(z.unknown());

const SnapshotRequest = z.looseObject({
  snapshotId: z.string().check(z.regex(/^snap-[0-9a-f]{8,17}$/)),
  createVolumePermission: Modifications,
  operationType: z.optional(z.string()),
  userId: Listed,
  userGroup: Listed,
});
const ImageRequest = z.looseObject({
  imageId: z.string().check(z.regex(/^ami-[0-9a-f]{8,17}$/)),
  launchPermission: Modifications,
  operationType: z.optional(z.string()),
  userId: Listed,
  userGroup: Listed,
});

type Call = {
  detail: {
    eventName: string;
    recipientAccountId?: string;
    requestParameters?: Record<string, unknown> | null;
  };
};

/** The strings of a recorded list, whatever form CloudTrail gave it (`key` names the item field). */
function strings(value: unknown, key: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, key));
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('items' in object) return strings(object['items'], key);
    if (key in object) return strings(object[key], key);
  }
  return [];
}

/** The permissions the request added (structure or `operationType: add` form). */
function addedPermissions(
  modifications: z.infer<typeof Modifications>,
  request: { operationType?: string; userId?: unknown; userGroup?: unknown },
): SharedPermission[] {
  const fromStructure = (modifications?.add?.items ?? []).map(
    (item): SharedPermission => ({
      ...(item.group === 'all' ? { Group: 'all' as const } : {}),
      ...(item.userId ? { UserId: item.userId } : {}),
      ...(item.organizationArn ? { OrganizationArn: item.organizationArn } : {}),
      ...(item.organizationalUnitArn ? { OrganizationalUnitArn: item.organizationalUnitArn } : {}),
    }),
  );
  const fromLists =
    request.operationType?.toLowerCase() === 'add'
      ? [
          ...strings(request.userGroup, 'userGroup')
            .filter((g) => g === 'all')
            .map((): SharedPermission => ({ Group: 'all' })),
          ...strings(request.userId, 'userId').map((id): SharedPermission => ({ UserId: id })),
        ]
      : [];
  return [...fromStructure, ...fromLists].filter((p) => Object.keys(p).length > 0);
}

/** What one sharing call means. */
export interface SharingAssessment {
  resource: Resource;
  score: number;
  title: string;
  change: Record<string, unknown>;
}

function assess(
  event: Call,
  resource: Resource & { kind: 'Other' },
  noun: string,
  added: SharedPermission[],
): SharingAssessment {
  const owner = event.detail.recipientAccountId;
  const isPublic = added.some((p) => p.Group === 'all');
  const accounts = added.flatMap((p) => (p.UserId && p.UserId !== owner ? [p.UserId] : []));
  const change = { [resource.type === 'AwsEc2Image' ? 'imageId' : 'snapshotId']: resource.id, added };

  if (isPublic)
    return { resource, change, score: SHARING_SEVERITY.public, title: `${noun} ${resource.id} made public` };
  if (accounts.length > 0)
    return {
      resource,
      change,
      score: SHARING_SEVERITY.otherAccount,
      title: `${noun} ${resource.id} shared with account ${accounts.join(', ')}`,
    };
  return {
    resource,
    change,
    score: SHARING_SEVERITY.narrower,
    title: `${noun} ${resource.id} permissions changed (not shared with another account)`,
  };
}

// ModifyDBSnapshotAttribute and ModifyDBClusterSnapshotAttribute: AttributeName `restore`,
// ValuesToAdd (account ids or `all`), ValuesToRemove. CloudTrail records RDS members as
// `dBSnapshotIdentifier`, `dBClusterSnapshotIdentifier`, `attributeName`, `valuesToAdd`.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html
const DbSnapshotRequest = z.looseObject({
  attributeName: z.optional(z.string()),
  valuesToAdd: z.nullish(z.array(z.string())),
});
/** A manual snapshot's identifier: a letter, then letters, digits and hyphens (up to 255). */
const SNAPSHOT_IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,254}$/;
/** The identifier in a snapshot ARN, which the API accepts in its place. */
const SNAPSHOT_ARN = /^arn:aws[\w-]*:rds:[\w-]+:\d{12}:(?:cluster-)?snapshot:(.+)$/;

function assessDbSnapshot(event: Call, cluster: boolean): SharingAssessment {
  const request = requestAs(event, DbSnapshotRequest);
  const raw = event.detail.requestParameters ?? {};
  // RDS's lower camel case keeps the `DB` prefix as `dB`; accept `db` too.
  const field = cluster ? 'ClusterSnapshotIdentifier' : 'SnapshotIdentifier';
  const named = raw[`dB${field}`] ?? raw[`db${field}`];
  const identifier = typeof named === 'string' ? (SNAPSHOT_ARN.exec(named)?.[1] ?? named) : undefined;
  if (identifier === undefined || !SNAPSHOT_IDENTIFIER.test(identifier))
    throw new InvalidFindingError(`${event.detail.eventName} names no usable snapshot`, [
      `detail.requestParameters.dB${field}: missing or not a snapshot identifier`,
    ]);
  const added =
    request.attributeName === 'restore'
      ? (request.valuesToAdd ?? []).map(
          (value): SharedPermission => (value === 'all' ? { Group: 'all' } : { UserId: value }),
        )
      : [];
  const type = cluster ? 'AwsRdsDbClusterSnapshot' : 'AwsRdsDbSnapshot';
  return assess(
    event,
    { kind: 'Other', type, id: identifier },
    cluster ? 'RDS cluster snapshot' : 'RDS snapshot',
    added,
  );
}

function assessSnapshot(event: Call): SharingAssessment {
  const request = requestAs(event, SnapshotRequest);
  return assess(
    event,
    { kind: 'Other', type: 'AwsEc2Snapshot', id: request.snapshotId },
    'EBS snapshot',
    addedPermissions(request.createVolumePermission, request),
  );
}

function assessImage(event: Call): SharingAssessment {
  const request = requestAs(event, ImageRequest);
  return assess(
    event,
    { kind: 'Other', type: 'AwsEc2Image', id: request.imageId },
    'AMI',
    addedPermissions(request.launchPermission, request),
  );
}

/** The sharing calls, by CloudTrail event name, with the `eventSource` each must come from. */
export const SHARING_CALLS: Readonly<
  Record<string, { eventSource: string; assess: (event: Call) => SharingAssessment }>
> = {
  ModifySnapshotAttribute: { eventSource: 'ec2.amazonaws.com', assess: assessSnapshot },
  ModifyImageAttribute: { eventSource: 'ec2.amazonaws.com', assess: assessImage },
  ModifyDBSnapshotAttribute: { eventSource: 'rds.amazonaws.com', assess: (e) => assessDbSnapshot(e, false) },
  ModifyDBClusterSnapshotAttribute: {
    eventSource: 'rds.amazonaws.com',
    assess: (e) => assessDbSnapshot(e, true),
  },
};

/** The EventBridge `source` of each service whose sharing calls are subscribed. */
export const SHARING_SOURCES = ['aws.ec2', 'aws.rds'] as const;
