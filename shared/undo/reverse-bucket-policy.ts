import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { editBucketPolicy, THREAT_READ_DENY_SID } from '../bucket-policy/threat-read-deny.ts';
import { type UndoAction, undoActions } from './actions.ts';
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

/** PutBucketPolicy as deny-threat-object-reads records it: the policy it put (its `after`). */
const PutPolicySchema = z.looseObject({ PolicyDocument: z.looseObject({}), ObjectsArn: z.string() });

/**
 * deny-threat-object-reads: PutBucketPolicy adding one statement, reversed by removing exactly
 * that statement (by its Sid). The plan computes the policy from the one the run put; the undo
 * state machine reads the policy again and removes the statement from it as it is then, so
 * statements added since stay.
 */
export function reverseDenyThreatObjectReads(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  if (resource.kind !== 'Bucket')
    throw new UnreadableTrailError(`the finding names a ${resource.kind}, not a Bucket`);
  const record = trail.succeeded.findLast((r) => r.action === 'PutBucketPolicy');
  if (!record) return { actions: [], notes: [] };
  const put = PutPolicySchema.safeParse(JSON.parse(record.after ?? 'null'));
  if (!put.success)
    throw new UnreadableTrailError("the PutBucketPolicy record's after is not as the playbook writes it");
  const { PolicyDocument, ObjectsArn } = put.data;
  const removed = editBucketPolicy({
    operation: 'remove',
    current: { Policy: JSON.stringify(PolicyDocument) },
    objectsArn: ObjectsArn,
  });
  if (!removed.changed) return { actions: [], notes: [`The run put no ${THREAT_READ_DENY_SID} statement.`] };
  const action = removed.policy
    ? undoActions.putBucketPolicy(resource.bucketName, removed.policy, put.data, THREAT_READ_DENY_SID)
    : undoActions.deleteBucketPolicy(resource.bucketName, put.data, THREAT_READ_DENY_SID);
  return {
    actions: [action],
    notes: [
      `Objects of bucket ${resource.bucketName} tagged THREATS_FOUND can be read again by whoever the other statements and IAM allow.`,
    ],
  };
}
