import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { editBucketPolicy, THREAT_READ_DENY_SID } from '../bucket-policy/threat-read-deny.ts';
import { undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

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
