import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/*
 * Which statements of a Lambda function's resource-based policy make it public, as Security Hub
 * Lambda.1 and its AWS Config rule lambda-function-public-access-prohibited define it: an Allow
 * whose Principal is empty or holds a wildcard (`"*"`, `{"AWS": "*"}`) and that no condition with
 * a fixed value limits (AWS:SourceAccount, AWS:SourceArn, aws:PrincipalOrgID, ...: conditions with
 * wildcards or policy variables do not count), and an Allow to Amazon S3 without AWS:SourceAccount.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1
 * https://docs.aws.amazon.com/config/latest/developerguide/lambda-function-public-access-prohibited.html
 */

/** A policy statement, as much as this module reads of it; the rest is kept as it is. */
const StatementSchema = z.looseObject({
  Sid: z.optional(z.string()),
  Effect: z.optional(z.string()),
  Principal: z.optional(z.unknown()),
  Action: z.optional(z.unknown()),
  Resource: z.optional(z.unknown()),
  Condition: z.optional(z.record(z.string(), z.record(z.string(), z.unknown()))),
});
export type PolicyStatement = z.infer<typeof StatementSchema>;
const PolicySchema = z.looseObject({
  Statement: z.union([StatementSchema, z.array(StatementSchema)]),
});

/** The function's policy cannot be read as a policy: a person looks at it. */
export class InvalidFunctionPolicyError extends RemediationError {
  override name = 'InvalidFunctionPolicyError';
}

/** Condition keys that limit who may call when given a fixed value (case-insensitive, as IAM reads them). */
const LIMITING_KEYS = new Set([
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceowner',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
]);
/** A value with a wildcard or a policy variable is not fixed. */
const isFixed = (value: unknown): boolean =>
  [value].flat().every((v) => typeof v === 'string' && !/[*?]|\$\{/.test(v));
const list = (value: unknown): unknown[] => (value === undefined ? [] : [value].flat());

/** Whether the Principal element grants everyone: empty, `*`, or a `*` among its AWS principals. */
function everyone(principal: unknown): boolean {
  if (principal === undefined || principal === '' || principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const values = Object.values(principal as Record<string, unknown>).flatMap(list);
  return values.length === 0 || values.some((v) => v === '*' || v === '');
}

/** The fixed-value limiting condition keys of a statement, lower case. */
function limitingKeys(statement: PolicyStatement): Set<string> {
  const keys = new Set<string>();
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    // Negated and IfExists operators do not require the key to hold the value.
    if (/^(Not|.*IfExists$)|^Null$/.test(operator)) continue;
    for (const [key, value] of Object.entries(entries))
      if (LIMITING_KEYS.has(key.toLowerCase()) && isFixed(value)) keys.add(key.toLowerCase());
  }
  return keys;
}

/** Whether `statement` makes the function public as Lambda.1 defines it. */
export function isPublicStatement(statement: PolicyStatement): boolean {
  if (statement.Effect !== 'Allow') return false;
  const limits = limitingKeys(statement);
  if (everyone(statement.Principal)) return limits.size === 0;
  const services =
    typeof statement.Principal === 'object' && statement.Principal !== null
      ? list((statement.Principal as { Service?: unknown }).Service)
      : [];
  return services.includes('s3.amazonaws.com') && !limits.has('aws:sourceaccount');
}

/** The statements of a policy text (GetPolicy's `Policy`), or {@link InvalidFunctionPolicyError}. */
export function statementsOf(policy: string): PolicyStatement[] {
  let json: unknown;
  try {
    json = JSON.parse(policy);
  } catch (error) {
    throw new InvalidFunctionPolicyError('the function policy is not JSON', { cause: error });
  }
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidFunctionPolicyError(
      `the function policy has no readable Statement: ${parsed.error.message}`,
    );
  return [parsed.data.Statement].flat();
}
