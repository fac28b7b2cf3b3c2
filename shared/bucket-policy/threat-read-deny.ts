import {
  BUCKET_POLICY_MAX_BYTES,
  type BucketPolicyEdit,
  BucketPolicyEditError,
  parsePolicy,
  statementsOf,
} from './policy-document.ts';

/*
 * The bucket-policy statement that stops anyone reading an object GuardDuty Malware Protection for
 * S3 tagged as malware. GuardDuty tags each scanned object `GuardDutyMalwareScanStatus` with the
 * scan result, and AWS's documented control is a bucket policy conditioned on that tag
 * (s3:ExistingObjectTag/GuardDutyMalwareScanStatus):
 * https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html
 * The result values, THREATS_FOUND among them:
 * https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html
 * Only the one statement is added; every other statement of the policy stays as it is. Undo
 * removes it by its Sid (./remove-statement.ts).
 */

/** The statement's Sid: how it is found again to keep it single and to remove exactly it. */
export const THREAT_READ_DENY_SID = 'DenyReadingObjectsTaggedThreatsFound';
/** The tag GuardDuty writes on each scanned object, and its value for malware. */
export const SCAN_STATUS_TAG = 'GuardDutyMalwareScanStatus';
export const THREATS_FOUND = 'THREATS_FOUND';

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

/**
 * The policy `policyText` (undefined: the bucket has none) with the threat-read deny statement
 * for `objectsArn` added after every other statement, or unchanged when it already holds exactly
 * that statement. Throws {@link BucketPolicyEditError} for what S3 would not take.
 */
export function addThreatReadDeny(policyText: string | undefined, objectsArn: string): BucketPolicyEdit {
  const current = policyText === undefined ? undefined : parsePolicy(policyText);
  const previous: BucketPolicyEdit['previous'] = current ?? 'none';
  const statements = statementsOf(current);
  const others = statements.filter((s) => s.Sid !== THREAT_READ_DENY_SID);
  const wanted = threatReadDenyStatement(objectsArn);
  const present = statements.filter((s) => s.Sid === THREAT_READ_DENY_SID);
  if (present.length === 1 && JSON.stringify(present[0]) === JSON.stringify(wanted))
    return { changed: false, statements: statements.length, previous, document: previous };
  const next = [...others, wanted];
  const document = { ...current, Version: current?.Version ?? '2012-10-17', Statement: next };
  const text = JSON.stringify(document);
  if (Buffer.byteLength(text) > BUCKET_POLICY_MAX_BYTES)
    throw new BucketPolicyEditError(
      `the bucket policy with the deny statement would exceed S3's ${BUCKET_POLICY_MAX_BYTES} bytes`,
    );
  return { changed: true, policy: text, statements: next.length, previous, document };
}
