import type { PlaybookFacts } from './definition.ts';

/**
 * snapshot-and-reimage: the follow-up of a quarantine. It contains nothing itself (the instance
 * is already isolated), so it reports no containment latency.
 */
export const facts: PlaybookFacts = {
  name: 'snapshot-and-reimage',
  description:
    'Snapshot every attached volume as evidence (tagged, bounded wait), then after approval replace the root volume from the golden image, keeping the old one.',
  resourceKinds: ['Instance'],
  containmentAction: null,
  steps: [
    'Snapshot every attached volume of the quarantined instance as evidence, tagged, and wait (bounded) for them.',
    'After approval, replace the root volume from the golden image (or launch a replacement), keeping the old one.',
    'Notify the on-call topic once the new root volume is in place.',
  ],
  undo: {
    irreversible:
      'snapshot-and-reimage took evidence snapshots and replaced a root volume (or the instance); snapshots cannot be untaken and the replaced volume is gone',
  },
};
