import { reverseDeactivateTrustedIpList } from '../undo/reverse-trusted-ip-list.ts';
import type { PlaybookFacts } from './definition.ts';

/** deactivate-trusted-ip-list: stop GuardDuty using a trusted IP list a CreateIPSet or UpdateIPSet set up. */
export const facts: PlaybookFacts = {
  name: 'deactivate-trusted-ip-list',
  description:
    'Deactivate the GuardDuty trusted IP list a CreateIPSet or UpdateIPSet call set up, so findings about its addresses are raised again, then verify.',
  // The finding names the detector (an `Other` resource typed GuardDutyDetector) and the list in
  // `change.ipSetId`; anything else is handed to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'UpdateIPSet',
  steps: [
    'Read the trusted IP list and whether GuardDuty uses it.',
    'Deactivate the list; its name, format, location and entries stay as they are.',
    'Read the list again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseDeactivateTrustedIpList },
};
