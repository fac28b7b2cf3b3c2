import { reverseEnableKeyRotation } from '../undo/reverse-account-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** enable-key-rotation: turn on automatic yearly rotation of a customer managed KMS key. */
export const facts: PlaybookFacts = {
  name: 'enable-key-rotation',
  description: 'Turn on automatic rotation of the KMS key a finding names (every 365 days), then verify.',
  resourceKinds: ['KmsKey'],
  containmentAction: 'EnableKeyRotation',
  steps: [
    'Read whether automatic rotation is on for the key.',
    'Turn it on, every 365 days; the key keeps decrypting what older key material encrypted.',
    'Read the rotation status again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseEnableKeyRotation },
  controls: ['KMS.4'],
};
