import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * The statement require-bucket-ssl adds to a bucket policy so every request must use TLS, as
 * Security Hub S3.5 asks ("S3 general purpose buckets should require requests to use SSL": the
 * policy must explicitly deny requests where `aws:SecureTransport` is `false`):
 * https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5
 * The AWS Config rule behind it, s3-bucket-ssl-requests-only:
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
 * It covers the bucket and its objects (`arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/*`).
 * Every other statement of the policy is kept exactly as it is.
 */
export const SSL_ONLY_SID = 'DenyInsecureTransport';

/** A policy statement, as much as this module reads of it; everything else is kept as is. */
const StatementSchema = z.looseObject({
  Sid: z.optional(z.string()),
  Effect: z.optional(z.string()),
  Action: z.optional(z.union([z.string(), z.array(z.string())])),
  Principal: z.optional(z.unknown()),
  Condition: z.optional(z.unknown()),
});
type Statement = z.infer<typeof StatementSchema>;

const PolicySchema = z.looseObject({
  Version: z.optional(z.string()),
  Statement: z.union([StatementSchema, z.array(StatementSchema)]),
});

/** What the planner is given: the bucket and its policy as GetBucketPolicy returned it, if any. */
export const SslOnlyInputSchema = z.object({
  bucket: z.string().check(z.minLength(3), z.maxLength(63)),
  /** GetBucketPolicy's `Policy` (a JSON string); absent when the bucket has no policy. */
  policy: z.nullish(z.string()),
});
export type SslOnlyInput = z.infer<typeof SslOnlyInputSchema>;

/**
 * What the playbook puts, verifies and records (undo reads the policy it put, `change.after`, to
 * plan the statement's removal). Documents are recorded as JSON objects, not as the policy's
 * text: a record holds them readably.
 */
export interface SslOnlyPlan {
  readonly bucket: string;
  /** Whether the policy already denies requests without TLS on the bucket: nothing to do. */
  readonly present: boolean;
  /** The policy document as read now; `null` when the bucket has none. */
  readonly current: object | null;
  /** The policy to put: the policy read with the one statement added; absent when present. */
  readonly policy?: string;
  /** What the audit record keeps of the change, and undo reads. */
  readonly change: {
    readonly bucket: string;
    readonly before: object | null;
    readonly after?: object;
    readonly statement: Record<string, unknown>;
  };
}

/** The input or the policy read cannot be used: a person looks at the bucket. */
export class InvalidBucketPolicyError extends RemediationError {
  override name = 'InvalidBucketPolicyError';
}

export function parseSslOnlyInput(input: unknown): SslOnlyInput {
  const parsed = SslOnlyInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidBucketPolicyError(
    `require-bucket-ssl input: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** The statement, for `bucket` (S3 bucket ARNs have no Region or account). */
export function sslOnlyStatement(bucket: string): Record<string, unknown> {
  return {
    Sid: SSL_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

const asList = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];

/**
 * Whether a statement already denies every S3 action to everyone without TLS: ours (by Sid), or
 * any Deny of `s3:*` (or `*`) to `*` on `Bool` `aws:SecureTransport` `false`. Its resources are
 * not compared: a bucket policy only governs its own bucket and objects.
 */
function deniesInsecureTransport(statement: Statement): boolean {
  if (statement.Sid === SSL_ONLY_SID && statement.Effect === 'Deny') return true;
  if (statement.Effect !== 'Deny') return false;
  const principal = statement.Principal;
  const everyone =
    principal === '*' ||
    (typeof principal === 'object' &&
      principal !== null &&
      asList((principal as { AWS?: unknown }).AWS).includes('*'));
  if (!everyone) return false;
  if (!asList(statement.Action).some((action) => action === 's3:*' || action === '*')) return false;
  const bool = (statement.Condition as { Bool?: Record<string, unknown> } | undefined)?.Bool;
  if (!bool || typeof bool !== 'object') return false;
  return Object.entries(bool).some(
    ([key, value]) =>
      key.toLowerCase() === 'aws:securetransport' &&
      asList(value as string | string[])
        .map(String)
        .includes('false'),
  );
}

/**
 * The policy with the SSL-only statement added, or `present` when it is already there. A policy
 * that is not JSON or has no statements cannot be extended exactly: a person looks at it.
 */
export function planSslOnly(input: SslOnlyInput): SslOnlyPlan {
  const { bucket } = input;
  const statement = sslOnlyStatement(bucket);
  if (input.policy === undefined || input.policy === null) {
    const after = { Version: '2012-10-17', Statement: [statement] };
    return {
      bucket,
      present: false,
      current: null,
      policy: JSON.stringify(after),
      change: { bucket, before: null, after, statement },
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(input.policy);
  } catch (error) {
    throw new InvalidBucketPolicyError(`the policy of bucket ${bucket} is not JSON`, { cause: error });
  }
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidBucketPolicyError(`the policy of bucket ${bucket} has no readable Statement`);
  const current = json as object;
  const statements: readonly Statement[] = Array.isArray(parsed.data.Statement)
    ? parsed.data.Statement
    : [parsed.data.Statement];
  if (statements.some(deniesInsecureTransport)) {
    return { bucket, present: true, current, change: { bucket, before: current, statement } };
  }
  if (statements.some((s) => s.Sid === SSL_ONLY_SID))
    throw new InvalidBucketPolicyError(
      `bucket ${bucket} already has a statement ${SSL_ONLY_SID} that is not the SSL-only deny`,
    );
  // The original document as parsed, with only `Statement` extended: every other key and every
  // other statement stays exactly as it was.
  const after = { ...current, Statement: [...statements, statement] };
  return {
    bucket,
    present: false,
    current,
    policy: JSON.stringify(after),
    change: { bucket, before: current, after, statement },
  };
}
