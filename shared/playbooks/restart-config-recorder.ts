import type { PlaybookFacts } from './definition.ts';

/** restart-config-recorder: turn a stopped AWS Config recorder back on. */
export const facts: PlaybookFacts = {
  name: 'restart-config-recorder',
  description: 'Restart the AWS Config recorder a StopConfigurationRecorder call stopped, then verify.',
  // The recorder is an `Other` resource typed ConfigRecorder (its name is the id); any other type
  // is handed to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'StartConfigurationRecorder',
  steps: [
    'Read whether the recorder records, and record who stopped it.',
    'Start the recorder again; its recording group, role and delivery channel stay as they are.',
    'Read the status again to verify, then notify the on-call topic.',
  ],
  undo: {
    irreversible:
      'restart-config-recorder only turned a recorder back on; stopping it again is not a remediation, and a deleted recorder cannot be brought back',
  },
  // Security Hub Config.1 (AWS Config enabled, recording with the service-linked role) names the
  // account, not a recorder, and also fails for what a restart does not change (the recording
  // group, the role): it is not claimed.
};
