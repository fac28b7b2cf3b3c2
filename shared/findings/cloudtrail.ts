import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError, NotActionableEventError } from '#shared/errors.ts';
import { EVASION_CALLS } from './cloudtrail-evasion.ts';
import { assessIngress } from './cloudtrail-ingress.ts';
import { assessModifyRules } from './cloudtrail-modify-rules.ts';
import { PUBLIC_ACCESS_CALLS } from './cloudtrail-public-access.ts';
import { SHARING_CALLS } from './cloudtrail-sharing.ts';
import {
  ACCESS_KEY_ID,
  BUCKET_NAME,
  type Finding,
  IAM_USER_NAME,
  type Resource,
  severityFromScore,
} from './finding.ts';

/** The `detail-type`s CloudTrail records arrive under (console sign-ins have their own). */
export const CLOUDTRAIL_DETAIL_TYPES = [
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
] as const;

/**
 * Severity score per event name; `PutBucketPolicy` and `PutBucketAcl` depend on whether the
 * call made the bucket public, `AuthorizeSecurityGroupIngress` on what it opened (see
 * `INGRESS_SEVERITY` in cloudtrail-ingress.ts).
 */
export const CLOUDTRAIL_SEVERITY = {
  StopLogging: 8,
  /** Deleting the trail also loses its configuration: worse than stopping it. */
  DeleteTrail: 9,
  publicBucketPolicy: 8,
  privateBucketPolicy: 4,
  publicBucketAcl: 8,
  privateBucketAcl: 3,
  DeleteBucketPublicAccessBlock: 7,
  /** Root keys cannot be scoped down by any policy. */
  RootCreateAccessKey: 9.5,
  RootConsoleLogin: 7.5,
} as const;

const UserIdentitySchema = z.looseObject({
  type: z.string().check(z.minLength(1)),
  arn: z.optional(z.string()),
  accountId: z.optional(z.string()),
  userName: z.optional(z.string()),
  sessionContext: z.optional(
    z.looseObject({
      sessionIssuer: z.optional(
        z.looseObject({ arn: z.optional(z.string()), userName: z.optional(z.string()) }),
      ),
    }),
  ),
});

/** A CloudTrail record, as the `detail` of the event. */
export const CloudTrailRecordSchema = z.looseObject({
  eventID: z.string().check(z.minLength(1)),
  eventName: z.string().check(z.minLength(1)),
  eventSource: z.string().check(z.minLength(1)),
  eventTime: z.string().check(z.minLength(1)),
  awsRegion: z.string().check(z.minLength(1)),
  recipientAccountId: z.optional(z.string()),
  userIdentity: UserIdentitySchema,
  errorCode: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  requestParameters: z.nullish(z.record(z.string(), z.unknown())),
  responseElements: z.nullish(z.record(z.string(), z.unknown())),
});

/** The `AWS API Call via CloudTrail` EventBridge event (source `aws.ec2`, `aws.s3`, `aws.iam`, ...). */
export const CloudTrailEventSchema = z.looseObject({
  source: z.string().check(z.minLength(1)),
  'detail-type': z.enum(CLOUDTRAIL_DETAIL_TYPES),
  id: z.optional(z.string()),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: CloudTrailRecordSchema,
});
/** A parsed CloudTrail event. */
export type CloudTrailEvent = z.infer<typeof CloudTrailEventSchema>;

/** True for the envelopes this module normalizes, whatever service emitted the call. */
export function isCloudTrailEvent(_source: string, detailType: string): boolean {
  return (CLOUDTRAIL_DETAIL_TYPES as readonly string[]).includes(detailType);
}

/** What one kind of call means: the resource it changed, how bad, in a sentence. */
export interface Assessment {
  resource: Resource;
  score: number;
  title: string;
  /** What the call changed, from its request (shared/findings/cloudtrail-evasion.ts). */
  change?: Record<string, unknown>;
}

/** Calls only the root user is acted on for: anyone else creating a key or signing in is routine. */
const ROOT_ONLY = new Set(['CreateAccessKey', 'ConsoleLogin']);

/**
 * One finding from a CloudTrail call. The id is the record's `eventID`, unique per call and kept
 * when EventBridge redelivers. A failed call (`errorCode` set, or a sign-in answered `Failure`)
 * changed nothing: it is not actionable, and recorded as skipped with that reason (CloudTrail logs
 * refused and failed calls too: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
 */
export function normalizeCloudTrailEvent(event: CloudTrailEvent): Finding[] {
  const { detail } = event;
  const assess = assessorOf(event);
  if (!assess)
    throw new InvalidFindingError(
      `unsupported CloudTrail event ${detail.eventName} (source ${event.source}); acted on: ${[...Object.keys(ASSESSORS), ...Object.keys(EVASION_CALLS), ...Object.keys(SHARING_CALLS)].join(', ')}`,
    );
  const failure =
    detail.errorCode ?? (detail.responseElements?.['ConsoleLogin'] === 'Failure' ? 'Failure' : undefined);
  if (failure)
    throw new NotActionableEventError(
      `${detail.eventName} failed (${failure}${detail.errorMessage ? `: ${detail.errorMessage}` : ''}): the call changed nothing, so there is nothing to remediate`,
    );
  const caller = detail.userIdentity;
  if (ROOT_ONLY.has(detail.eventName) && caller.type !== 'Root')
    throw new InvalidFindingError(
      `${detail.eventName} is acted on only when the root user calls it (caller type ${caller.type})`,
    );
  const { resource, score, title, change } = assess(event);
  return [
    {
      id: detail.eventID,
      source: 'cloudtrail',
      type: detail.eventName,
      title,
      severity: severityFromScore(score),
      // The record's own account: with an organization trail the bus may belong to another.
      accountId: detail.recipientAccountId ?? event.account ?? caller.accountId ?? '',
      region: detail.awsRegion,
      resource,
      resourceTags: {},
      actor: {
        principalArn: caller.arn ?? caller.sessionContext?.sessionIssuer?.arn,
        userName: caller.userName ?? caller.sessionContext?.sessionIssuer?.userName,
        type: caller.type,
      },
      firstSeen: detail.eventTime,
      lastSeen: detail.eventTime,
      count: 1,
      sample: false,
      eventId: event.id,
      ...(change ? { change } : {}),
    },
  ];
}

/** The assessor of the event's call; evasion and sharing calls only from the service that owns them. */
function assessorOf(event: CloudTrailEvent): ((event: CloudTrailEvent) => Assessment) | undefined {
  const { eventName, eventSource } = event.detail;
  // Own keys only: an event named `constructor` must not reach Object.prototype.
  if (Object.hasOwn(ASSESSORS, eventName)) return ASSESSORS[eventName];
  const owned = Object.hasOwn(EVASION_CALLS, eventName)
    ? EVASION_CALLS[eventName]
    : Object.hasOwn(SHARING_CALLS, eventName)
      ? SHARING_CALLS[eventName]
      : undefined;
  return owned && owned.eventSource === eventSource ? owned.assess : undefined;
}

/**
 * A schema for the event with `detail` narrowed to what one call needs; issue paths stay rooted at
 * the event. The envelope and record were validated already (CloudTrailEventSchema, which keeps
 * every field): these wrappers only root the paths, so they drop the fields they do not name
 * rather than copy the whole event a second time.
 */
const detailWith = <T extends z.core.$ZodShape>(shape: T) => z.object({ detail: z.object(shape) });

const TRAIL_ARN = /^arn:aws[\w-]*:cloudtrail:[\w-]+:\d{12}:trail\/(.+)$/;
/** Trail names: 3-128 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const TRAIL_NAME = /^[A-Za-z0-9][\w.-]{2,127}$/;
const TrailCallSchema = detailWith({
  requestParameters: z.looseObject({ name: z.string().check(z.minLength(1)) }),
});

/** `requestParameters.name` is whatever the caller passed: the trail's name or its ARN. */
function assessTrail(event: CloudTrailEvent): Assessment {
  const { name } = TrailCallSchema.parse(event).detail.requestParameters;
  const trailName = TRAIL_ARN.exec(name)?.[1] ?? name;
  if (!TRAIL_NAME.test(trailName))
    throw new InvalidFindingError(`${event.detail.eventName} names no usable trail ("${name}")`, [
      `detail.requestParameters.name: "${name}" is neither a trail name nor a trail ARN`,
    ]);
  const trailArn = trailName === name ? undefined : name;
  const stopped = event.detail.eventName === 'StopLogging';
  return {
    resource: { kind: 'Trail', trailName, trailArn },
    score: stopped ? CLOUDTRAIL_SEVERITY.StopLogging : CLOUDTRAIL_SEVERITY.DeleteTrail,
    title: `CloudTrail trail ${trailName} ${stopped ? 'stopped logging' : 'was deleted'}`,
  };
}

const BucketCallSchema = detailWith({
  requestParameters: z.looseObject({
    bucketName: z.string().check(z.minLength(1)),
    bucketPolicy: z.optional(z.unknown()),
  }),
});
const StatementSchema = z.looseObject({
  Effect: z.string(),
  Principal: z.optional(z.unknown()),
  Condition: z.optional(z.unknown()),
});
const PolicyDocumentSchema = z.looseObject({
  Statement: z.union([StatementSchema, z.array(StatementSchema)]),
});
/** The ACL grantee groups that mean "anyone" and "any AWS account". */
const PUBLIC_GRANTEE =
  /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)|public-read|authenticated-read/;

/**
 * An unconditional Allow to `*` (or `{"AWS": "*"}`) makes a bucket policy public. CloudTrail
 * logs the policy as a JSON object; anything else cannot be judged and counts as private.
 */
function grantsPublicAccess(policy: unknown): boolean {
  const parsed = PolicyDocumentSchema.safeParse(policy);
  if (!parsed.success) return false;
  const statements = [parsed.data.Statement].flat();
  const everyone = (principal: unknown): boolean => {
    if (principal === '*') return true;
    const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  };
  return statements.some((s) => s.Effect === 'Allow' && everyone(s.Principal) && s.Condition === undefined);
}

function assessBucket(event: CloudTrailEvent): Assessment {
  const request = BucketCallSchema.parse(event).detail.requestParameters;
  const { bucketName } = request;
  if (!BUCKET_NAME.test(bucketName))
    throw new InvalidFindingError(`${event.detail.eventName} names no usable bucket ("${bucketName}")`, [
      `detail.requestParameters.bucketName: "${bucketName}" is not a bucket name`,
    ]);
  const resource: Resource = { kind: 'Bucket', bucketName };
  switch (event.detail.eventName) {
    case 'PutBucketPolicy': {
      const open = grantsPublicAccess(request.bucketPolicy);
      const score = open ? CLOUDTRAIL_SEVERITY.publicBucketPolicy : CLOUDTRAIL_SEVERITY.privateBucketPolicy;
      return { resource, score, title: `Bucket ${bucketName} policy ${open ? 'made public' : 'changed'}` };
    }
    case 'PutBucketAcl': {
      // Grants arrive either as an AccessControlPolicy body or as a canned x-amz-acl header.
      const open = PUBLIC_GRANTEE.test(JSON.stringify(request));
      const score = open ? CLOUDTRAIL_SEVERITY.publicBucketAcl : CLOUDTRAIL_SEVERITY.privateBucketAcl;
      return { resource, score, title: `Bucket ${bucketName} ACL ${open ? 'made public' : 'changed'}` };
    }
    default:
      return {
        resource,
        score: CLOUDTRAIL_SEVERITY.DeleteBucketPublicAccessBlock,
        title: `Block Public Access removed from bucket ${bucketName}`,
      };
  }
}

const CreateAccessKeyCallSchema = detailWith({
  requestParameters: z.nullish(z.looseObject({ userName: z.optional(z.string()) })),
  responseElements: z.looseObject({ accessKey: z.looseObject({ accessKeyId: z.string() }) }),
});

/** Root may create a key for itself (no `userName`) or for an IAM user it names. */
function assessRootAccessKey(event: CloudTrailEvent): Assessment {
  const { requestParameters, responseElements } = CreateAccessKeyCallSchema.parse(event).detail;
  const { accessKeyId } = responseElements.accessKey;
  const owner = requestParameters?.userName;
  const problems = [
    ...(ACCESS_KEY_ID.test(accessKeyId)
      ? []
      : [`detail.responseElements.accessKey.accessKeyId: "${accessKeyId}" is not an access key id`]),
    ...(owner === undefined || IAM_USER_NAME.test(owner)
      ? []
      : [`detail.requestParameters.userName: "${owner}" is not an IAM user name`]),
  ];
  if (problems.length > 0)
    throw new InvalidFindingError(`root CreateAccessKey names no usable key: ${problems[0]}`, problems);
  const resource: Resource = owner
    ? { kind: 'AccessKey', accessKeyId, userName: owner, userType: 'IAMUser' }
    : {
        kind: 'AccessKey',
        accessKeyId,
        userName: 'root',
        userType: 'Root',
        principalArn: event.detail.userIdentity.arn,
      };
  return {
    resource,
    score: CLOUDTRAIL_SEVERITY.RootCreateAccessKey,
    title: `Root user created access key ${accessKeyId}${owner ? ` for ${owner}` : ''}`,
  };
}

const ASSESSORS: Readonly<Record<string, (event: CloudTrailEvent) => Assessment>> = {
  AuthorizeSecurityGroupIngress: assessIngress,
  ModifySecurityGroupRules: assessModifyRules,
  StopLogging: assessTrail,
  DeleteTrail: assessTrail,
  PutBucketPolicy: assessBucket,
  PutBucketAcl: assessBucket,
  DeleteBucketPublicAccessBlock: assessBucket,
  // Block Public Access weakened at a bucket or for the account (cloudtrail-public-access.ts).
  ...PUBLIC_ACCESS_CALLS,
  CreateAccessKey: assessRootAccessKey,
  ConsoleLogin: () => ({
    resource: { kind: 'Account' },
    score: CLOUDTRAIL_SEVERITY.RootConsoleLogin,
    title: 'Root user signed in to the console',
  }),
};
