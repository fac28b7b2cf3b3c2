import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeTagsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, type IAMClient } from '@aws-sdk/client-iam';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '../errors.ts';

/** The tag that marks an instance as quarantined; its value is the finding that did it. */
export const QUARANTINE_TAG = 'remediation:quarantine';

/** Target groups read per instance: one page, sized to keep the before-state small. */
export const TARGET_GROUP_PAGE = 150;

/** Target groups asked about the instance at once (DescribeTargetHealth is one call per group). */
const HEALTH_READS_AT_ONCE = 10;

/** The read's input was not what the quarantine-instance state machine sends. */
export class InstanceStateInputError extends RemediationError {
  override name = 'InstanceStateInputError';
}

const InstanceStateInputSchema = z.object({
  instanceId: z.string().check(z.minLength(1)),
  /** The instance as DescribeInstances described it, before the network was cut. */
  instance: z.looseObject({
    VpcId: z.string(),
    IamInstanceProfile: z.optional(z.looseObject({ Arn: z.optional(z.string()) })),
    BlockDeviceMappings: z._default(z.array(z.looseObject({})), []),
  }),
  /** Each ENI as the isolation recorded it (its groups before it moved). */
  networkInterfaces: z.array(z.looseObject({})),
  /** In an organization, the member role to read as. */
  roleArn: z.optional(z.string().check(z.regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/))),
});
export type InstanceStateInput = z.infer<typeof InstanceStateInputSchema>;

/** The input, validated; an {@link InstanceStateInputError} naming the first bad field otherwise. */
export function parseInstanceStateInput(input: unknown): InstanceStateInput {
  const parsed = InstanceStateInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InstanceStateInputError(
    `quarantine read input: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** One target group as the instance stands in it: `unknown` when its health could not be read. */
export interface TargetGroupMembership {
  readonly targetGroupArn: string;
  readonly state: string;
  readonly port?: number;
  readonly error?: string;
}

/**
 * The state before quarantine, in one record (what undo restores from, `shared/undo/reverse.ts`):
 * each ENI with the groups it had, the volumes, and what the reads found.
 */
export interface InstanceState {
  readonly instanceId: string;
  readonly vpcId: string;
  readonly networkInterfaces: readonly unknown[];
  readonly volumes: readonly unknown[];
  /** The quarantine tag as DescribeTags lists it: empty when no finding quarantined it before. */
  readonly quarantineTag: { readonly tags: readonly unknown[] };
  /** The finding that quarantined it first, or '' when none did. */
  readonly quarantinedBy: { readonly findingId: string };
  readonly autoScaling: { readonly member: boolean; readonly autoScalingGroupName?: string };
  readonly targetGroups: readonly TargetGroupMembership[];
  /** More target groups exist than one page holds: those beyond it were not asked. */
  readonly targetGroupsTruncated: boolean;
  readonly instanceProfile: {
    readonly associated: boolean;
    readonly associationId?: string;
    readonly instanceProfileArn?: string;
    /** DescribeInstances named a profile but no association is `associated`: it is changing. */
    readonly unsettled?: true;
  };
  readonly instanceRole: { readonly roleName?: string };
}

/** Target health states in which the instance receives no traffic from the group. */
const NOT_SERVING = new Set(['unused', 'draining', 'not-applicable']);

/** What the read hands the state machine: the state before, and the groups to deregister from. */
export interface QuarantineRead {
  readonly before: InstanceState;
  /**
   * The target groups that route to the instance on a known port. A group read as `unknown` (its
   * read failed, recorded in the state before) is left for a person: there is no port to name.
   */
  readonly servingTargetGroups: readonly { readonly targetGroupArn: string; readonly port: number }[];
  /**
   * Which of quarantine's conditional changes this instance needs, decided once from `before`:
   * the state machine's choices branch on these, and its one audit step after them appends a
   * change's records only when its flag is true, so both always agree.
   */
  readonly changes: QuarantineChanges;
}

/** The conditional changes of a quarantine (see {@link QuarantineRead.changes}). */
export interface QuarantineChanges {
  /** The instance has a role: deny its sessions issued before now. */
  readonly revokeSessions: boolean;
  /** A settled profile association: remove it. */
  readonly removeProfile: boolean;
  /** No earlier quarantine tagged it: protect it as evidence and tag it. */
  readonly preserveEvidence: boolean;
  /** It is in an Auto Scaling group: detach it. */
  readonly leaveAutoScalingGroup: boolean;
}

/** What quarantine changes on an instance in `before`, as {@link QuarantineRead.changes} states it. */
export function changesFor(before: InstanceState): QuarantineChanges {
  return {
    revokeSessions: before.instanceRole.roleName !== undefined,
    removeProfile: before.instanceProfile.associated,
    preserveEvidence: before.quarantineTag.tags.length === 0,
    leaveAutoScalingGroup: before.autoScaling.member,
  };
}

/** The clients the reads are made with, as the member role in an organization. */
export interface InstanceStateClients {
  readonly ec2: Pick<EC2Client, 'send'>;
  readonly autoScaling: Pick<AutoScalingClient, 'send'>;
  readonly elbv2: Pick<ElasticLoadBalancingV2Client, 'send'>;
  readonly iam: Pick<IAMClient, 'send'>;
}

/**
 * Read, all at once, what quarantine changes after the network is cut: whether it was quarantined
 * before (its tag), its Auto Scaling group, the target groups it is registered in, and its
 * instance profile association and role. The four reads are independent, so they run together;
 * any failure fails the whole read (the state machine hands over to a person: the network is
 * already isolated and audited). One function instead of four branches of state-machine reads
 * and the choices that shape their answers: Step Functions bills each state entered.
 */
export async function readForQuarantine(
  clients: InstanceStateClients,
  input: InstanceStateInput,
): Promise<QuarantineRead> {
  const before = await readInstanceState(clients, input);
  const servingTargetGroups = before.targetGroups.flatMap(({ targetGroupArn, state, port }) =>
    port !== undefined && !NOT_SERVING.has(state) ? [{ targetGroupArn, port }] : [],
  );
  return { before, servingTargetGroups, changes: changesFor(before) };
}

/** The state before quarantine (see {@link readForQuarantine}). */
export async function readInstanceState(
  clients: InstanceStateClients,
  input: InstanceStateInput,
): Promise<InstanceState> {
  const { instanceId, instance } = input;
  const [quarantineTag, autoScaling, targetGroups, profile] = await Promise.all([
    readQuarantineTag(clients, instanceId),
    readAutoScaling(clients, instanceId),
    readTargetGroups(clients, instanceId, instance.VpcId),
    readInstanceProfile(clients, instanceId, instance.IamInstanceProfile?.Arn),
  ]);
  const first = quarantineTag[0] as { Value?: string } | undefined;
  return {
    instanceId,
    vpcId: instance.VpcId,
    networkInterfaces: input.networkInterfaces,
    volumes: instance.BlockDeviceMappings,
    quarantineTag: { tags: quarantineTag },
    quarantinedBy: { findingId: first?.Value ?? '' },
    autoScaling,
    targetGroups: targetGroups.groups,
    targetGroupsTruncated: targetGroups.truncated,
    ...profile,
  };
}

/** DescribeTags lists the tag only when the instance has it: an empty list otherwise. */
async function readQuarantineTag(clients: InstanceStateClients, instanceId: string): Promise<unknown[]> {
  const answer = await clients.ec2.send(
    new DescribeTagsCommand({
      Filters: [
        { Name: 'resource-id', Values: [instanceId] },
        { Name: 'key', Values: [QUARANTINE_TAG] },
      ],
    }),
  );
  return answer.Tags ?? [];
}

/** DescribeAutoScalingInstances lists the instance only while it is in a group. */
async function readAutoScaling(
  clients: InstanceStateClients,
  instanceId: string,
): Promise<InstanceState['autoScaling']> {
  const answer = await clients.autoScaling.send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const name = answer.AutoScalingInstances?.[0]?.AutoScalingGroupName;
  return name ? { member: true, autoScalingGroupName: name } : { member: false };
}

/**
 * ELBv2 has no call listing the groups of an instance: walk one page of target groups and ask each
 * instance group of the instance's VPC about it (for a group in another VPC DescribeTargetHealth
 * answers `InvalidTarget`:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html).
 * A group that does not hold it answers `unused`; a group whose read fails is `unknown`, with its error.
 */
async function readTargetGroups(
  clients: InstanceStateClients,
  instanceId: string,
  vpcId: string,
): Promise<{ groups: TargetGroupMembership[]; truncated: boolean }> {
  const page = await clients.elbv2.send(new DescribeTargetGroupsCommand({ PageSize: TARGET_GROUP_PAGE }));
  const all = page.TargetGroups ?? [];
  const groups: TargetGroupMembership[] = [];
  for (let i = 0; i < all.length; i += HEALTH_READS_AT_ONCE)
    groups.push(
      ...(await Promise.all(
        all.slice(i, i + HEALTH_READS_AT_ONCE).map((g) => membership(clients, g, instanceId, vpcId)),
      )),
    );
  return { groups, truncated: page.NextMarker !== undefined };
}

async function membership(
  clients: InstanceStateClients,
  group: TargetGroup,
  instanceId: string,
  vpcId: string,
): Promise<TargetGroupMembership> {
  const targetGroupArn = group.TargetGroupArn ?? '';
  // IP and Lambda groups name no instance, and Lambda groups have no VPC at all.
  if (group.TargetType !== 'instance' || group.VpcId !== vpcId)
    return { targetGroupArn, state: 'not-applicable' };
  try {
    const answer = await clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: instanceId }] }),
    );
    const described = answer.TargetHealthDescriptions?.[0];
    const state = described?.TargetHealth?.State;
    const port = described?.Target?.Port;
    return state !== undefined && port !== undefined
      ? { targetGroupArn, state, port }
      : { targetGroupArn, state: 'unknown' };
  } catch (error) {
    return { targetGroupArn, state: 'unknown', error: (error as Error).name };
  }
}

/**
 * The association (DescribeInstances names the profile but not the association id that
 * DisassociateIamInstanceProfile needs) and the profile's role (an instance profile holds at most
 * one). An association being made, replaced or removed is not `associated`: then the role is
 * still read (its sessions are still denied) and the profile is recorded as `unsettled`.
 */
async function readInstanceProfile(
  clients: InstanceStateClients,
  instanceId: string,
  describedArn: string | undefined,
): Promise<Pick<InstanceState, 'instanceProfile' | 'instanceRole'>> {
  if (describedArn === undefined) return { instanceProfile: { associated: false }, instanceRole: {} };
  const answer = await clients.ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [
        { Name: 'instance-id', Values: [instanceId] },
        { Name: 'state', Values: ['associated'] },
      ],
    }),
  );
  const association = answer.IamInstanceProfileAssociations?.[0];
  const instanceProfile: InstanceState['instanceProfile'] =
    association?.AssociationId && association.IamInstanceProfile?.Arn
      ? {
          associated: true,
          associationId: association.AssociationId,
          instanceProfileArn: association.IamInstanceProfile.Arn,
        }
      : { associated: false, unsettled: true, instanceProfileArn: describedArn };
  // GetInstanceProfile takes the name: the last segment of the ARN, after any path.
  const arn = instanceProfile.instanceProfileArn ?? describedArn;
  const profile = await clients.iam.send(
    new GetInstanceProfileCommand({ InstanceProfileName: arn.split('/').at(-1) }),
  );
  const roleName = profile.InstanceProfile?.Roles?.[0]?.RoleName;
  return { instanceProfile, instanceRole: roleName ? { roleName } : {} };
}
