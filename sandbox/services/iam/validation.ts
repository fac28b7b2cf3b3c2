import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AwsError } from '../../protocol.ts';
import { isConditionOperator } from './policy-conditions.ts';

/** IAM's constraint failure, worded as the service words it so CLI users recognise it. */
function constraintError(member: string, value: string, constraint: string): AwsError {
  return new AwsError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** User, role and instance-profile names: `[\w+=,.@-]+` (IAM's documented pattern). */
export function checkName(member: string, value: string, maxLength: number): string {
  if (value.length > maxLength) {
    throw constraintError(member, value, `Member must have length less than or equal to ${maxLength}`);
  }
  if (!/^[\w+=,.@-]+$/.test(value)) {
    throw constraintError(member, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  }
  return value;
}

/** Paths begin and end with `/` (default `/`), e.g. `/engineering/`. */
export function checkPath(value: string | undefined): string {
  const path = value || '/';
  if (!/^\/([\u0021-\u007E]+\/)?$/.test(path) || path.length > 512) {
    throw constraintError(
      'path',
      path,
      'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
    );
  }
  return path;
}

/** Access key status: the only two values IAM accepts. */
export function checkStatus(value: string): 'Active' | 'Inactive' {
  if (value !== 'Active' && value !== 'Inactive') {
    throw constraintError('status', value, 'Member must satisfy enum value set: [Active, Inactive]');
  }
  return value;
}

const StatementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Principal: z.optional(z.unknown()),
  NotPrincipal: z.optional(z.unknown()),
  // Operator → key → value(s); IAM refuses an operator it does not know.
  Condition: z.optional(
    z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .check(z.refine((block) => Object.keys(block).every(isConditionOperator))),
  ),
});

const PolicyDocumentSchema = z.looseObject({
  Version: z.optional(z.enum(['2012-10-17', '2008-10-17'])),
  Statement: z.union([StatementSchema, z.array(StatementSchema).check(z.minLength(1))]),
});

/** A parsed policy document: the grammar IAM checks before storing one. */
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message, 400);
}

/**
 * Validate a policy document as IAM does on Put*Policy and CreateRole: it must be JSON
 * with a `Statement` of `Allow`/`Deny` statements. Identity policies (attached to a user
 * or role) must not name a principal; trust policies must.
 */
export function checkPolicyDocument(document: string, kind: 'identity' | 'trust'): PolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(document);
  } catch (err) {
    throw Object.assign(malformed('This policy contains invalid Json'), { cause: err });
  }
  const parsed = PolicyDocumentSchema.safeParse(json);
  if (!parsed.success) throw malformed('Syntax errors in policy.');
  const statements = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  const namesPrincipal = statements.some((s) => s.Principal !== undefined || s.NotPrincipal !== undefined);
  if (kind === 'identity' && namesPrincipal) {
    throw malformed('Policy document should not specify a principal.');
  }
  if (kind === 'trust' && !namesPrincipal) throw malformed('Missing required field Principal');
  return parsed.data;
}
