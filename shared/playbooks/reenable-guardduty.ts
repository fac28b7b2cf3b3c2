import type { PlaybookFacts } from './definition.ts';

/** reenable-guardduty: turn a disabled GuardDuty detector back on. */
export const facts: PlaybookFacts = {
  name: 'reenable-guardduty',
  description: 'Enable again the GuardDuty detector an UpdateDetector call disabled, then verify.',
  // The detector is an `Other` resource typed GuardDutyDetector (its id is the detector id); any
  // other type is handed to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'UpdateDetector',
  steps: [
    'Read whether the detector is enabled, and record who disabled it.',
    'Enable the detector again; its publishing frequency, features and lists stay as they are.',
    'Read the detector again to verify, then notify the on-call topic.',
  ],
  undo: {
    irreversible:
      'reenable-guardduty only turned a detector back on; disabling it again is not a remediation, and a deleted detector cannot be brought back',
  },
  // Security Hub GuardDuty.1 (GuardDuty enabled) names the account, not a detector, and also fails
  // where no detector exists (which only CreateDetector, not this playbook, changes): not claimed.
};
