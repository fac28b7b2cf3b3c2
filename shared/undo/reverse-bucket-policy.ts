import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { UndoAction } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

/** The change require-bucket-ssl records as the details of its `PutBucketPolicy` record. */
const SslOnlyRecordSchema = z.looseObject({
  bucket: z.string().check(z.minLength(3), z.maxLength(63)),
  before: z.nullable(z.looseObject({})),
  after: z.looseObject({}),
});

/** Builders of the two reverse calls of a bucket policy change. */
export const bucketPolicyUndoActions = {
  deleteBucketPolicy: (bucket: string, current: string): UndoAction => ({
    type: 'DeleteBucketPolicy',
    description: `Delete bucket ${bucket}'s policy (it had none before the SSL-only statement)`,
    request: { Bucket: bucket },
    before: { Policy: JSON.parse(current) },
    after: { Policy: 'none' },
  }),
  putBucketPolicy: (bucket: string, previous: string, current: string): UndoAction => ({
    type: 'PutBucketPolicy',
    description: `Put bucket ${bucket}'s policy back as it was, without the SSL-only statement`,
    request: { Bucket: bucket, Policy: previous },
    before: { Policy: JSON.parse(current) },
    after: { Policy: JSON.parse(previous) },
  }),
};

/**
 * require-bucket-ssl: take out exactly the statement it added, by putting back the policy as it
 * was read before (the policy it put is that one plus the statement), or deleting the policy when
 * the bucket had none. Requests without TLS are accepted again, so the notes say so.
 */
export function reverseRequireBucketSsl(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'PutBucketPolicy');
  if (!record?.details) return { actions: [], notes: [] };
  let json: unknown;
  try {
    json = JSON.parse(record.details);
  } catch (error) {
    throw new UnreadableTrailError("the PutBucketPolicy record's details are not JSON", { cause: error });
  }
  const parsed = SslOnlyRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new UnreadableTrailError(
      `the PutBucketPolicy record's details are not as the playbook writes them (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
    );
  const { bucket, before, after } = parsed.data;
  const policy = JSON.stringify(after);
  const action =
    before === null
      ? bucketPolicyUndoActions.deleteBucketPolicy(bucket, policy)
      : bucketPolicyUndoActions.putBucketPolicy(bucket, JSON.stringify(before), policy);
  return {
    actions: [action],
    notes: [
      `Bucket ${bucket} accepts requests without TLS again. A policy change made to the bucket since the remediation is replaced by the policy as it was before it.`,
    ],
  };
}
