import * as z from 'zod/mini';
import '#shared/validation-messages.ts';

/** Where a finding came from: one EventBridge source each. */
export const FindingSourceSchema = z.enum(['guardduty', 'cloudtrail', 'config', 'securityhub']);
export type FindingSource = z.infer<typeof FindingSourceSchema>;

/** GuardDuty's published severity bands, used for every source. */
export const SeverityLabelSchema = z.enum(['Informational', 'Low', 'Medium', 'High', 'Critical']);
export type SeverityLabel = z.infer<typeof SeverityLabelSchema>;

export const SeveritySchema = z.object({
  /** 0.0 to 10.0. */
  score: z.number().check(z.gte(0), z.lte(10)),
  label: SeverityLabelSchema,
});
export type Severity = z.infer<typeof SeveritySchema>;

/** An ingress rule as the drift playbooks need it. */
export const IngressRuleSchema = z.object({
  /** `sgr-...` when the event carries it (CloudTrail responseElements). */
  ruleId: z.optional(z.string()),
  /** `tcp`, `udp`, `icmp` or `-1` (all). */
  protocol: z.string(),
  fromPort: z.optional(z.number().check(z.int())),
  toPort: z.optional(z.number().check(z.int())),
  cidrIpv4: z.optional(z.string()),
  cidrIpv6: z.optional(z.string()),
});
export type IngressRule = z.infer<typeof IngressRuleSchema>;

/** The resource a finding is about, with the identifiers a playbook acts on. */
export const ResourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('AccessKey'),
    accessKeyId: z.string(),
    userName: z.string(),
    /** `IAMUser`, `Root`, `AssumedRole`, ... as the source reports it. */
    userType: z.optional(z.string()),
    principalArn: z.optional(z.string()),
  }),
  z.object({
    kind: z.literal('Instance'),
    instanceId: z.string(),
    vpcId: z.optional(z.string()),
    instanceProfileArn: z.optional(z.string()),
    /** The security groups of its network interfaces, as the finding lists them. */
    securityGroupIds: z.optional(z.array(z.string())),
    /** The instance's ports GuardDuty saw probed from the internet (Recon:EC2/PortProbe*). */
    probedPorts: z.optional(z.array(z.number().check(z.int(), z.gte(0), z.lte(65535)))),
  }),
  z.object({
    kind: z.literal('SecurityGroup'),
    groupId: z.string(),
    addedRules: z.array(IngressRuleSchema),
  }),
  z.object({ kind: z.literal('Trail'), trailName: z.string(), trailArn: z.optional(z.string()) }),
  z.object({ kind: z.literal('Bucket'), bucketName: z.string() }),
  z.object({ kind: z.literal('Account') }),
  /** A KMS key, by its key id (a UUID, or `mrk-` for a multi-Region key). */
  z.object({ kind: z.literal('KmsKey'), keyId: z.string(), keyArn: z.optional(z.string()) }),
  z.object({
    kind: z.literal('LambdaFunction'),
    functionName: z.string(),
    functionArn: z.string(),
    /** The execution role's ARN, as the source reports it. */
    roleArn: z.optional(z.string()),
  }),
  /** An ECS task (Fargate, or any task GuardDuty names without the instance it ran on). */
  z.object({
    kind: z.literal('EcsTask'),
    clusterArn: z.string(),
    taskArn: z.string(),
    /** The task definition the task was started from, as the source reports it. */
    taskDefinitionArn: z.optional(z.string()),
  }),
  z.object({ kind: z.literal('Other'), type: z.string(), id: z.string() }),
]);
export type Resource = z.infer<typeof ResourceSchema>;
export type ResourceKind = Resource['kind'];

/**
 * A Security Hub security control id: the service, a dot, a number (`EC2.13`, `S3.8`,
 * `CloudTrail.1`). A standard's own numbering (CIS `2.2`, PCI `PCI.IAM.1`) is not one.
 */
export const CONTROL_ID = /^[A-Za-z][A-Za-z0-9]*\.\d+$/;

/** The one normalized shape every source is turned into. */
export const FindingSchema = z.object({
  /** The source's own finding id (GuardDuty id, ASFF Id, CloudTrail eventID, Config rule+resource). */
  id: z.string().check(z.minLength(1)),
  source: FindingSourceSchema,
  /** e.g. `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS`, `AuthorizeSecurityGroupIngress`. */
  type: z.string().check(z.minLength(1)),
  title: z.string(),
  severity: SeveritySchema,
  accountId: z.string().check(z.regex(/^\d{12}$/)),
  region: z.string().check(z.minLength(1)),
  resource: ResourceSchema,
  /** Tags on the resource, as the source reports them. */
  resourceTags: z.record(z.string(), z.string()),
  /** The principal that caused the event, where the source names one. */
  actor: z.optional(
    z.object({
      principalArn: z.optional(z.string()),
      userName: z.optional(z.string()),
      type: z.optional(z.string()),
    }),
  ),
  firstSeen: z.string(),
  lastSeen: z.string(),
  /** How many times the source has seen it (GuardDuty re-publishes with a higher count). */
  count: z.number().check(z.int(), z.gte(1)),
  /** AWS-generated sample finding: never acted on for real. */
  sample: z.boolean(),
  /** The EventBridge envelope id, when present. */
  eventId: z.optional(z.string()),
  /**
   * Why the finding may at most be notified, whatever the policy says: its source does not vouch
   * for what it names (e.g. a Security Hub finding a custom or partner product imported).
   */
  notifyOnlyBecause: z.optional(z.string()),
  /**
   * Why the source itself has closed the finding (GuardDuty archived it): it is recorded as
   * skipped with this reason, whatever the policy says, and never acted on or notified.
   */
  closedBecause: z.optional(z.string()),
  /**
   * The Security Hub control the finding reports failed (`EC2.13`), for a control finding of
   * Security Hub itself: what a policy rule's `match.controls` names.
   */
  control: z.optional(z.string().check(z.regex(CONTROL_ID))),
  /**
   * The resource type as the source reported it, when it differs from the kind acted on: a
   * GuardDuty Runtime Monitoring finding on an EKS cluster names the node instance (kind
   * `Instance`, reported as `EKSCluster`). Policy rules match it with `reportedAs`.
   */
  reportedAs: z.optional(z.string()),
  /**
   * What else the finding names, label to value, for the people told about it: the bucket a
   * principal read, the cluster, namespace and workload of a Kubernetes finding, the database and
   * user of an RDS finding (untrusted: display with displayText).
   */
  context: z.optional(z.record(z.string(), z.string())),
  /** What the call changed, copied from its CloudTrail request (untrusted: display with displayText). */
  change: z.optional(z.record(z.string(), z.unknown())),
});
export type Finding = z.infer<typeof FindingSchema>;

/** Map a 0-10 score onto GuardDuty's bands: Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9.0-10.0. */
export function severityFromScore(score: number): Severity {
  const clamped = Math.min(10, Math.max(0, score));
  const label: SeverityLabel =
    clamped >= 9
      ? 'Critical'
      : clamped >= 7
        ? 'High'
        : clamped >= 4
          ? 'Medium'
          : clamped >= 1
            ? 'Low'
            : 'Informational';
  return { score: clamped, label };
}

/** AWS access key id format: AKIA (long-term) or ASIA (temporary) followed by 16 upper-case letters or digits. */
export const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
/** EC2 instance id: i- followed by 8 or 17 hex characters. */
export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Security group id. */
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** IAM user name: 1-64 of the allowed characters. */
export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
/** KMS key id: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
export const KMS_KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** S3 bucket name (general-purpose buckets). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
