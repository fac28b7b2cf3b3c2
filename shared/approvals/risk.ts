import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { displayText } from '#shared/text/display.ts';
import { relativeTime, utcText } from '#shared/text/relative-time.ts';
import { TopicReadSchema, TopicRiskSchema, topicRiskLines, topicRiskOf } from './topic-risk.ts';

/**
 * What approving puts at risk, read by the playbook just before its approval gate (with the
 * playbook's own credentials, in the finding's account) and stored with the approval request: a
 * key's last use, or what an instance serves. Every value came from an API answer about a
 * resource the finding named, so it is shown as data, never trusted as markup.
 */

/** A read that failed: the Catch of the read step puts Step Functions' error here. */
const ReadErrorSchema = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });

/**
 * What the gate hands over for an access key: GetAccessKeyLastUsed's `AccessKeyLastUsed`
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html), or the error.
 */
const KeyReadSchema = z.object({
  kind: z.literal('AccessKey'),
  read: z.optional(
    z.object({
      AccessKeyLastUsed: z.optional(
        z.object({
          LastUsedDate: z.optional(z.union([z.string(), z.number()])),
          ServiceName: z.optional(z.string()),
          Region: z.optional(z.string()),
        }),
      ),
    }),
  ),
  error: z.optional(ReadErrorSchema),
});

/** One target group as the instance's target group walk records it (fragments/instance-target-groups.ts). */
const TargetGroupReadSchema = z.object({
  targetGroupArn: z.string(),
  /** A TargetHealth state, `unknown` (its read failed) or `not-applicable` (not a group of its VPC). */
  state: z.string(),
  port: z.optional(z.number()),
  error: z.optional(z.string()),
});

/**
 * What the gate hands over for an instance: DescribeInstances, DescribeAutoScalingInstances and
 * GetInstanceProfile answers, and the target groups it is registered in.
 */
const InstanceReadSchema = z.object({
  kind: z.literal('Instance'),
  instance: z.optional(
    z.object({
      State: z.optional(z.object({ Name: z.optional(z.string()) })),
      LaunchTime: z.optional(z.union([z.string(), z.number()])),
      IamInstanceProfile: z.optional(z.object({ Arn: z.optional(z.string()) })),
      Tags: z.optional(z.array(z.object({ Key: z.optional(z.string()), Value: z.optional(z.string()) }))),
    }),
  ),
  autoScaling: z.optional(
    z.object({ groups: z.optional(z.array(z.object({ AutoScalingGroupName: z.optional(z.string()) }))) }),
  ),
  instanceProfile: z.optional(
    z.object({ roles: z.optional(z.array(z.object({ RoleName: z.optional(z.string()) }))) }),
  ),
  targetGroups: z.optional(z.array(TargetGroupReadSchema)),
  targetGroupsPage: z.optional(z.object({ truncated: z.optional(z.boolean()) })),
  error: z.optional(ReadErrorSchema),
  autoScalingError: z.optional(ReadErrorSchema),
  roleError: z.optional(ReadErrorSchema),
  targetGroupsError: z.optional(ReadErrorSchema),
});

/** The risk read as the approval-request function receives it from the gate. */
export const RiskReadSchema = z.discriminatedUnion('kind', [
  KeyReadSchema,
  InstanceReadSchema,
  TopicReadSchema,
]);
export type RiskRead = z.infer<typeof RiskReadSchema>;

/** The risk as the approval record keeps it: plain facts, times as ISO text. */
export const RiskSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('AccessKey'),
    /** Absent when the key was never used since IAM began tracking (AWS answers no date, service N/A). */
    lastUsedAt: z.optional(z.string()),
    service: z.optional(z.string()),
    region: z.optional(z.string()),
    /** Why the last use could not be read; the rest is then absent. */
    unavailable: z.optional(z.string()),
  }),
  z.object({
    kind: z.literal('Instance'),
    name: z.optional(z.string()),
    state: z.optional(z.string()),
    launchedAt: z.optional(z.string()),
    instanceProfileArn: z.optional(z.string()),
    autoScalingGroup: z.optional(z.string()),
    /** The role of its instance profile, or `unknown (<why>)` when it could not be read. */
    role: z.optional(z.string()),
    /**
     * What its target groups showed; absent when they were not read (an approval requested
     * before the read existed).
     */
    targetGroups: z.optional(
      z.object({
        /** The groups that send it traffic: name, port and health state. */
        serving: z.array(z.object({ name: z.string(), port: z.number(), state: z.string() })),
        /** How many groups of its VPC could not be asked about it. */
        unread: z.number(),
        /** More groups exist than one page, and only the first page was asked. */
        truncated: z.boolean(),
        /** Why the groups could not be listed; the rest is then empty. */
        unavailable: z.optional(z.string()),
      }),
    ),
    unavailable: z.optional(z.string()),
  }),
  TopicRiskSchema,
]);
export type Risk = z.infer<typeof RiskSchema>;

/** How much of one value read from AWS is kept (names, ARNs). */
const VALUE_LIMIT = 300;

function text(value: string | undefined): string | undefined {
  return value === undefined || value === 'N/A' ? undefined : displayText(value, VALUE_LIMIT);
}

function isoOf(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = typeof value === 'number' ? value * (value < 1e12 ? 1000 : 1) : Date.parse(value);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

function failed(error: z.infer<typeof ReadErrorSchema>): string {
  return displayText(`${error.Error ?? 'error'}${error.Cause ? `: ${error.Cause}` : ''}`, VALUE_LIMIT);
}

/** The facts of a risk read, ready to store. */
export function riskOf(read: RiskRead): Risk {
  if (read.kind === 'SnsTopic') return topicRiskOf(read);
  if (read.kind === 'AccessKey') {
    if (read.error) return { kind: 'AccessKey', unavailable: failed(read.error) };
    const used = read.read?.AccessKeyLastUsed;
    return {
      kind: 'AccessKey',
      lastUsedAt: isoOf(used?.LastUsedDate),
      service: text(used?.ServiceName),
      region: text(used?.Region),
    };
  }
  if (read.error) return { kind: 'Instance', unavailable: failed(read.error) };
  const i = read.instance;
  return {
    kind: 'Instance',
    name: text(i?.Tags?.find((t) => t.Key === 'Name')?.Value),
    state: text(i?.State?.Name),
    launchedAt: isoOf(i?.LaunchTime),
    instanceProfileArn: text(i?.IamInstanceProfile?.Arn),
    autoScalingGroup: read.autoScalingError
      ? `unknown (${failed(read.autoScalingError)})`
      : text(read.autoScaling?.groups?.[0]?.AutoScalingGroupName),
    role: read.roleError
      ? `unknown (${failed(read.roleError)})`
      : text(read.instanceProfile?.roles?.[0]?.RoleName),
    targetGroups: targetGroupsOf(read),
  };
}

/** Target health states in which the group sends the instance no traffic. */
const NOT_SERVING = new Set(['unused', 'draining', 'not-applicable', 'unknown']);

/** The groups that send the instance traffic, from the walk over its VPC's target groups. */
function targetGroupsOf(read: Extract<RiskRead, { kind: 'Instance' }>): TargetGroupsRisk | undefined {
  if (read.targetGroupsError)
    return { serving: [], unread: 0, truncated: false, unavailable: failed(read.targetGroupsError) };
  if (!read.targetGroups) return undefined;
  const serving = read.targetGroups.flatMap((g) =>
    g.port !== undefined && !NOT_SERVING.has(g.state)
      ? [{ name: targetGroupName(g.targetGroupArn), port: g.port, state: text(g.state) ?? 'unknown' }]
      : [],
  );
  return {
    serving,
    unread: read.targetGroups.filter((g) => g.state === 'unknown').length,
    truncated: read.targetGroupsPage?.truncated === true,
  };
}

type TargetGroupsRisk = NonNullable<Extract<Risk, { kind: 'Instance' }>['targetGroups']>;

/** `web` from `arn:aws:elasticloadbalancing:…:targetgroup/web/73e2d6bc24d8a067`, else the ARN. */
function targetGroupName(arn: string): string {
  return displayText(/:targetgroup\/([^/]+)\//.exec(arn)?.[1] ?? arn, VALUE_LIMIT);
}

/**
 * The risk of a read the gate handed over, or undefined when there is none. A read of a shape
 * not expected is dropped rather than failing the request: the approver must still be asked.
 */
export function riskFromRead(value: unknown): Risk | undefined {
  if (value === undefined) return undefined;
  const read = RiskReadSchema.safeParse(value);
  return read.success ? riskOf(read.data) : undefined;
}

function when(iso: string, now: Date): string {
  return `${relativeTime(iso, now) ?? iso} (${utcText(iso) ?? iso})`;
}

/** The risk in sentences, in reading order: what a person weighs before approving. */
export function riskLines(risk: Risk, now: Date): string[] {
  if (risk.kind === 'SnsTopic') return topicRiskLines(risk);
  if (risk.kind === 'AccessKey') {
    if (risk.unavailable) return [`Last use of this key could not be read: ${risk.unavailable}.`];
    if (!risk.lastUsedAt) return ['This key has not been used since IAM began tracking its use.'];
    const where = [risk.service && `with ${risk.service}`, risk.region && `in ${risk.region}`]
      .filter(Boolean)
      .join(' ');
    return [
      `Last used ${when(risk.lastUsedAt, now)}${where ? ` ${where}` : ''}: whatever uses this key stops working.`,
    ];
  }
  if (risk.unavailable) return [`What this instance serves could not be read: ${risk.unavailable}.`];
  const facts = [
    risk.name ? `Named "${risk.name}"` : 'Unnamed instance',
    risk.state && `, ${risk.state}`,
    risk.launchedAt && `, launched ${when(risk.launchedAt, now)}`,
  ];
  const lines = [`${facts.filter(Boolean).join('')}.`];
  lines.push(
    risk.autoScalingGroup
      ? `In Auto Scaling group ${risk.autoScalingGroup}: it leaves the group, which launches a replacement (desired capacity unchanged).`
      : 'Not in an Auto Scaling group: nothing replaces it while it is quarantined.',
  );
  lines.push(
    risk.instanceProfileArn
      ? `Its role ${risk.role ? `${risk.role} (profile ${risk.instanceProfileArn.split('/').at(-1)})` : `(instance profile ${risk.instanceProfileArn})`} loses its sessions; anything on it that calls AWS stops.`
      : 'It has no instance profile (no role to cut).',
  );
  lines.push(...targetGroupLines(risk.targetGroups));
  return lines;
}

/** How many serving groups a line names before it counts the rest. */
const NAMED_GROUPS = 5;

function targetGroupLines(groups: TargetGroupsRisk | undefined): string[] {
  if (!groups)
    return [
      'If it is registered with load balancer target groups, it is deregistered and stops serving traffic.',
    ];
  if (groups.unavailable)
    return [`Its load balancer target groups could not be read: ${groups.unavailable}.`];
  const { serving } = groups;
  const named = serving.slice(0, NAMED_GROUPS).map((g) => `${g.name} (port ${g.port}, ${g.state})`);
  const more = serving.length > NAMED_GROUPS ? ` and ${serving.length - NAMED_GROUPS} more` : '';
  const lines = [
    serving.length === 0
      ? 'Serves no load balancer target group of its VPC.'
      : `Serves target group${serving.length > 1 ? 's' : ''} ${named.join(', ')}${more}: deregistered, it stops receiving requests.`,
  ];
  if (groups.unread > 0)
    lines.push(
      `${groups.unread} target group${groups.unread > 1 ? 's' : ''} of its VPC could not be asked about it; check them in the EC2 console.`,
    );
  if (groups.truncated)
    lines.push(
      'Only the first page of target groups was checked: the account has more; check the rest in the EC2 console.',
    );
  return lines;
}
