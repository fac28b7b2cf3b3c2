import { reverseBlockBucketPublicAccess } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** block-bucket-public-access: turn on every Block Public Access setting of a bucket made public. */
export const facts: PlaybookFacts = {
  name: 'block-bucket-public-access',
  description: 'Turn on all four Block Public Access settings of a bucket made public, then verify.',
  resourceKinds: ['Bucket'],
  containmentAction: 'PutPublicAccessBlock',
  steps: [
    "Read the bucket's Block Public Access configuration as it is.",
    'Turn on all four Block Public Access settings.',
    'Read the configuration again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseBlockBucketPublicAccess },
  // Public read (S3.2), public write (S3.3), bucket-level Block Public Access off (S3.8).
  controls: ['S3.2', 'S3.3', 'S3.8'],
};
