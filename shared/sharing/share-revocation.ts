import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * What revoke-outside-sharing removes: of the permissions a sharing call added to an EBS snapshot,
 * an AMI or a manual RDS snapshot, those that reach outside the owner's trust (`all`, an account or organization the
 * policy does not trust) and that the resource still has. Nothing else: a permission the owner
 * gave before, or to a trusted account, stays.
 */

/** The resource types the playbook acts on, as Security Hub names them. */
export const SHARED_RESOURCE_TYPES = [
  'AwsEc2Snapshot',
  'AwsEc2Image',
  'AwsRdsDbSnapshot',
  'AwsRdsDbClusterSnapshot',
] as const;
export type SharedResourceType = (typeof SHARED_RESOURCE_TYPES)[number];

/** One permission, as EC2's `CreateVolumePermission` and `LaunchPermission` name it (PascalCase). */
export const PermissionSchema = z.looseObject({
  Group: z.optional(z.string()),
  UserId: z.optional(z.string()),
  OrganizationArn: z.optional(z.string()),
  OrganizationalUnitArn: z.optional(z.string()),
});
export type Permission = z.infer<typeof PermissionSchema>;

/** RDS attributes: the `restore` attribute's values are `all` and account ids. */
const RdsAttributes = z.optional(
  z.array(
    z.looseObject({
      AttributeName: z.optional(z.string()),
      AttributeValues: z.optional(z.array(z.string())),
    }),
  ),
);

/** An account id, or an organization id (`o-...`) whose organization and OU ARNs are trusted. */
const TrustedSchema = z.string().check(z.regex(/^(\d{12}|o-[a-z0-9]{10,32})$/));

/** What the planner is given: the finding's resource and change, the policy's params, the resource's permissions now. */
export const ShareRevocationInputSchema = z.object({
  accountId: z.string().check(z.regex(/^\d{12}$/)),
  resource: z.looseObject({ type: z.enum(SHARED_RESOURCE_TYPES), id: z.string().check(z.minLength(1)) }),
  /** The CloudTrail call's added permissions; absent for a finding that names only the resource. */
  change: z.nullish(z.looseObject({ added: z.optional(z.array(PermissionSchema)) })),
  decision: z.optional(
    z.looseObject({
      params: z.nullish(
        z.looseObject({
          trustedAccounts: z.optional(z.array(TrustedSchema)),
          /** Remove `all` only, for a rule routing a control that checks public sharing only (RDS.1). */
          publicOnly: z.optional(z.boolean()),
        }),
      ),
    }),
  ),
  /**
   * DescribeSnapshotAttribute (`CreateVolumePermissions`), DescribeImageAttribute
   * (`LaunchPermissions`), DescribeDBSnapshotAttributes or DescribeDBClusterSnapshotAttributes output.
   */
  described: z.looseObject({
    CreateVolumePermissions: z.optional(z.array(PermissionSchema)),
    LaunchPermissions: z.optional(z.array(PermissionSchema)),
    // Step Functions spells RDS's `DB...` members `Db...`, as the AWS SDK for Java 2.x does.
    DbSnapshotAttributesResult: z.optional(z.looseObject({ DbSnapshotAttributes: RdsAttributes })),
    DbClusterSnapshotAttributesResult: z.optional(
      z.looseObject({ DbClusterSnapshotAttributes: RdsAttributes }),
    ),
  }),
});
export type ShareRevocationInput = z.infer<typeof ShareRevocationInputSchema>;

/** Which permissions to remove, and why the others stay; recorded in the audit trail as is. */
export interface ShareRevocationPlan {
  resourceType: SharedResourceType;
  resourceId: string;
  /** `added`: only what the CloudTrail call added; `resource`: every outside permission (no call named). */
  scope: 'added' | 'resource';
  /** The resource's permissions as read now: the state before. */
  permissions: Permission[];
  /** The permissions to pass as `Remove` (and what undo adds back). */
  remove: Permission[];
  /** The same as RDS's `ValuesToRemove` takes them: `all` and account ids. */
  removeValues: string[];
  /** `remove.length`, for a Choice state. */
  count: number;
  /** Permissions the call added that the resource no longer has. */
  alreadyGone: Permission[];
  /** Permissions the call added that stay, each with the reason. */
  leftAlone: { permission: Permission; reason: string }[];
}

/** The planner's input is malformed: a bug in the state machine, not a finding to act on. */
export class ShareRevocationInputError extends RemediationError {
  override name = 'ShareRevocationInputError';
}

const keyOf = (p: Permission) =>
  p.Group ? `group:${p.Group}` : (p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn ?? '');
/** The `o-` id in an organization or OU ARN (`arn:aws:organizations::<mgmt>:organization/o-xxx`, `.../ou/o-xxx/ou-...`). */
const organizationOf = (arn: string) => /\/(o-[a-z0-9]{10,32})(\/|$)/.exec(arn)?.[1];

/** Why a permission may stay, or undefined when it reaches outside and must go. */
function whyTrusted(p: Permission, owner: string, trusted: readonly string[]): string | undefined {
  if (p.Group !== undefined) return undefined;
  if (p.UserId !== undefined) {
    if (p.UserId === owner) return 'the owning account itself';
    return trusted.includes(p.UserId) ? 'an account the policy trusts (params.trustedAccounts)' : undefined;
  }
  const org = organizationOf(p.OrganizationArn ?? p.OrganizationalUnitArn ?? '');
  return org && trusted.includes(org)
    ? 'an organization the policy trusts (params.trustedAccounts)'
    : undefined;
}

/** The permissions in a Describe output, RDS's `restore` values as `Group`/`UserId`. */
function permissionsOf(described: ShareRevocationInput['described']): Permission[] {
  if (described.CreateVolumePermissions) return described.CreateVolumePermissions;
  if (described.LaunchPermissions) return described.LaunchPermissions;
  const rds =
    described.DbSnapshotAttributesResult?.DbSnapshotAttributes ??
    described.DbClusterSnapshotAttributesResult?.DbClusterSnapshotAttributes ??
    [];
  return rds
    .filter((a) => a.AttributeName === 'restore')
    .flatMap((a) => a.AttributeValues ?? [])
    .map((value) => (value === 'all' ? { Group: 'all' } : { UserId: value }));
}

/**
 * Decide which permissions to remove. From a CloudTrail call, only those it added; otherwise every
 * permission of the resource. Of those, a permission stays when it names the owning account or
 * an account or organization listed in `params.trustedAccounts`; `all` always goes. A permission
 * the resource no longer has is reported as already gone, not removed. With `params.publicOnly`,
 * only `all` goes: shares with accounts stay, for a control that checks public sharing only.
 */
export function planShareRevocation(input: ShareRevocationInput): ShareRevocationPlan {
  const trusted = input.decision?.params?.trustedAccounts ?? [];
  const publicOnly = input.decision?.params?.publicOnly === true;
  const permissions = permissionsOf(input.described);
  const present = new Map(permissions.map((p) => [keyOf(p), p]));
  const added = input.change?.added;
  const scope = added ? 'added' : 'resource';
  const remove: Permission[] = [];
  const alreadyGone: Permission[] = [];
  const leftAlone: ShareRevocationPlan['leftAlone'] = [];
  const seen = new Set<string>();
  for (const candidate of added ?? permissions) {
    const key = keyOf(candidate);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    const reason =
      publicOnly && candidate.Group !== 'all'
        ? 'not public, and the rule removes public sharing only (params.publicOnly)'
        : whyTrusted(candidate, input.accountId, trusted);
    const current = present.get(key);
    if (reason) leftAlone.push({ permission: candidate, reason });
    else if (!current) alreadyGone.push(candidate);
    else remove.push(current);
  }
  return {
    resourceType: input.resource.type,
    resourceId: input.resource.id,
    scope,
    permissions,
    remove,
    removeValues: remove.flatMap((p) => (p.Group ? [p.Group] : p.UserId ? [p.UserId] : [])),
    count: remove.length,
    alreadyGone,
    leftAlone,
  };
}

/** Validate the planner's input, naming every offending field. */
export function parseShareRevocationInput(event: unknown): ShareRevocationInput {
  const parsed = ShareRevocationInputSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`);
  throw new ShareRevocationInputError(`invalid share revocation input: ${issues.join('; ')}`, {
    cause: parsed.error,
  });
}
