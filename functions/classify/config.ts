import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { type Policy, PolicySchema } from '#shared/policy/schema.ts';

const EnvSchema = z.object({
  /** The audit trail's appender (`functions/audit-append`), the trail's one writer. */
  AUDIT_APPENDER_FUNCTION: z.string().check(z.minLength(1)),
  COUNTER_TABLE: z.string().check(z.minLength(1)),
  TOPIC_ARN: z.string().check(z.minLength(1)),
  DEAD_LETTER_QUEUE_URL: z.string().check(z.minLength(1)),
  /** JSON object: playbook name → state machine ARN. */
  STATE_MACHINES: z.string().check(z.minLength(2)),
  /** Comma-separated ARNs the product never touches. */
  PROTECTED_PRINCIPAL_ARNS: z._default(z.string(), ''),
  GLOBAL_DRY_RUN: z._default(z.enum(['true', 'false']), 'false'),
  /**
   * In an organization: the member role's ARN with `{account}` for the finding's account, e.g.
   * `arn:aws:iam::{account}:role/RemediationExecutionRole`. Empty: this account only.
   */
  MEMBER_ROLE_ARN: z._default(
    z
      .string()
      .check(
        z.regex(
          /^(arn:aws[\w-]*:iam::\{account\}:role\/[\w+=,.@-]+)?$/,
          'expected arn:<partition>:iam::{account}:role/<name>',
        ),
      ),
    '',
  ),
  /** In an organization: the regions the security stack is deployed in, comma-separated. */
  PLAYBOOK_REGIONS: z._default(z.string(), ''),
  /** Set by Lambda: the region this function runs in. */
  AWS_REGION: z._default(z.string(), ''),
  /** The stack's own account: outside an organization, the only account the playbooks act in. */
  STACK_ACCOUNT_ID: z._default(
    z.string().check(z.regex(/^(\d{12})?$/, 'expected a 12-digit account id')),
    '',
  ),
});

export interface ClassifyConfig {
  auditAppender: string;
  counterTable: string;
  topicArn: string;
  deadLetterQueueUrl: string;
  stateMachines: Record<string, string>;
  protectedPrincipalArns: string[];
  globalDryRun: boolean;
  /** In an organization, the member role ARN pattern (`{account}` placeholder); else undefined. */
  memberRoleArn?: string;
  /** In an organization: this region and the regions the security stack is deployed in. */
  regions?: { own: string; deployed: string[] };
  /** Outside an organization: this stack's account and region, the only ones the playbooks act in. */
  ownAccount?: { accountId: string; region: string };
  policy: Policy;
}

/**
 * Read and validate the function's configuration once per cold start. The policy is baked
 * into the bundle at synth time (`REMEDIATION_POLICY`, already validated by `cdk synth`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ClassifyConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(
      `classify is misconfigured: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const policyText = process.env.REMEDIATION_POLICY ?? env.REMEDIATION_POLICY;
  if (!policyText) throw new ConfigurationError('classify has no policy: REMEDIATION_POLICY is not set');
  const e = parsed.data;
  if (!e.MEMBER_ROLE_ARN && !(e.STACK_ACCOUNT_ID && e.AWS_REGION))
    throw new ConfigurationError(
      'classify is misconfigured: outside an organization STACK_ACCOUNT_ID and AWS_REGION must name the only account and region to act in',
    );
  return {
    auditAppender: e.AUDIT_APPENDER_FUNCTION,
    counterTable: e.COUNTER_TABLE,
    topicArn: e.TOPIC_ARN,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    stateMachines: z.record(z.string(), z.string()).parse(JSON.parse(e.STATE_MACHINES)),
    protectedPrincipalArns: e.PROTECTED_PRINCIPAL_ARNS.split(',').filter(Boolean),
    globalDryRun: e.GLOBAL_DRY_RUN === 'true',
    memberRoleArn: e.MEMBER_ROLE_ARN || undefined,
    regions:
      e.PLAYBOOK_REGIONS && e.AWS_REGION
        ? { own: e.AWS_REGION, deployed: e.PLAYBOOK_REGIONS.split(',').filter(Boolean) }
        : undefined,
    ownAccount: e.MEMBER_ROLE_ARN ? undefined : { accountId: e.STACK_ACCOUNT_ID, region: e.AWS_REGION },
    policy: PolicySchema.parse(JSON.parse(policyText)),
  };
}
