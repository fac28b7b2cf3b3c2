import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { misspelledKeys } from './misspelled-keys.ts';

/**
 * The retention periods CloudWatch Logs accepts; CloudFormation refuses a log group with any other
 * `RetentionInDays`, so a value outside them must stop `cdk synth`, not the deployment.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The deploy-time settings, from CDK context (`cdk deploy -c notificationEmail=...`). */
export const StackConfigSchema = z.object({
  /** Email subscribed to the notification topic. Optional: subscribe chat or pager later. */
  notificationEmail: z.optional(z.email()),
  /** Path of the remediation policy baked into the classify function. */
  policyFile: z._default(z.string().check(z.minLength(1)), 'policy/default.yaml'),
  /** Global dry-run: every playbook only records its plan. Safe first deploy. */
  dryRun: z._default(z.boolean({ error: 'expected true or false' }), false),
  /** Audit records and logs are kept this many days in CloudWatch Logs (one of CloudWatch's values). */
  logRetentionDays: z._default(
    z.number().check(
      z.refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `expected one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    ),
    365,
  ),
  /**
   * Reserved (and maximum) concurrency of the classifier. It caps the StartExecution rate in a
   * storm of findings; the excess waits in Lambda's asynchronous queue (retried up to 6 hours,
   * then dead-lettered). Unset: the account's unreserved pool (a new account may have too
   * little to reserve any).
   */
  classifierConcurrency: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1000))),
  /**
   * The AWS Organizations id (`o-…`). Set, the stack protects the organization: an event bus
   * for the members, and every playbook call on a finding's resource made as the
   * `memberRoleName` role of the finding's account. Unset: this account only.
   */
  organizationId: z.optional(
    z.string().check(z.regex(/^o-[a-z0-9]{10,32}$/, 'expected an organization id such as o-a1b2c3d4e5')),
  ),
  /** The role the member stack creates in every account, and playbooks assume. */
  memberRoleName: z._default(
    z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name')),
    'RemediationExecutionRole',
  ),
  /**
   * In an organization: every region the security stack is deployed in (GuardDuty, Config and
   * CloudTrail events are regional, so each region's stack acts on its own region's findings). A
   * finding that arrives in one region about a resource in another listed region (Security Hub
   * cross-region aggregation) is started in its own region; one in an unlisted region goes to a
   * human. @default only the region being deployed
   */
  regions: z._default(
    z.array(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected region names such as eu-west-1'))),
    [],
  ),
  /** The security account the member stack trusts (required to synthesize the member stack). */
  securityAccountId: z.optional(z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id'))),
});
export type StackConfig = z.infer<typeof StackConfigSchema>;

/** A list from context: a JSON array (cdk.json) or comma-separated text (`-c regions=a,b`). */
function listOf(value: unknown): unknown {
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value;
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A boolean from context: `true`/`false` as JSON (cdk.json) or as the exact text on the command
 * line. Anything else (`yes`, `1`, `True`) is passed on unchanged for the schema to refuse: a
 * typo must never read as `false` and deploy live remediation.
 */
function booleanOf(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

/** A number from context: a JSON number, or text that is one (`-c logRetentionDays=30`). */
function numberOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.trim() === '' ? value : Number(value);
}

/** Context values arrive as strings from the command line; coerce the booleans and numbers. */
export function parseStackConfig(context: Record<string, unknown>): StackConfig {
  const raw = {
    notificationEmail: context.notificationEmail || undefined,
    policyFile: context.policyFile || undefined,
    dryRun: booleanOf(context.dryRun),
    logRetentionDays: numberOf(context.logRetentionDays),
    classifierConcurrency: numberOf(context.classifierConcurrency),
    organizationId: context.organizationId || undefined,
    memberRoleName: context.memberRoleName || undefined,
    regions: listOf(context.regions),
    securityAccountId:
      context.securityAccountId === undefined ? undefined : String(context.securityAccountId),
  };
  const misspelled = misspelledKeys(context, Object.keys(StackConfigSchema.shape)).map(
    ({ key, meant }) => `  -c ${key}: not a setting of this app; did you mean ${meant}?`,
  );
  const parsed = StackConfigSchema.safeParse(raw);
  const invalid = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  -c ${i.path.join('.')}: ${i.message}`);
  if (misspelled.length > 0 || !parsed.success) {
    throw new ConfigurationError(`Invalid CDK context:\n${[...misspelled, ...invalid].join('\n')}`);
  }
  return parsed.data;
}
