import { reverseBlockAccountPublicAccess } from '../undo/reverse-account-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** block-account-public-access: turn on every account-level Block Public Access setting. */
export const facts: PlaybookFacts = {
  name: 'block-account-public-access',
  description:
    "Turn on all four account-level Block Public Access settings of the finding's account, then verify.",
  // The account's setting; GuardDuty reports it turned off on a finding about a bucket it exposes.
  resourceKinds: ['Account', 'Bucket'],
  containmentAction: 'PutAccountPublicAccessBlock',
  steps: [
    "Read the account's Block Public Access configuration as it is.",
    'Turn on all four Block Public Access settings for the whole account.',
    'Read the configuration again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseBlockAccountPublicAccess },
  // Account-level Block Public Access off (S3.1).
  controls: ['S3.1'],
};
