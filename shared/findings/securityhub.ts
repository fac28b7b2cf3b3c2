import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError, NotActionableEventError } from '#shared/errors.ts';
import {
  ACCESS_KEY_ID,
  BUCKET_NAME,
  CONTROL_ID,
  type Finding,
  IAM_USER_NAME,
  INSTANCE_ID,
  KMS_KEY_ID,
  type Resource,
  SECURITY_GROUP_ID,
  type Severity,
  severityFromScore,
} from './finding.ts';
import { awsProductOf, untrustedProductReason } from './securityhub-products.ts';

/** EventBridge `source` of Security Hub events. */
export const SECURITYHUB_SOURCE = 'aws.securityhub';
/** EventBridge `detail-type` of findings Security Hub imported or updated (custom actions have another). */
export const SECURITYHUB_IMPORTED_DETAIL_TYPE = 'Security Hub Findings - Imported';

const AsffSeverityLabelSchema = z.enum(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
type AsffSeverityLabel = z.infer<typeof AsffSeverityLabelSchema>;

/**
 * The floor of each band on the 0-10 scale the policy uses. Security Hub's bands (Normalized
 * 1-39 LOW, 40-69 MEDIUM, 70-89 HIGH, 90-100 CRITICAL) line up with it divided by ten, except
 * that LOW starts at 0.1, which the 0-10 bands would read as Informational.
 */
const LABEL_SCORE: Readonly<Record<AsffSeverityLabel, number>> = {
  INFORMATIONAL: 0,
  LOW: 1,
  MEDIUM: 4,
  HIGH: 7,
  CRITICAL: 9,
};

const AsffResourceSchema = z.looseObject({
  Type: z.string().check(z.minLength(1)),
  Id: z.string().check(z.minLength(1)),
  Region: z.optional(z.string()),
  Tags: z.optional(z.record(z.string(), z.string())),
  Details: z.optional(
    z.looseObject({
      AwsIamAccessKey: z.optional(
        z.looseObject({
          AccessKeyId: z.optional(z.string()),
          PrincipalName: z.optional(z.string()),
          /** Deprecated for PrincipalName; older findings only have this. */
          UserName: z.optional(z.string()),
          PrincipalType: z.optional(z.string()),
        }),
      ),
      AwsEc2Instance: z.optional(
        z.looseObject({ VpcId: z.optional(z.string()), IamInstanceProfileArn: z.optional(z.string()) }),
      ),
    }),
  ),
});
type AsffResource = z.infer<typeof AsffResourceSchema>;

/** One finding in the AWS Security Finding Format: strict on what we act on, open to the rest. */
export const AsffFindingSchema = z.looseObject({
  Id: z.string().check(z.minLength(1)),
  ProductArn: z.string().check(z.minLength(1)),
  GeneratorId: z.string().check(z.minLength(1)),
  AwsAccountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  Types: z.array(z.string()),
  Title: z.string(),
  Region: z.optional(z.string()),
  CreatedAt: z.string().check(z.minLength(1)),
  UpdatedAt: z.string().check(z.minLength(1)),
  FirstObservedAt: z.optional(z.string()),
  LastObservedAt: z.optional(z.string()),
  Severity: z
    .looseObject({
      Label: z.optional(AsffSeverityLabelSchema),
      Normalized: z.optional(z.number().check(z.gte(0), z.lte(100))),
    })
    .check(
      z.refine((severity) => severity.Label !== undefined || severity.Normalized !== undefined, {
        message: 'needs Label or Normalized',
      }),
    ),
  Resources: z.array(AsffResourceSchema).check(z.minLength(1)),
  RecordState: z.optional(z.string()),
  Workflow: z.optional(z.looseObject({ Status: z.optional(z.string()) })),
  /** Deprecated for Workflow.Status. */
  WorkflowState: z.optional(z.string()),
  Compliance: z.optional(
    z.looseObject({ Status: z.optional(z.string()), SecurityControlId: z.optional(z.string()) }),
  ),
  ProductFields: z.optional(z.record(z.string(), z.string())),
  Sample: z.optional(z.boolean()),
});
/** A parsed ASFF finding. */
export type AsffFinding = z.infer<typeof AsffFindingSchema>;

/** The `Security Hub Findings - Imported` EventBridge event: one or more ASFF findings. */
export const SecurityHubEventSchema = z.looseObject({
  source: z.literal(SECURITYHUB_SOURCE),
  'detail-type': z.literal(SECURITYHUB_IMPORTED_DETAIL_TYPE),
  id: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: z.looseObject({ findings: z.array(AsffFindingSchema).check(z.minLength(1)) }),
});
/** A parsed `Security Hub Findings - Imported` event. */
export type SecurityHubEvent = z.infer<typeof SecurityHubEventSchema>;

/** True for the envelope this module normalizes. */
export function isSecurityHubEvent(source: string, detailType: string): boolean {
  return source === SECURITYHUB_SOURCE && detailType === SECURITYHUB_IMPORTED_DETAIL_TYPE;
}

/**
 * Every active finding of the event. Security Hub also publishes updates that close a finding
 * (archived, resolved, suppressed, or a control that now passes); those are left out, and an
 * event with nothing active left is not actionable: recorded as skipped, with the reason for each
 * finding, never dead-lettered.
 */
export function normalizeSecurityHubEvent(event: SecurityHubEvent): Finding[] {
  const findings = event.detail.findings;
  const closed = findings.map(closedBecause);
  const active = findings.filter((_, index) => closed[index] === undefined);
  if (active.length === 0)
    throw new NotActionableEventError(
      `none of the ${findings.length} Security Hub finding(s) is active: nothing to remediate`,
      findings.map((finding, index) => `detail.findings[${index}] ${finding.Id}: ${closed[index]}`),
    );
  return active.map((finding) => normalizeAsffFinding(finding, event.region, event.id));
}

function closedBecause(finding: AsffFinding): string | undefined {
  if (finding.RecordState === 'ARCHIVED') return 'RecordState ARCHIVED';
  const workflow = finding.Workflow?.Status ?? finding.WorkflowState;
  if (workflow === 'RESOLVED' || workflow === 'SUPPRESSED') return `Workflow ${workflow}`;
  if (finding.Compliance?.Status === 'PASSED') return 'Compliance PASSED';
  return undefined;
}

const GUARDDUTY_FINDING_ARN = /:guardduty:[\w-]+:\d{12}:detector\/\w+\/finding\/(\w+)$/;

/**
 * One ASFF finding as a {@link Finding}. The id is the ASFF `Id`, except for GuardDuty findings
 * Security Hub forwards: those keep GuardDuty's own finding id, so the copy that arrives through
 * Security Hub dedupes against the one GuardDuty delivered directly. Only a finding whose
 * `ProductArn` is GuardDuty's gets that id: a custom one may carry an `Id` shaped like a GuardDuty
 * ARN, and must not write into that finding's audit trail. A finding from a product other than the
 * trusted AWS services is marked notify-only (see securityhub-products.ts).
 *
 * A control finding keeps its `Id` for as long as the control checks the resource: FAILED, then
 * PASSED once fixed, then FAILED again when someone undoes the fix. Its id here is the `Id` and
 * `UpdatedAt`, as a Config finding's carries its evaluation time, so a relapse is a new finding
 * (a new remediation) while a redelivery of the same update dedupes. Reports of the same resource
 * within the hour are one remediation all the same (functions/classify/posture-claim.ts).
 */
export function normalizeAsffFinding(finding: AsffFinding, eventRegion?: string, eventId?: string): Finding {
  const primary =
    finding.Resources.find((resource) => Object.hasOwn(ACTIONABLE, resource.Type)) ?? finding.Resources[0];
  const region = finding.Region ?? primary?.Region ?? eventRegion;
  if (!primary || !region)
    throw new InvalidFindingError(
      `Security Hub finding ${finding.Id} names no ${primary ? 'region' : 'resource'}`,
    );
  const sample = isSample(finding);
  const untrusted = untrustedProductReason(finding.ProductArn);
  const guardDutyId =
    awsProductOf(finding.ProductArn) === 'guardduty'
      ? GUARDDUTY_FINDING_ARN.exec(finding.Id)?.[1]
      : undefined;
  const control = controlOf(finding);
  return {
    id: guardDutyId ?? (control.control ? `${finding.Id}/${finding.UpdatedAt}` : finding.Id),
    source: 'securityhub',
    type: finding.Types[0] ?? finding.GeneratorId,
    title: finding.Title,
    severity: severityOf(finding.Severity),
    accountId: finding.AwsAccountId,
    region,
    resource: resourceOf(primary, sample, finding.Id),
    resourceTags: primary.Tags ?? {},
    firstSeen: finding.FirstObservedAt ?? finding.CreatedAt,
    lastSeen: finding.LastObservedAt ?? finding.UpdatedAt,
    count: 1,
    sample,
    eventId,
    ...(untrusted && { notifyOnlyBecause: `Security Hub finding ${untrusted}` }),
    ...control,
  };
}

/**
 * The control a Security Hub control finding reports on. With consolidated control findings the
 * id is `Compliance.SecurityControlId`; without, each standard's finding carries it as
 * `ProductFields.ControlId` (and the standard's own numbering, identical for the AWS Foundational
 * Security Best Practices standard). Only Security Hub's own findings name a control: another
 * product's `Compliance` block is its own vocabulary.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/sample-control-findings.html
 * https://docs.aws.amazon.com/securityhub/latest/userguide/asff-top-level-attributes.html#asff-compliance
 */
function controlOf(finding: AsffFinding): { control?: string } {
  if (awsProductOf(finding.ProductArn) !== 'securityhub') return {};
  const control = finding.Compliance?.SecurityControlId ?? finding.ProductFields?.ControlId;
  return control !== undefined && CONTROL_ID.test(control) ? { control } : {};
}

/**
 * Label is authoritative (Normalized is deprecated, and derived from it when only Label is
 * sent); Normalized/10 gives a finer score when it falls in the same band.
 */
function severityOf(severity: AsffFinding['Severity']): Severity {
  const label = severity.Label ?? asffLabelOf(severity.Normalized ?? 0);
  const fromLabel = severityFromScore(LABEL_SCORE[label]);
  if (severity.Normalized === undefined) return fromLabel;
  const fromNormalized = severityFromScore(severity.Normalized / 10);
  return fromNormalized.label === fromLabel.label ? fromNormalized : fromLabel;
}

function asffLabelOf(normalized: number): AsffSeverityLabel {
  if (normalized >= 90) return 'CRITICAL';
  if (normalized >= 70) return 'HIGH';
  if (normalized >= 40) return 'MEDIUM';
  return normalized >= 1 ? 'LOW' : 'INFORMATIONAL';
}

/** `Sample: true`, or a product field such as GuardDuty's `additionalInfo/sample` set to "true". */
function isSample(finding: AsffFinding): boolean {
  if (finding.Sample === true) return true;
  return Object.entries(finding.ProductFields ?? {}).some(
    ([key, value]) => /(^|\/)sample$/i.test(key) && value === 'true',
  );
}

/** The last segment of an ARN's resource part (`.../instance/i-0abc` → `i-0abc`). */
const lastSegment = (id: string): string => id.slice(Math.max(id.lastIndexOf('/'), id.lastIndexOf(':')) + 1);

/** An RDS snapshot resource (kept as `Other`, its id the snapshot identifier), from its ARN or identifier. */
function rdsSnapshot(
  r: AsffResource,
  type: 'snapshot' | 'cluster-snapshot',
): { resource: Resource; problem?: string } {
  const fromArn = new RegExp(`^arn:aws[\\w-]*:rds:[a-z0-9-]+:\\d{12}:${type}:(.+)$`).exec(r.Id)?.[1];
  const id = fromArn ?? r.Id;
  return {
    resource: { kind: 'Other', type: r.Type, id },
    problem: /^[A-Za-z][A-Za-z0-9:-]{0,254}$/.test(id)
      ? undefined
      : `"${id}" is not an RDS ${type} identifier`,
  };
}

/** ASFF resource types a playbook acts on, mapped to a resource, with the check its id must pass. */
const ACTIONABLE: Readonly<
  Record<string, (resource: AsffResource) => { resource: Resource; problem?: string }>
> = {
  AwsIamAccessKey: (r) => {
    const details = r.Details?.AwsIamAccessKey;
    // GuardDuty writes the key into the resource Id (`AWS::IAM::AccessKey:ASIA...`), or `null` when it had none.
    const accessKeyId = details?.AccessKeyId ?? r.Id.replace(/^AWS::IAM::AccessKey:/, '');
    const userName = details?.PrincipalName ?? details?.UserName ?? '';
    if (!accessKeyId || accessKeyId === 'null' || accessKeyId === r.Id)
      return { resource: { kind: 'Other', type: r.Type, id: r.Id } };
    const problem = !ACCESS_KEY_ID.test(accessKeyId)
      ? `"${accessKeyId}" is not an access key id (AKIA or ASIA and 16 characters)`
      : !IAM_USER_NAME.test(userName)
        ? `"${userName}" is not an IAM principal name`
        : undefined;
    return {
      resource: { kind: 'AccessKey', accessKeyId, userName, userType: details?.PrincipalType },
      problem,
    };
  },
  AwsEc2Instance: (r) => {
    const instanceId = lastSegment(r.Id);
    const details = r.Details?.AwsEc2Instance;
    return {
      resource: {
        kind: 'Instance',
        instanceId,
        vpcId: details?.VpcId,
        instanceProfileArn: details?.IamInstanceProfileArn,
      },
      problem: INSTANCE_ID.test(instanceId) ? undefined : `"${instanceId}" is not an instance id`,
    };
  },
  AwsEc2SecurityGroup: (r) => {
    const groupId = lastSegment(r.Id);
    return {
      resource: { kind: 'SecurityGroup', groupId, addedRules: [] },
      problem: SECURITY_GROUP_ID.test(groupId) ? undefined : `"${groupId}" is not a security group id`,
    };
  },
  AwsS3Bucket: (r) => {
    const bucketName = r.Id.replace(/^arn:aws[\w-]*:s3:::/, '');
    return {
      resource: { kind: 'Bucket', bucketName },
      problem: BUCKET_NAME.test(bucketName) ? undefined : `"${bucketName}" is not a bucket name`,
    };
  },
  AwsCloudTrailTrail: (r) => {
    const trailName = lastSegment(r.Id);
    return { resource: { kind: 'Trail', trailName, trailArn: r.Id.startsWith('arn:') ? r.Id : undefined } };
  },
  // RDS.1's findings name the snapshot by its ARN; the RDS calls take its identifier (the rest of
  // the ARN after `snapshot:`, which may hold a colon: automated snapshots are `rds:<name>-<date>`).
  AwsRdsDbSnapshot: (r) => rdsSnapshot(r, 'snapshot'),
  AwsRdsDbClusterSnapshot: (r) => rdsSnapshot(r, 'cluster-snapshot'),
  // RDS.8's findings name the instance by its ARN (`...:db:<identifier>`); the RDS calls take the identifier.
  AwsRdsDbInstance: (r) => {
    const id = /^arn:aws[\w-]*:rds:[a-z0-9-]+:\d{12}:db:(.+)$/.exec(r.Id)?.[1] ?? r.Id;
    return {
      resource: { kind: 'Other', type: r.Type, id },
      problem: /^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(id)
        ? undefined
        : `"${id}" is not a DB instance identifier`,
    };
  },
  // EC2.15's findings name the subnet by its ARN (`...:subnet/<id>`); EC2 calls take the id.
  AwsEc2Subnet: (r) => {
    const id = lastSegment(r.Id);
    return {
      resource: { kind: 'Other', type: r.Type, id },
      problem: /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/.test(id) ? undefined : `"${id}" is not a subnet id`,
    };
  },
  // Lambda.1's findings name the function by its ARN (`...:function:<name>`).
  AwsLambdaFunction: (r) => {
    const functionName = /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})$/.exec(
      r.Id,
    )?.[1];
    return {
      resource: { kind: 'LambdaFunction', functionName: functionName ?? r.Id, functionArn: r.Id },
      problem: functionName ? undefined : `"${r.Id}" is not an unqualified Lambda function ARN`,
    };
  },
  // RDS.7's and RDS.16's findings name the cluster by its ARN (`...:cluster:<identifier>`); the
  // RDS calls take the identifier (1 to 63 letters, digits and hyphens, a letter first).
  AwsRdsDbCluster: (r) => {
    const id = /^arn:aws[\w-]*:rds:[a-z0-9-]+:\d{12}:cluster:(.+)$/.exec(r.Id)?.[1] ?? r.Id;
    return {
      resource: { kind: 'Other', type: r.Type, id },
      problem: /^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(id) ? undefined : `"${id}" is not a DB cluster identifier`,
    };
  },
  // DynamoDB.6's findings name the table by its ARN (`...:table/<name>`); UpdateTable takes the name.
  AwsDynamoDbTable: (r) => {
    const id = /^arn:aws[\w-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/(.+)$/.exec(r.Id)?.[1] ?? r.Id;
    return {
      resource: { kind: 'Other', type: r.Type, id },
      problem: /^[A-Za-z0-9_.-]{3,255}$/.test(id) ? undefined : `"${id}" is not a DynamoDB table name`,
    };
  },
  // SQS.1's findings name the queue by its ARN (`arn:aws:sqs:<region>:<account>:<name>`); GetQueueUrl takes the name.
  AwsSqsQueue: (r) => {
    const id = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:(.+)$/.exec(r.Id)?.[1] ?? r.Id;
    return {
      resource: { kind: 'Other', type: r.Type, id },
      problem: /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(id) ? undefined : `"${id}" is not an SQS queue name`,
    };
  },
  // SNS.1's findings name the topic by its ARN, which the SNS calls take as it is.
  AwsSnsTopic: (r) => ({
    resource: { kind: 'Other', type: r.Type, id: r.Id },
    problem: /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/.test(r.Id)
      ? undefined
      : `"${r.Id}" is not an SNS topic ARN`,
  }),
  AwsAccount: () => ({ resource: { kind: 'Account' } }),
  // The Id is the key's ARN (`arn:aws:kms:<region>:<account>:key/<key id>`).
  AwsKmsKey: (r) => {
    const keyId = lastSegment(r.Id);
    return {
      resource: { kind: 'KmsKey', keyId, keyArn: r.Id.startsWith('arn:') ? r.Id : undefined },
      problem: KMS_KEY_ID.test(keyId) ? undefined : `"${keyId}" is not a KMS key id`,
    };
  },
};

/** As for GuardDuty: a malformed id is never actionable; a sample keeps it as `Other`, a real finding is rejected. */
function resourceOf(resource: AsffResource, sample: boolean, findingId: string): Resource {
  const toResource = Object.hasOwn(ACTIONABLE, resource.Type) ? ACTIONABLE[resource.Type] : undefined;
  if (!toResource) return { kind: 'Other', type: resource.Type, id: resource.Id };
  const { resource: mapped, problem } = toResource(resource);
  if (!problem) return mapped;
  if (sample) return { kind: 'Other', type: resource.Type, id: resource.Id };
  throw new InvalidFindingError(
    `Security Hub finding ${findingId} is not a sample, yet its ${resource.Type} identifier is malformed: ${problem}`,
    [`Resources[].Id ${resource.Id}: ${problem}`],
  );
}
