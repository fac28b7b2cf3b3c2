import { type BucketPolicyEdit, parsePolicy, statementsOf } from './policy-document.ts';

/**
 * The bucket policy `policyText` (GetBucketPolicy's `Policy`; undefined when the bucket has none)
 * without the statement whose Sid is `sid`, every other statement and key kept as it is. This is
 * how undo takes out the statement a playbook added, whichever playbook: each records its own
 * Sid, and the policy is the one read at undo time, so statements added since stay.
 * - the statement is absent (removed by hand, or the policy deleted): `changed` false, nothing to do;
 * - it was the only statement: no `policy`, the bucket policy is to be deleted (a policy of no
 *   statements would mean the same, and the bucket usually had none before the playbook).
 */
export function removeStatement(policyText: string | undefined, sid: string): BucketPolicyEdit {
  const current = policyText === undefined ? undefined : parsePolicy(policyText);
  const previous: BucketPolicyEdit['previous'] = current ?? 'none';
  const statements = statementsOf(current);
  const others = statements.filter((s) => s.Sid !== sid);
  if (others.length === statements.length)
    return { changed: false, statements: statements.length, previous, document: previous };
  if (others.length === 0) return { changed: true, statements: 0, previous, document: 'none' };
  const document = { ...current, Statement: others };
  return { changed: true, policy: JSON.stringify(document), statements: others.length, previous, document };
}
