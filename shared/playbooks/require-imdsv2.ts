import { reverseRequireImdsv2 } from '../undo/reverse-ec2-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** require-imdsv2: an instance's metadata service answers only session (IMDSv2) requests. */
export const facts: PlaybookFacts = {
  name: 'require-imdsv2',
  description: "Require IMDSv2 (session tokens) on the finding's EC2 instance, then verify.",
  resourceKinds: ['Instance'],
  containmentAction: 'ModifyInstanceMetadataOptions',
  steps: [
    "Read the instance's metadata options.",
    'Set HttpTokens to required; every other metadata option stays as it is.',
    'Read the instance again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseRequireImdsv2 },
  controls: ['EC2.8'],
};
