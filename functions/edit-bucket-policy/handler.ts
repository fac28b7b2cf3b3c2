import { editBucketPolicy } from '#shared/bucket-policy/edit.ts';
import type { BucketPolicyEdit } from '#shared/bucket-policy/policy-document.ts';

/**
 * Called by the deny-threat-object-reads state machine and by undo: the bucket policy with the
 * threat-read deny statement added, or with the statement of a given Sid removed, every other
 * statement kept. Pure computation (Step Functions JSONPath cannot append to or filter a list);
 * the S3 calls stay in the state machines, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<BucketPolicyEdit> {
  return editBucketPolicy(event);
}
