import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import {
  ACCESS_KEY_ID,
  BUCKET_NAME,
  type Finding,
  IAM_USER_NAME,
  INSTANCE_ID,
  SECURITY_GROUP_ID,
  severityFromScore,
} from './finding.ts';
import {
  type ResolvedWorkload,
  type ResourceResolvers,
  s3PrincipalOf,
  workloadResourceOf,
} from './guardduty-workloads.ts';

/** EventBridge `source` of GuardDuty findings. */
export const GUARDDUTY_SOURCE = 'aws.guardduty';
/** EventBridge `detail-type` of GuardDuty findings. */
export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const INSTANCE_PROFILE_ARN = /^arn:aws[\w-]*:iam::\d{12}:instance-profile\/.+$/;

const TagListSchema = z.array(z.looseObject({ key: z.string(), value: z.string() }));
/** An interface's groups (`networkInterfaces[].securityGroups[]`), read leniently: only well-formed ids are kept. */
const SecurityGroupsSchema = z.optional(z.array(z.looseObject({ groupId: z.optional(z.string()) })));

/** `resource.accessKeyDetails`: the key and the principal it belongs to. */
const AccessKeyDetailsSchema = z.looseObject({
  accessKeyId: z.optional(z.string()),
  principalId: z.optional(z.string()),
  userName: z.optional(z.string()),
  userType: z.optional(z.string()),
});
type AccessKeyDetails = z.infer<typeof AccessKeyDetailsSchema>;

/** `resource.instanceDetails`: the instance, its interfaces, profile and tags. */
const InstanceDetailsSchema = z.looseObject({
  instanceId: z.string().check(z.minLength(1)),
  networkInterfaces: z.optional(
    z.array(
      z.looseObject({
        networkInterfaceId: z.optional(z.string()),
        vpcId: z.optional(z.string()),
        securityGroups: SecurityGroupsSchema,
      }),
    ),
  ),
  iamInstanceProfile: z.nullish(z.looseObject({ arn: z.optional(z.string()) })),
  tags: z.optional(TagListSchema),
});
type InstanceDetails = z.infer<typeof InstanceDetailsSchema>;

/** `detail` of a GuardDuty finding: strict on the fields we act on, open to everything else. */
export const GuardDutyFindingSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  type: z.string().check(z.minLength(1)),
  severity: z.number().check(z.gte(0), z.lte(10)),
  accountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  region: z.string().check(z.minLength(1)),
  title: z.optional(z.string()),
  createdAt: z.string().check(z.minLength(1)),
  updatedAt: z.string().check(z.minLength(1)),
  resource: z.looseObject({
    resourceType: z.string().check(z.minLength(1)),
    accessKeyDetails: z.optional(AccessKeyDetailsSchema),
    instanceDetails: z.optional(InstanceDetailsSchema),
    s3BucketDetails: z.optional(
      z.array(z.looseObject({ name: z.string(), tags: z.optional(TagListSchema) })),
    ),
  }),
  service: z.optional(
    z.looseObject({
      /** True once someone (or a suppression rule) archived the finding. */
      archived: z.optional(z.boolean()),
      count: z.optional(z.number().check(z.int(), z.gte(1))),
      eventFirstSeen: z.optional(z.string()),
      eventLastSeen: z.optional(z.string()),
      // Boolean in current findings; older exports carry the string "true".
      additionalInfo: z.optional(z.looseObject({ sample: z.optional(z.union([z.boolean(), z.string()])) })),
    }),
  ),
});
/** A parsed GuardDuty finding (`detail`). */
export type GuardDutyFinding = z.infer<typeof GuardDutyFindingSchema>;

/** The `GuardDuty Finding` EventBridge event. `id`, `time` and `version` may be trimmed away. */
export const GuardDutyEventSchema = z.looseObject({
  source: z.literal(GUARDDUTY_SOURCE),
  'detail-type': z.literal(GUARDDUTY_DETAIL_TYPE),
  id: z.optional(z.string()),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: GuardDutyFindingSchema,
});
/** A parsed `GuardDuty Finding` event. */
export type GuardDutyEvent = z.infer<typeof GuardDutyEventSchema>;

/** True for the envelope this module normalizes. */
export function isGuardDutyEvent(source: string, detailType: string): boolean {
  return source === GUARDDUTY_SOURCE && detailType === GUARDDUTY_DETAIL_TYPE;
}

/** True for a GuardDuty finding handed over without its EventBridge envelope (what the console exports). */
export function looksLikeBareGuardDutyFinding(value: Record<string, unknown>): boolean {
  const service = value['service'] as { serviceName?: unknown } | undefined;
  const arn = value['arn'];
  return (
    'resource' in value &&
    (service?.serviceName === 'guardduty' || (typeof arn === 'string' && arn.includes(':guardduty:')))
  );
}

/**
 * One finding from a GuardDuty event. The id is GuardDuty's own finding id, which GuardDuty
 * keeps when it re-publishes the finding with a higher `service.count`, so both deliveries
 * dedupe to one remediation. The account is `detail.accountId`, not the envelope's: with a
 * delegated administrator the event arrives in the administrator account but is about a member.
 */
export function normalizeGuardDutyEvent(event: GuardDutyEvent): Finding[] {
  const { detail } = event;
  const sample = isSample(detail);
  const { resource, resourceTags, reportedAs, context } = resourceOf(detail, sample);
  return [
    {
      id: detail.id,
      source: 'guardduty',
      type: detail.type,
      title: detail.title ?? detail.type,
      // GuardDuty already scores on the 0-10 scale the bands are defined on.
      severity: severityFromScore(detail.severity),
      accountId: detail.accountId,
      region: detail.region,
      resource,
      resourceTags,
      ...(reportedAs && { reportedAs }),
      ...(context && { context }),
      firstSeen: detail.service?.eventFirstSeen ?? detail.createdAt,
      lastSeen: detail.service?.eventLastSeen ?? detail.updatedAt,
      count: detail.service?.count ?? 1,
      sample,
      eventId: event.id,
      ...(detail.service?.archived === true && {
        closedBecause: `GuardDuty finding ${detail.id} is archived: archived findings are closed, never contained`,
      }),
    },
  ];
}

function isSample(detail: GuardDutyFinding): boolean {
  const flag = detail.service?.additionalInfo?.sample;
  return flag === true || flag === 'true';
}

type ResolvedResource = ResolvedWorkload;

/**
 * The resource a playbook would act on. An identifier that fails its AWS format is never
 * actionable: on a sample finding (placeholders such as `GeneratedFindingAccessKeyId`) the
 * resource becomes kind `Other`, so the policy skips it as a sample; on a real finding the
 * event is rejected, because GuardDuty never reports a malformed id.
 */
function resourceOf(detail: GuardDutyFinding, sample: boolean): ResolvedResource {
  const { resource } = detail;
  const unusable = (type: string, id: string, problems: string[]): ResolvedResource => {
    if (sample) return { resource: { kind: 'Other', type, id }, resourceTags: {} };
    throw new InvalidFindingError(
      `GuardDuty finding ${detail.id} is not a sample, yet its ${type} identifier is malformed: ${problems[0]}`,
      problems,
    );
  };
  const resolvers: ResourceResolvers = {
    accessKey: (details, path) => accessKeyOf(details, path, unusable),
    instance: (details, path) => instanceOf(details, path, unusable),
  };
  switch (resource.resourceType) {
    case 'AccessKey': {
      const key = resource.accessKeyDetails;
      const path = 'detail.resource.accessKeyDetails';
      if (!key)
        throw new InvalidFindingError(`GuardDuty AccessKey finding ${detail.id} has no ${path}`, [
          `${path}: missing`,
        ]);
      // Console sign-in findings name a principal but no key: nothing to disable, still worth a notice.
      // Validated with the event (the same schema the resolver applies to details found elsewhere).
      return (
        accessKeyFrom(key, path, unusable) ?? {
          resource: { kind: 'Other', type: 'AccessKey', id: key.userName ?? key.principalId ?? detail.id },
          resourceTags: {},
        }
      );
    }
    case 'Instance': {
      const path = 'detail.resource.instanceDetails';
      if (!resource.instanceDetails)
        throw new InvalidFindingError(`GuardDuty Instance finding ${detail.id} has no ${path}`, [
          `${path}: missing`,
        ]);
      // Validated with the event (the same schema the resolver applies to details found elsewhere).
      const instance = instanceFrom(resource.instanceDetails, path, unusable);
      return withProbedPorts(instance, detail.service);
    }
    case 'S3Bucket': {
      const bucket = resource.s3BucketDetails?.[0];
      const path = 'detail.resource.s3BucketDetails[0]';
      if (!bucket)
        throw new InvalidFindingError(`GuardDuty S3Bucket finding ${detail.id} has no ${path}`, [
          `${path}: missing`,
        ]);
      if (!BUCKET_NAME.test(bucket.name))
        return unusable('S3Bucket', bucket.name, [`${path}.name: "${bucket.name}" is not a bucket name`]);
      // Exposure findings (Policy:S3/*) are about the bucket; the others about who called it.
      const principal = detail.type.startsWith('Policy:S3/')
        ? undefined
        : s3PrincipalOf(resource, bucket.name, resolvers);
      if (principal) return { ...principal, resourceTags: tagsOf(bucket.tags) };
      return { resource: { kind: 'Bucket', bucketName: bucket.name }, resourceTags: tagsOf(bucket.tags) };
    }
    default:
      // Lambda, EKS, ECS, containers, RDS, S3 objects, attack sequences (guardduty-workloads.ts).
      return workloadResourceOf(detail.id, resource, detail.service, resolvers);
  }
}

type Unusable = (type: string, id: string, problems: string[]) => ResolvedResource;

/** `accessKeyDetails` as the key a playbook acts on; `undefined` when it names no key. */
function accessKeyOf(details: unknown, path: string, unusable: Unusable): ResolvedResource | undefined {
  const parsed = AccessKeyDetailsSchema.safeParse(details);
  return parsed.success ? accessKeyFrom(parsed.data, path, unusable) : undefined;
}

/** Validated `accessKeyDetails` as the key a playbook acts on; `undefined` when it names no key. */
function accessKeyFrom(
  key: AccessKeyDetails,
  path: string,
  unusable: Unusable,
): ResolvedResource | undefined {
  if (!key.accessKeyId) return undefined;
  const problems = [
    ...(ACCESS_KEY_ID.test(key.accessKeyId)
      ? []
      : [
          `${path}.accessKeyId: "${key.accessKeyId}" is not an access key id (AKIA or ASIA and 16 characters)`,
        ]),
    ...(key.userName && IAM_USER_NAME.test(key.userName)
      ? []
      : [`${path}.userName: "${key.userName ?? ''}" is not an IAM name`]),
  ];
  if (problems.length > 0 || !key.userName) return unusable('AccessKey', key.accessKeyId, problems);
  return {
    resource: {
      kind: 'AccessKey',
      accessKeyId: key.accessKeyId,
      userName: key.userName,
      userType: key.userType,
    },
    resourceTags: {},
  };
}

function tagsOf(tags: { key: string; value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.key, tag.value]));
}

/** `instanceDetails` as the instance a playbook acts on. */
function instanceOf(details: unknown, path: string, unusable: Unusable): ResolvedResource {
  const parsed = InstanceDetailsSchema.safeParse(details);
  if (!parsed.success) return unusable('Instance', 'instanceDetails', [`${path}: not an instance`]);
  return instanceFrom(parsed.data, path, unusable);
}

/** Validated `instanceDetails` as the instance a playbook acts on. */
function instanceFrom(instance: InstanceDetails, path: string, unusable: Unusable): ResolvedResource {
  if (!INSTANCE_ID.test(instance.instanceId))
    return unusable('Instance', instance.instanceId, [
      `${path}.instanceId: "${instance.instanceId}" is not an instance id`,
    ]);
  // The primary interface (listed first) is in the instance's VPC; placeholders are left out.
  const vpcId = instance.networkInterfaces?.[0]?.vpcId;
  const profileArn = instance.iamInstanceProfile?.arn;
  const groupIds = (instance.networkInterfaces ?? []).flatMap((eni) =>
    (eni.securityGroups ?? []).flatMap((group) =>
      group.groupId && SECURITY_GROUP_ID.test(group.groupId) ? [group.groupId] : [],
    ),
  );
  return {
    resource: {
      kind: 'Instance',
      instanceId: instance.instanceId,
      vpcId: vpcId && VPC_ID.test(vpcId) ? vpcId : undefined,
      instanceProfileArn: profileArn && INSTANCE_PROFILE_ARN.test(profileArn) ? profileArn : undefined,
      ...(groupIds.length > 0 && { securityGroupIds: [...new Set(groupIds)] }),
    },
    resourceTags: tagsOf(instance.tags),
  };
}

/**
 * `service.action.portProbeAction`: which of the instance's ports were probed from the internet
 * (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_PortProbeAction.html). A port
 * probe finding means the port is open to the internet and known scanners are probing it
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-ec2.html#recon-ec2-portprobeunprotectedport).
 */
const PortProbeSchema = z.looseObject({
  action: z.looseObject({
    portProbeAction: z.looseObject({
      portProbeDetails: z.array(
        z.looseObject({
          localPortDetails: z.optional(z.looseObject({ port: z.optional(z.number()) })),
        }),
      ),
    }),
  }),
});

/** The instance with the ports a port-probe finding names (each once, well-formed only), also shown to people. */
function withProbedPorts(instance: ResolvedResource, service: unknown): ResolvedResource {
  const parsed = PortProbeSchema.safeParse(service);
  if (!parsed.success || instance.resource.kind !== 'Instance') return instance;
  const ports = parsed.data.action.portProbeAction.portProbeDetails.flatMap((probe) => {
    const port = probe.localPortDetails?.port;
    return port !== undefined && Number.isInteger(port) && port >= 0 && port <= 65535 ? [port] : [];
  });
  if (ports.length === 0) return instance;
  const probedPorts = [...new Set(ports)].sort((a, b) => a - b);
  return {
    ...instance,
    resource: { ...instance.resource, probedPorts },
    context: { ...instance.context, 'Probed ports': probedPorts.join(', ') },
  };
}
