import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { BucketPolicyEditError } from '../bucket-policy/policy-document.ts';
import { removeStatement } from '../bucket-policy/remove-statement.ts';
import { SSL_ONLY_SID } from '../bucket-policy/ssl-only-policy.ts';
import { THREAT_READ_DENY_SID } from '../bucket-policy/threat-read-deny.ts';
import { type UndoAction, undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

/**
 * Every playbook that adds one statement to a bucket policy is undone alike: remove the statement
 * with its Sid, and only it. The plan computes the expected result from the policy the run put;
 * the undo state machine reads the policy again and removes the statement from it as it is then
 * (statements added since stay, a policy left without statements is deleted, a statement already
 * gone is left alone). The action carries the Sid, so undo never removes another playbook's.
 */
function removeStatementAction(
  bucket: string,
  put: Record<string, unknown>,
  sid: string,
  recorded: unknown,
): UndoAction | undefined {
  let removed: ReturnType<typeof removeStatement>;
  try {
    removed = removeStatement(JSON.stringify(put), sid);
  } catch (error) {
    if (!(error instanceof BucketPolicyEditError)) throw error;
    throw new UnreadableTrailError(`the recorded bucket policy cannot be read: ${error.message}`, {
      cause: error,
    });
  }
  if (!removed.changed) return undefined;
  return removed.policy
    ? undoActions.putBucketPolicy(bucket, removed.policy, recorded, sid)
    : undoActions.deleteBucketPolicy(bucket, recorded, sid);
}

/** A record's JSON field, or {@link UnreadableTrailError}. */
function jsonOf(text: string | undefined, what: string): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch (error) {
    throw new UnreadableTrailError(`the PutBucketPolicy record's ${what} is not JSON`, { cause: error });
  }
}

/** PutBucketPolicy as deny-threat-object-reads records it: the policy it put (its `after`). */
const ThreatReadPutSchema = z.looseObject({ PolicyDocument: z.looseObject({}), ObjectsArn: z.string() });

/** deny-threat-object-reads: remove its statement, {@link THREAT_READ_DENY_SID}. */
export function reverseDenyThreatObjectReads(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  if (resource.kind !== 'Bucket')
    throw new UnreadableTrailError(`the finding names a ${resource.kind}, not a Bucket`);
  const record = trail.succeeded.findLast((r) => r.action === 'PutBucketPolicy');
  if (!record) return { actions: [], notes: [] };
  const put = ThreatReadPutSchema.safeParse(jsonOf(record.after, 'after'));
  if (!put.success)
    throw new UnreadableTrailError("the PutBucketPolicy record's after is not as the playbook writes it");
  const action = removeStatementAction(
    resource.bucketName,
    put.data.PolicyDocument,
    THREAT_READ_DENY_SID,
    put.data,
  );
  if (!action) return { actions: [], notes: [`The run put no ${THREAT_READ_DENY_SID} statement.`] };
  return {
    actions: [action],
    notes: [
      `Objects of bucket ${resource.bucketName} tagged THREATS_FOUND can be read again by whoever the other statements and IAM allow.`,
    ],
  };
}

/** The change require-bucket-ssl records as the details of its `PutBucketPolicy` record. */
const SslOnlyRecordSchema = z.looseObject({
  bucket: z.string().check(z.minLength(3), z.maxLength(63)),
  before: z.nullable(z.looseObject({})),
  after: z.looseObject({}),
});

/** require-bucket-ssl: remove its statement, {@link SSL_ONLY_SID}. */
export function reverseRequireBucketSsl(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'PutBucketPolicy');
  if (!record?.details) return { actions: [], notes: [] };
  const parsed = SslOnlyRecordSchema.safeParse(jsonOf(record.details, 'details'));
  if (!parsed.success)
    throw new UnreadableTrailError(
      `the PutBucketPolicy record's details are not as the playbook writes them (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
    );
  const { bucket, after } = parsed.data;
  const action = removeStatementAction(bucket, after, SSL_ONLY_SID, { Policy: after });
  if (!action) return { actions: [], notes: [`The run put no ${SSL_ONLY_SID} statement.`] };
  return {
    actions: [action],
    notes: [
      `Bucket ${bucket} accepts requests without TLS again, unless another statement of its policy denies them.`,
    ],
  };
}
