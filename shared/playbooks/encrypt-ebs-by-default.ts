import { reverseEnableEbsEncryptionByDefault } from '../undo/reverse-account-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** encrypt-ebs-by-default: new EBS volumes of the account and region are encrypted. */
export const facts: PlaybookFacts = {
  name: 'encrypt-ebs-by-default',
  description:
    "Turn on EBS encryption by default in the finding's account and region (new volumes only), then verify.",
  resourceKinds: ['Account'],
  containmentAction: 'EnableEbsEncryptionByDefault',
  steps: [
    'Read whether EBS encryption by default is on in the account and region.',
    'Turn it on; existing volumes and the default KMS key are left as they are.',
    'Read the setting again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseEnableEbsEncryptionByDefault },
  controls: ['EC2.7'],
};
