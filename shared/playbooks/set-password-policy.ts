import { reverseSetPasswordPolicy } from '../undo/reverse-password-policy.ts';
import type { PlaybookFacts } from './definition.ts';

/** set-password-policy: raise the account's IAM password policy to the CIS and FSBP baseline. */
export const facts: PlaybookFacts = {
  name: 'set-password-policy',
  description:
    "Raise the IAM account password policy of the finding's account to the CIS baseline, keeping every stricter value, then verify.",
  resourceKinds: ['Account'],
  containmentAction: 'UpdateAccountPasswordPolicy',
  steps: [
    'Read the account password policy (an account without one uses IAM’s default policy).',
    'Raise only what is below the baseline: at least 14 characters, upper and lower case letters, a number and a symbol, 24 passwords remembered, expiry within 90 days; stricter values and the other settings stay.',
    'Read the policy again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseSetPasswordPolicy },
  controls: ['IAM.7', 'IAM.11', 'IAM.12', 'IAM.13', 'IAM.14', 'IAM.15', 'IAM.16', 'IAM.17'],
};
