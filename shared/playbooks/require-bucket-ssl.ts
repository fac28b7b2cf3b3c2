import { reverseRequireBucketSsl } from '../undo/reverse-bucket-policy.ts';
import type { PlaybookFacts } from './definition.ts';

/** require-bucket-ssl: add to a bucket's policy the statement denying requests without TLS. */
export const facts: PlaybookFacts = {
  name: 'require-bucket-ssl',
  description:
    "Add to a bucket's policy one statement denying every request made without TLS, keep every other statement, then verify.",
  resourceKinds: ['Bucket'],
  containmentAction: 'PutBucketPolicy',
  steps: [
    "Read the bucket's policy as it is (or that it has none).",
    'Add one statement denying s3:* on the bucket and its objects when aws:SecureTransport is false; every other statement stays.',
    'Read the policy again to verify the statement is there, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRequireBucketSsl },
  // S3.5: S3 general purpose buckets should require requests to use SSL.
  // https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5
  controls: ['S3.5'],
};
