import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { ConfigurationError } from '#shared/errors.ts';

/** The deploy-time settings, from CDK context (`cdk deploy -c notificationEmail=...`). */
export const StackConfigSchema = z.object({
  /** Email subscribed to the notification topic. Optional: subscribe chat or pager later. */
  notificationEmail: z.optional(z.email()),
  /** Path of the remediation policy baked into the classify function. */
  policyFile: z._default(z.string().check(z.minLength(1)), 'policy/default.yaml'),
  /** Global dry-run: every playbook only records its plan. Safe first deploy. */
  dryRun: z._default(z.boolean(), false),
  /** Audit records and logs are kept this many days in CloudWatch Logs. */
  logRetentionDays: z._default(z.number().check(z.int(), z.positive()), 365),
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

/** Context values arrive as strings from the command line; coerce the booleans and numbers. */
export function parseStackConfig(context: Record<string, unknown>): StackConfig {
  const raw = {
    notificationEmail: context.notificationEmail || undefined,
    policyFile: context.policyFile || undefined,
    dryRun: context.dryRun === undefined ? undefined : context.dryRun === true || context.dryRun === 'true',
    logRetentionDays: context.logRetentionDays === undefined ? undefined : Number(context.logRetentionDays),
    classifierConcurrency:
      context.classifierConcurrency === undefined ? undefined : Number(context.classifierConcurrency),
    organizationId: context.organizationId || undefined,
    memberRoleName: context.memberRoleName || undefined,
    regions: listOf(context.regions),
    securityAccountId:
      context.securityAccountId === undefined ? undefined : String(context.securityAccountId),
  };
  const parsed = StackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  -c ${i.path.join('.')}: ${i.message}`);
    throw new ConfigurationError(`Invalid CDK context:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
