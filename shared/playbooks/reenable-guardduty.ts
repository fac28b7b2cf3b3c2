import type { PlaybookFacts } from './definition.ts';

/** reenable-guardduty: turn a disabled GuardDuty detector back on, or turn GuardDuty on where it is off. */
export const facts: PlaybookFacts = {
  name: 'reenable-guardduty',
  description:
    "Enable again the GuardDuty detector an UpdateDetector call disabled, or the Region's detector Security Hub GuardDuty.1 reports off (creating one where there is none), then verify.",
  // An UpdateDetector call names the detector: an `Other` resource typed GuardDutyDetector (its id
  // is the detector id). Security Hub GuardDuty.1 names the account: the Region's detector is
  // found with ListDetectors (a Region has at most one). Any other type goes to a person unchanged.
  resourceKinds: ['Other', 'Account'],
  containmentAction: 'UpdateDetector',
  controls: ['GuardDuty.1'],
  steps: [
    "Read whether the detector is enabled (for an account, find the Region's detector first), and record who disabled it.",
    'Enable the detector again; its publishing frequency, features and lists stay as they are. Where the Region has no detector, create one, enabled.',
    'Read the detector again to verify, then notify the on-call topic.',
  ],
  undo: {
    irreversible:
      'reenable-guardduty only turned GuardDuty on; disabling it again is not a remediation, deleting a detector it created would delete the findings found since, and a deleted detector cannot be brought back',
  },
};
