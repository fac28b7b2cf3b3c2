import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

const PermissionSchema = z.looseObject({
  Group: z.optional(z.string()),
  UserId: z.optional(z.string()),
  OrganizationArn: z.optional(z.string()),
  OrganizationalUnitArn: z.optional(z.string()),
});

/** The plan revoke-outside-sharing records as the details of its `RemoveSharing` record. */
const RemovalSchema = z.looseObject({
  resourceType: z.enum(['AwsEc2Snapshot', 'AwsEc2Image', 'AwsRdsDbSnapshot', 'AwsRdsDbClusterSnapshot']),
  resourceId: z.string().check(z.minLength(1)),
  permissions: z.array(PermissionSchema),
  remove: z.array(PermissionSchema),
});

/** Only the fields the API takes: what was recorded came from the Describe call. */
const apiPermission = (p: z.infer<typeof PermissionSchema>) =>
  Object.fromEntries(
    (['Group', 'UserId', 'OrganizationArn', 'OrganizationalUnitArn'] as const).flatMap((key) =>
      p[key] === undefined ? [] : [[key, p[key]]],
    ),
  );

/**
 * revoke-outside-sharing: give back exactly the permissions it removed, from its `RemoveSharing`
 * record. This shares the data out again, so the notes say so; undo waits for an approver by default.
 */
export function reverseRevokeOutsideSharing(trail: ExecutionTrail): Reversal {
  // One record per resource: a finding naming the account (EC2.1) made several snapshots private.
  const reversals = trail.succeeded.filter((r) => r.action === 'RemoveSharing').map(reverseRemoval);
  return { actions: reversals.flatMap((r) => r.actions), notes: reversals.flatMap((r) => r.notes) };
}

/** The reverse of one `RemoveSharing` record. */
function reverseRemoval(record: ExecutionTrail['succeeded'][number]): Reversal {
  if (!record.details) return { actions: [], notes: [] };
  let json: unknown;
  try {
    json = JSON.parse(record.details);
  } catch (error) {
    throw new UnreadableTrailError("the RemoveSharing record's details are not JSON", { cause: error });
  }
  const parsed = RemovalSchema.safeParse(json);
  if (!parsed.success)
    throw new UnreadableTrailError(
      `the RemoveSharing record's details are not as the playbook writes them (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
    );
  const { resourceType, resourceId, remove } = parsed.data;
  if (remove.length === 0) return { actions: [], notes: [] };
  const permissions = remove.map(apiPermission);
  const current = parsed.data.permissions.filter(
    (p) => !remove.some((r) => JSON.stringify(apiPermission(r)) === JSON.stringify(apiPermission(p))),
  );
  const isPublic = remove.some((p) => p.Group === 'all');
  const values = remove.flatMap((p) => (p.Group ? [p.Group] : p.UserId ? [p.UserId] : []));
  const action =
    resourceType === 'AwsEc2Snapshot'
      ? undoActions.shareSnapshot(resourceId, permissions, current)
      : resourceType === 'AwsEc2Image'
        ? undoActions.shareImage(resourceId, permissions, current)
        : undoActions.shareDbSnapshot(
            resourceType === 'AwsRdsDbClusterSnapshot',
            resourceId,
            values,
            current,
          );
  const noun = {
    AwsEc2Snapshot: 'EBS snapshot',
    AwsEc2Image: 'AMI',
    AwsRdsDbSnapshot: 'RDS snapshot',
    AwsRdsDbClusterSnapshot: 'RDS cluster snapshot',
  }[resourceType];
  return {
    actions: [action],
    notes: [
      `This shares ${noun} ${resourceId} again${isPublic ? ' with everyone (public)' : ` with ${permissions.map((p) => p['UserId'] ?? p['OrganizationArn'] ?? p['OrganizationalUnitArn']).join(', ')}`}: the risk the finding reported comes back.`,
    ],
  };
}
