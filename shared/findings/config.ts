import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import { DB_INSTANCE_CONFIG_RULES } from '#shared/rds/control-settings.ts';
import {
  BUCKET_NAME,
  type Finding,
  INSTANCE_ID,
  KMS_KEY_ID,
  type Resource,
  SECURITY_GROUP_ID,
  severityFromScore,
} from './finding.ts';

/** EventBridge `source` of AWS Config events. */
export const CONFIG_SOURCE = 'aws.config';
/** EventBridge `detail-type` of a rule evaluation that changed a resource's compliance. */
export const CONFIG_COMPLIANCE_DETAIL_TYPE = 'Config Rules Compliance Change';

/**
 * Severity score per managed rule identifier; any other rule is Medium 5. Rules deployed by
 * Security Hub or conformance packs carry a prefix or suffix around the identifier
 * (`securityhub-restricted-ssh-a1b2c3`), so names are matched on whole `-`-separated words.
 */
export const CONFIG_RULE_SEVERITY: Readonly<Record<string, number>> = {
  'restricted-ssh': 8,
  'restricted-common-ports': 8,
  'vpc-sg-open-only-to-authorized-ports': 7,
  'ec2-instance-no-public-ip': 5,
  's3-bucket-public-read-prohibited': 8,
  's3-bucket-public-write-prohibited': 9,
  's3-bucket-level-public-access-prohibited': 7,
  's3-account-level-public-access-blocks': 7,
  'cloudtrail-enabled': 8,
  'multi-region-cloudtrail-enabled': 7,
  'iam-root-access-key-check': 9,
  'root-account-mfa-enabled': 9,
  'access-keys-rotated': 4,
  'iam-user-unused-credentials-check': 4,
};
const DEFAULT_RULE_SEVERITY = 5;

/** The `detail` of a compliance change: the rule, the resource, and the new evaluation. */
export const ConfigComplianceChangeSchema = z.looseObject({
  configRuleName: z.string().check(z.minLength(1)),
  resourceType: z.string().check(z.minLength(1)),
  resourceId: z.string().check(z.minLength(1)),
  awsRegion: z.string().check(z.minLength(1)),
  awsAccountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  newEvaluationResult: z.looseObject({
    complianceType: z.enum(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']),
    resultRecordedTime: z.optional(z.string()),
    configRuleInvokedTime: z.optional(z.string()),
    annotation: z.nullish(z.string()),
    evaluationResultIdentifier: z.optional(z.looseObject({ orderingTimestamp: z.optional(z.string()) })),
  }),
});

/** The `Config Rules Compliance Change` EventBridge event. */
export const ConfigComplianceEventSchema = z.looseObject({
  source: z.literal(CONFIG_SOURCE),
  'detail-type': z.literal(CONFIG_COMPLIANCE_DETAIL_TYPE),
  id: z.optional(z.string()),
  time: z.optional(z.string()),
  detail: ConfigComplianceChangeSchema,
});
/** A parsed `Config Rules Compliance Change` event. */
export type ConfigComplianceEvent = z.infer<typeof ConfigComplianceEventSchema>;

/** True for the envelope this module normalizes. */
export function isConfigComplianceEvent(source: string, detailType: string): boolean {
  return source === CONFIG_SOURCE && detailType === CONFIG_COMPLIANCE_DETAIL_TYPE;
}

/** The managed rule identifier of `table` that a rule's name contains, on whole `-`-separated words. */
function ruleIdentifier(
  configRuleName: string,
  table: Readonly<Record<string, unknown>>,
): string | undefined {
  const words = `-${configRuleName}-`;
  // Longest first, so `multi-region-cloudtrail-enabled` is not read as `cloudtrail-enabled`.
  return Object.keys(table)
    .sort((a, b) => b.length - a.length)
    .find((candidate) => words.includes(`-${candidate}-`));
}

/** The severity score of a rule, by the managed rule identifier its name contains. */
export function configRuleScore(configRuleName: string): number {
  const identifier = ruleIdentifier(configRuleName, CONFIG_RULE_SEVERITY);
  return identifier ? (CONFIG_RULE_SEVERITY[identifier] ?? DEFAULT_RULE_SEVERITY) : DEFAULT_RULE_SEVERITY;
}

/**
 * The Security Hub control a rule checks, for the rules whose control a playbook fixes one setting
 * of (`settingOfControl`): that playbook picks the setting by the control, and the posture claim is
 * per setting, whichever source reported it.
 */
export function configRuleControl(configRuleName: string): string | undefined {
  const identifier = ruleIdentifier(configRuleName, DB_INSTANCE_CONFIG_RULES);
  return identifier ? DB_INSTANCE_CONFIG_RULES[identifier] : undefined;
}

/**
 * One finding from a compliance change; only NON_COMPLIANT is acted on, any other result is
 * rejected with that reason. Config has no finding id: the id is
 * `${configRuleName}/${resourceType}/${resourceId}/${resultRecordedTime}`. The rule and resource
 * say what is wrong; the evaluation time tells a later relapse (a new remediation) from an
 * EventBridge redelivery of the same change (which keeps the same time, so it dedupes).
 */
export function normalizeConfigComplianceEvent(event: ConfigComplianceEvent): Finding[] {
  const { detail } = event;
  const result = detail.newEvaluationResult;
  if (result.complianceType !== 'NON_COMPLIANT')
    throw new InvalidFindingError(
      `Config rule ${detail.configRuleName} reports ${result.complianceType} for ${detail.resourceType} ${detail.resourceId}: nothing to remediate`,
    );
  const evaluatedAt =
    result.resultRecordedTime ?? result.evaluationResultIdentifier?.orderingTimestamp ?? event.time;
  if (!evaluatedAt)
    throw new InvalidFindingError('Config compliance change carries no evaluation time to identify it by', [
      'detail.newEvaluationResult.resultRecordedTime: missing',
    ]);
  const annotation = result.annotation ? `: ${result.annotation}` : '';
  const control = configRuleControl(detail.configRuleName);
  return [
    {
      id: `${detail.configRuleName}/${detail.resourceType}/${detail.resourceId}/${evaluatedAt}`,
      source: 'config',
      type: detail.configRuleName,
      title: `${detail.resourceType} ${detail.resourceId} is NON_COMPLIANT with ${detail.configRuleName}${annotation}`,
      severity: severityFromScore(configRuleScore(detail.configRuleName)),
      accountId: detail.awsAccountId,
      region: detail.awsRegion,
      resource: resourceOf(detail.resourceType, detail.resourceId, {
        accountId: detail.awsAccountId,
        region: detail.awsRegion,
      }),
      resourceTags: {},
      firstSeen: evaluatedAt,
      lastSeen: evaluatedAt,
      count: 1,
      sample: false,
      eventId: event.id,
      ...(control ? { control } : {}),
    },
  ];
}

/** A trail's name (3-128 letters, digits, `.`, `_`, `-`), optionally as the tail of its ARN. */
const TRAIL_NAME_OR_ARN = /^(arn:aws[\w-]*:cloudtrail:[\w-]+:\d{12}:trail\/)?[A-Za-z0-9][\w.-]{2,127}$/;

/** A DB instance's resource id, as AWS Config names the instance. */
export const DBI_RESOURCE_ID = /^db-[A-Z0-9]+$/;

/** Config resource types a playbook acts on, with the AWS format their id must have. */
/** Where the resource is: a Config resource id alone does not make an ARN. */
interface ResourcePlace {
  readonly accountId: string;
  readonly region: string;
}

/** The partition of a Region (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html). */
const partitionOf = (region: string) =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

const ACTIONABLE: Readonly<
  Record<string, { format: RegExp; toResource: (id: string, place: ResourcePlace) => Resource }>
> = {
  'AWS::EC2::SecurityGroup': {
    format: SECURITY_GROUP_ID,
    // Config says the group is non-compliant, not which rule was added: the playbook looks it up.
    toResource: (groupId) => ({ kind: 'SecurityGroup', groupId, addedRules: [] }),
  },
  'AWS::EC2::Instance': {
    format: INSTANCE_ID,
    toResource: (instanceId) => ({ kind: 'Instance', instanceId }),
  },
  'AWS::S3::Bucket': { format: BUCKET_NAME, toResource: (bucketName) => ({ kind: 'Bucket', bucketName }) },
  'AWS::CloudTrail::Trail': {
    format: TRAIL_NAME_OR_ARN,
    toResource: (id) => {
      const trailName = id.slice(id.lastIndexOf('/') + 1);
      return trailName === id ? { kind: 'Trail', trailName } : { kind: 'Trail', trailName, trailArn: id };
    },
  },
  'AWS::::Account': { format: /^\d{12}$/, toResource: () => ({ kind: 'Account' }) },
  'AWS::KMS::Key': { format: KMS_KEY_ID, toResource: (keyId) => ({ kind: 'KmsKey', keyId }) },
  // Config names a DB instance by its resource id (DbiResourceId, `db-` and capitals or digits),
  // not its identifier: protect-db-instance looks the identifier up
  // (https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-deletion-protection-enabled.html,
  // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html: DbiResourceId).
  // Kept under the type Security Hub gives it, so one playbook and its policy rules handle both.
  'AWS::RDS::DBInstance': {
    format: DBI_RESOURCE_ID,
    toResource: (id) => ({ kind: 'Other', type: 'AwsRdsDbInstance', id }),
  },
  // Config names a function by its name (lambda-function-public-access-prohibited's findings).
  'AWS::Lambda::Function': {
    format: /^[A-Za-z0-9_-]{1,64}$/,
    toResource: (functionName, { accountId, region }) => ({
      kind: 'LambdaFunction',
      functionName,
      functionArn: `arn:${partitionOf(region)}:lambda:${region}:${accountId}:function:${functionName}`,
    }),
  },
};

/** The Config resource types a playbook can act on (the rest are notified as `Other`). */
export const CONFIG_ACTIONABLE_TYPES: readonly string[] = Object.keys(ACTIONABLE);

function resourceOf(resourceType: string, resourceId: string, place: ResourcePlace): Resource {
  const actionable = Object.hasOwn(ACTIONABLE, resourceType) ? ACTIONABLE[resourceType] : undefined;
  if (!actionable) return { kind: 'Other', type: resourceType, id: resourceId };
  if (!actionable.format.test(resourceId))
    throw new InvalidFindingError(
      `Config reports ${resourceType} "${resourceId}", which is not a valid id for that type`,
      [`detail.resourceId: "${resourceId}" does not match the ${resourceType} id format`],
    );
  return actionable.toResource(resourceId, place);
}
