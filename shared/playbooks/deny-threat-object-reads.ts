import { reverseDenyThreatObjectReads } from '../undo/reverse-bucket-policy.ts';
import type { PlaybookFacts } from './definition.ts';

/**
 * deny-threat-object-reads: add AWS's tag-based control for Malware Protection for S3 to the bucket
 * of a malicious object: a bucket-policy statement denying reads of objects tagged THREATS_FOUND.
 */
export const facts: PlaybookFacts = {
  name: 'deny-threat-object-reads',
  description:
    'Add one bucket-policy statement denying reads of objects GuardDuty tagged THREATS_FOUND, keeping every other statement, then verify.',
  resourceKinds: ['Bucket'],
  containmentAction: 'PutBucketPolicy',
  steps: [
    "Read the bucket's policy as it is (none is fine).",
    'Add one statement denying everyone s3:GetObject and s3:GetObjectVersion on objects tagged GuardDutyMalwareScanStatus = THREATS_FOUND; every other statement stays.',
    'Read the policy again to verify the statement is there, then notify the on-call topic.',
  ],
  undo: { reverse: reverseDenyThreatObjectReads },
};
