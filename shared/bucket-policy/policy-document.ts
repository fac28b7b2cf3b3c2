import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/** S3 refuses a bucket policy over 20 KB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html). */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** The policy cannot be edited as asked: not JSON, not a policy, or too large with the statement. */
export class BucketPolicyEditError extends RemediationError {
  override name = 'BucketPolicyEditError';
}

/** The policy to put, or none (`policy` absent: delete the bucket policy, no statement is left). */
export interface BucketPolicyEdit {
  /** Whether the policy differs from the one read: false means there is nothing to put. */
  changed: boolean;
  policy?: string;
  /**
   * The policy read and the resulting one as JSON objects, for the audit trail: a record keeps
   * them readable, not as JSON text inside JSON text. `none` for no policy.
   */
  previous: Record<string, unknown> | 'none';
  document: Record<string, unknown> | 'none';
  /** How many statements the result holds (0 when the policy is to be deleted). */
  statements: number;
}

const PolicySchema = z.looseObject({
  Version: z.optional(z.string()),
  Statement: z.union([z.looseObject({}), z.array(z.looseObject({}))]),
});
/** A bucket policy document, as much as the editors read of it; every other key is kept. */
export type PolicyDocument = z.infer<typeof PolicySchema>;

/** Parse a bucket policy's JSON text, throwing {@link BucketPolicyEditError} for what is not a policy. */
export function parsePolicy(text: string): PolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BucketPolicyEditError('the bucket policy is not JSON', { cause: error });
  }
  const parsed = PolicySchema.safeParse(json);
  if (!parsed.success)
    throw new BucketPolicyEditError(`the bucket policy has no statements: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  return parsed.data;
}

/** A policy's statements as a list (IAM accepts one statement object or a list of them). */
export const statementsOf = (policy: PolicyDocument | undefined): Record<string, unknown>[] =>
  policy ? [policy.Statement].flat() : [];
