import { reverseDisableAccessKey } from '../undo/reverse.ts';
import type { PlaybookFacts } from './definition.ts';

/** disable-access-key: contain a leaked IAM user access key. */
export const facts: PlaybookFacts = {
  name: 'disable-access-key',
  description: 'Deactivate the leaked access key, revoke sessions issued with it, tag the user, notify.',
  resourceKinds: ['AccessKey'],
  containmentAction: 'UpdateAccessKey',
  steps: [
    "Set the finding's access key Inactive (the user's other keys stay as they are).",
    'Deny every session of the user issued before now (inline policy remediation-revoke-older-sessions).',
    'Tag the user with the finding and the playbook.',
    'Notify the on-call topic.',
  ],
  undo: { reverse: reverseDisableAccessKey },
};
