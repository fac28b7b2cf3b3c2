import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/*
 * The bucket-policy statement that stops anyone reading an object GuardDuty Malware Protection for
 * S3 tagged as malware. GuardDuty tags each scanned object `GuardDutyMalwareScanStatus` with the
 * scan result, and AWS's documented control is a bucket policy conditioned on that tag
 * (s3:ExistingObjectTag/GuardDutyMalwareScanStatus):
 * https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html
 * The result values, THREATS_FOUND among them:
 * https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html
 * Only the one statement is added or removed; every other statement of the policy stays as it is.
 */

/** The statement's Sid: how it is found again to keep it single and to remove exactly it. */
export const THREAT_READ_DENY_SID = 'DenyReadingObjectsTaggedThreatsFound';
/** The tag GuardDuty writes on each scanned object, and its value for malware. */
export const SCAN_STATUS_TAG = 'GuardDutyMalwareScanStatus';
export const THREATS_FOUND = 'THREATS_FOUND';
/** S3 refuses a bucket policy over 20 KB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html). */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** The policy cannot be edited as asked: not JSON, not a policy, or too large with the statement. */
export class BucketPolicyEditError extends RemediationError {
  override name = 'BucketPolicyEditError';
}

/** The deny statement for the objects of `objectsArn` (`arn:<partition>:s3:::<bucket>/*`). */
export function threatReadDenyStatement(objectsArn: string): Record<string, unknown> {
  return {
    Sid: THREAT_READ_DENY_SID,
    Effect: 'Deny',
    Principal: '*',
    // Reading the current object or any of its versions.
    Action: ['s3:GetObject', 's3:GetObjectVersion'],
    Resource: objectsArn,
    Condition: { StringEquals: { [`s3:ExistingObjectTag/${SCAN_STATUS_TAG}`]: THREATS_FOUND } },
  };
}

/** What the state machines give the editor: the policy as GetBucketPolicy returned it, if any. */
export const BucketPolicyEditInputSchema = z.object({
  operation: z.enum(['add', 'remove']),
  /** GetBucketPolicy's answer (`{ Policy }`); without `Policy` when the bucket has none. */
  current: z.looseObject({ Policy: z.optional(z.string()) }),
  objectsArn: z.string().check(z.regex(/^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\*$/)),
});
export type BucketPolicyEditInput = z.infer<typeof BucketPolicyEditInputSchema>;

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

/** Parse and apply the input, throwing {@link BucketPolicyEditError} for what S3 would not take. */
export function editBucketPolicy(event: unknown): BucketPolicyEdit {
  const input = BucketPolicyEditInputSchema.safeParse(event);
  if (!input.success)
    throw new BucketPolicyEditError(`invalid bucket-policy edit: ${input.error.message}`, {
      cause: input.error,
    });
  const { operation, current: read, objectsArn } = input.data;
  const policy = read.Policy;
  const current = policy === undefined ? undefined : parsePolicy(policy);
  const previous: BucketPolicyEdit['previous'] = current ?? 'none';
  const statements = current ? [current.Statement].flat() : [];
  const others = statements.filter((s) => s.Sid !== THREAT_READ_DENY_SID);
  const unchanged: BucketPolicyEdit = {
    changed: false,
    statements: statements.length,
    previous,
    document: previous,
  };
  if (operation === 'remove') {
    if (others.length === statements.length) return unchanged;
    if (others.length === 0) return { changed: true, statements: 0, previous, document: 'none' };
    const document = { ...current, Statement: others };
    return { changed: true, policy: JSON.stringify(document), statements: others.length, previous, document };
  }
  const wanted = threatReadDenyStatement(objectsArn);
  const present = statements.filter((s) => s.Sid === THREAT_READ_DENY_SID);
  if (present.length === 1 && JSON.stringify(present[0]) === JSON.stringify(wanted)) return unchanged;
  const next = [...others, wanted];
  const document = { ...current, Version: current?.Version ?? '2012-10-17', Statement: next };
  const text = JSON.stringify(document);
  if (Buffer.byteLength(text) > BUCKET_POLICY_MAX_BYTES)
    throw new BucketPolicyEditError(
      `the bucket policy with the deny statement would exceed S3's ${BUCKET_POLICY_MAX_BYTES} bytes`,
    );
  return { changed: true, policy: text, statements: next.length, previous, document };
}

function parsePolicy(text: string): z.infer<typeof PolicySchema> {
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
