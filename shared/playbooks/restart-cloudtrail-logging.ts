import type { PlaybookFacts } from './definition.ts';

/** restart-cloudtrail-logging: turn a stopped trail back on. */
export const facts: PlaybookFacts = {
  name: 'restart-cloudtrail-logging',
  description: 'Restart logging on a trail that was stopped, record who stopped it, then verify.',
  resourceKinds: ['Trail'],
  containmentAction: 'StartLogging',
  steps: [
    'Read the trail status and record who stopped it.',
    'Start logging on the trail again.',
    'Read the status again to verify, then notify the on-call topic.',
  ],
  undo: {
    irreversible:
      'restart-cloudtrail-logging only turned a trail back on; stopping it again is not a remediation, and a deleted trail cannot be brought back',
  },
};
