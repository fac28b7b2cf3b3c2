import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { Finding } from '../findings/finding.ts';
import { type IpPermission, type UndoAction, undoActions } from './actions.ts';
import type { TrailRecord } from './trail.ts';

/**
 * The names the playbooks give what they add, repeated here because `shared/` imports nothing
 * of `statemachines/`; a unit test checks they match the playbooks' own constants.
 */
export const PLAYBOOK_ARTIFACTS = {
  userSessionDenyPolicy: 'remediation-revoke-older-sessions',
  roleSessionDenyPolicy: 'remediation-revoke-instance-sessions',
  userTagKeys: ['remediation:finding', 'remediation:playbook', 'remediation:at'],
} as const;

/** The reverse of one execution: the calls in the order to make them, and what stays as it is. */
export interface Reversal {
  readonly actions: UndoAction[];
  readonly notes: string[];
}

/** The audit trail does not hold what an undo needs: the undo is refused with this message. */
export class UnreadableTrailError extends Error {
  override name = 'UnreadableTrailError';
}

/** The records of one execution, by the action they record, and the finding it acted on. */
export interface ExecutionTrail {
  readonly finding: Finding;
  /** The execution's succeeded records, oldest first. */
  readonly succeeded: readonly TrailRecord[];
}

/**
 * The JSON text of `field` of the execution's latest `action` record, validated against `schema`;
 * undefined without that record. Text that is not JSON, or not as `schema` says, is refused with
 * an `UnreadableTrailError` naming the record, the field and what is wrong.
 */
export function recorded<T extends z.ZodMiniType>(
  trail: ExecutionTrail,
  action: string,
  field: 'before' | 'after' | 'details',
  schema: T,
): z.infer<T> | undefined {
  const record = trail.succeeded.findLast((r) => r.action === action);
  if (!record) return undefined;
  const text = record[field];
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch (error) {
    throw new UnreadableTrailError(`the ${action} record's ${field} is not JSON`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || field}: ${i.message}`).join('; ');
    throw new UnreadableTrailError(
      `the ${action} record's ${field} is not as the playbook writes it (${issues})`,
    );
  }
  return parsed.data;
}

const has = (trail: ExecutionTrail, action: string) => trail.succeeded.some((r) => r.action === action);

function resourceOf<K extends Finding['resource']['kind']>(
  finding: Finding,
  kind: K,
): Extract<Finding['resource'], { kind: K }> {
  if (finding.resource.kind !== kind)
    throw new UnreadableTrailError(`the finding names a ${finding.resource.kind}, not a ${kind}`);
  return finding.resource as Extract<Finding['resource'], { kind: K }>;
}

/** disable-access-key: UpdateAccessKey → PutUserPolicy → TagUser, reversed. */
export function reverseDisableAccessKey(trail: ExecutionTrail): Reversal {
  const { accessKeyId, userName } = resourceOf(trail.finding, 'AccessKey');
  const actions: UndoAction[] = [];
  const notes: string[] = [];
  if (has(trail, 'TagUser')) actions.push(undoActions.untagUser(userName, PLAYBOOK_ARTIFACTS.userTagKeys));
  const policy = recorded(trail, 'PutUserPolicy', 'after', z.unknown());
  if (has(trail, 'PutUserPolicy'))
    actions.push(undoActions.deleteUserPolicy(userName, PLAYBOOK_ARTIFACTS.userSessionDenyPolicy, policy));
  const keys = recorded(
    trail,
    'UpdateAccessKey',
    'before',
    z.looseObject({
      keys: z.array(
        z.looseObject({ AccessKeyId: z.string(), Status: z.string(), UserName: z.optional(z.string()) }),
      ),
    }),
  );
  if (keys) {
    const key = keys.keys.find((k) => k.AccessKeyId === accessKeyId);
    if (key?.Status === 'Active')
      actions.push(undoActions.reactivateKey(key.UserName ?? userName, accessKeyId));
    else
      notes.push(
        `Access key ${accessKeyId} was already ${key?.Status ?? 'absent'} before: it stays Inactive.`,
      );
  }
  return { actions, notes };
}

const BeforeStateSchema = z.looseObject({
  instanceId: z.string(),
  networkInterfaces: z._default(
    z.array(
      z.looseObject({
        networkInterfaceId: z.string(),
        groups: z.array(z.looseObject({ GroupId: z.string() })),
      }),
    ),
    [],
  ),
  autoScaling: z.optional(
    z.looseObject({ member: z.boolean(), autoScalingGroupName: z.optional(z.string()) }),
  ),
  targetGroups: z._default(
    z.array(
      z.looseObject({
        targetGroupArn: z.string(),
        port: z.optional(z.number().check(z.int())),
        state: z.string(),
      }),
    ),
    [],
  ),
  instanceProfile: z.optional(
    z.looseObject({ associated: z.boolean(), instanceProfileArn: z.optional(z.string()) }),
  ),
  instanceRole: z.optional(z.looseObject({ roleName: z.optional(z.string()) })),
});

/**
 * quarantine-instance: detach from the ASG → deregister targets → isolate ENIs → deny role
 * sessions → disassociate the profile, reversed. Evidence preservation is not undone.
 */
export function reverseQuarantineInstance(trail: ExecutionTrail): Reversal {
  const before = recorded(trail, 'RecordBeforeState', 'before', BeforeStateSchema);
  if (!before) throw new UnreadableTrailError('the execution recorded no state before quarantine');
  const { instanceId } = before;
  const actions: UndoAction[] = [];
  const notes: string[] = [];

  const profileArn = before.instanceProfile?.instanceProfileArn;
  if (has(trail, 'DisassociateIamInstanceProfile') && profileArn)
    actions.push(undoActions.associateProfile(instanceId, profileArn));
  const roleName = before.instanceRole?.roleName;
  if (has(trail, 'PutRolePolicy') && roleName) {
    const policy = recorded(trail, 'PutRolePolicy', 'after', z.unknown());
    actions.push(undoActions.deleteRolePolicy(roleName, PLAYBOOK_ARTIFACTS.roleSessionDenyPolicy, policy));
  }
  const isolated = recorded(
    trail,
    'IsolateNetworkInterfaces',
    'after',
    z.array(
      z.looseObject({
        networkInterfaceId: z.string(),
        originalGroups: z.array(z.looseObject({ GroupId: z.string() })),
        isolationGroupId: z.optional(z.string()),
        changed: z.boolean(),
      }),
    ),
  );
  for (const eni of isolated ?? []) {
    if (!eni.changed) continue;
    const groups = eni.originalGroups.map((g) => g.GroupId);
    actions.push(undoActions.restoreGroups(eni.networkInterfaceId, groups, [eni.isolationGroupId]));
  }
  const deregistered = recorded(
    trail,
    'DeregisterTargets',
    'after',
    z.array(z.looseObject({ targetGroupArn: z.string(), deregistered: z.boolean() })),
  );
  for (const group of deregistered ?? []) {
    if (!group.deregistered) continue;
    const port = before.targetGroups.find((g) => g.targetGroupArn === group.targetGroupArn)?.port;
    if (port === undefined)
      throw new UnreadableTrailError(`no port recorded for target group ${group.targetGroupArn}`);
    actions.push(undoActions.registerTarget(group.targetGroupArn, instanceId, port));
  }
  const groupName = before.autoScaling?.autoScalingGroupName;
  if (has(trail, 'DetachInstances') && groupName) {
    actions.push(undoActions.attachInstance(groupName, instanceId));
    notes.push(
      `AttachInstances raises the desired capacity of ${groupName} by one: the quarantine kept it, so the group launched a replacement. Lower it by one (SetDesiredCapacity) if the replacement should go.`,
    );
  }
  if (has(trail, 'TagInstance'))
    notes.push(
      `Instance ${instanceId} keeps termination protection, stop-on-shutdown, its volumes kept on termination and its quarantine tag: evidence is not undone.`,
    );
  return { actions, notes };
}

/** A revoked rule as DescribeSecurityGroupRules reported it before revocation. */
const RevokedRuleSchema = z.looseObject({
  SecurityGroupRuleId: z.optional(z.string()),
  GroupId: z.optional(z.string()),
  IpProtocol: z.string(),
  FromPort: z.optional(z.number().check(z.int())),
  ToPort: z.optional(z.number().check(z.int())),
  CidrIpv4: z.optional(z.string()),
  CidrIpv6: z.optional(z.string()),
  Description: z.optional(z.string()),
});

/** revoke-open-ingress: authorize exactly the rules it revoked, as they were, each in its own group. */
export function reverseRevokeOpenIngress(trail: ExecutionTrail): Reversal {
  // A security-group finding names the group; a port probe names an instance, and each revoked
  // rule carries its group (DescribeSecurityGroupRules' GroupId).
  const { resource } = trail.finding;
  const findingGroup =
    resource.kind === 'Instance' ? undefined : resourceOf(trail.finding, 'SecurityGroup').groupId;
  const rules = recorded(trail, 'RevokeSecurityGroupIngress', 'before', z.array(RevokedRuleSchema)) ?? [];
  const byGroup = new Map<string, { permissions: IpPermission[]; rules: typeof rules }>();
  for (const rule of rules) {
    const groupId = findingGroup ?? rule.GroupId;
    if (!groupId)
      throw new UnreadableTrailError(`revoked rule ${rule.SecurityGroupRuleId ?? '?'} names no group`);
    const entry = byGroup.get(groupId) ?? { permissions: [], rules: [] };
    entry.permissions.push(ipPermissionOf(rule));
    entry.rules.push(rule);
    byGroup.set(groupId, entry);
  }
  if (byGroup.size === 0) return { actions: [], notes: [] };
  const groups = [...byGroup.keys()];
  return {
    actions: [...byGroup].map(([groupId, entry]) =>
      undoActions.authorizeIngress(groupId, entry.permissions, entry.rules),
    ),
    notes: [
      `This re-opens security group ${groups.join(', ')} to the whole internet on the revoked ports: the risk the finding reported comes back. The re-added rules get new sgr- ids.`,
    ],
  };
}

/** A revoked rule as the IpPermission that adds it back. */
function ipPermissionOf(rule: z.infer<typeof RevokedRuleSchema>): IpPermission {
  const description = rule.Description ? { Description: rule.Description } : {};
  const ports = rule.IpProtocol === '-1' ? {} : { FromPort: rule.FromPort, ToPort: rule.ToPort };
  if (rule.CidrIpv4)
    return { IpProtocol: rule.IpProtocol, ...ports, IpRanges: [{ CidrIp: rule.CidrIpv4, ...description }] };
  if (rule.CidrIpv6)
    return {
      IpProtocol: rule.IpProtocol,
      ...ports,
      Ipv6Ranges: [{ CidrIpv6: rule.CidrIpv6, ...description }],
    };
  throw new UnreadableTrailError(`revoked rule ${rule.SecurityGroupRuleId ?? '?'} names no CIDR`);
}

const PublicAccessBlockSchema = z.looseObject({
  PublicAccessBlockConfiguration: z.union([
    z.literal('none'),
    z.looseObject({
      BlockPublicAcls: z.optional(z.boolean()),
      IgnorePublicAcls: z.optional(z.boolean()),
      BlockPublicPolicy: z.optional(z.boolean()),
      RestrictPublicBuckets: z.optional(z.boolean()),
    }),
  ]),
});

/** block-bucket-public-access: put the previous configuration back, or delete it when there was none. */
export function reverseBlockBucketPublicAccess(trail: ExecutionTrail): Reversal {
  const { bucketName } = resourceOf(trail.finding, 'Bucket');
  const previous = recorded(trail, 'PutPublicAccessBlock', 'before', PublicAccessBlockSchema);
  if (!previous) return { actions: [], notes: [] };
  const current = recorded(trail, 'PutPublicAccessBlock', 'after', z.unknown());
  const config = previous.PublicAccessBlockConfiguration;
  const { BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets } =
    config === 'none' ? {} : config;
  return {
    actions: [
      config === 'none'
        ? undoActions.deletePublicAccessBlock(bucketName, current)
        : undoActions.putPublicAccessBlock(
            bucketName,
            { BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets },
            current,
          ),
    ],
    notes: [`Bucket ${bucketName} may be public again once its previous configuration is back.`],
  };
}
