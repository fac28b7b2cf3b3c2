import { reverseProtectDbInstance } from '../undo/reverse-account-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** protect-db-instance: turn on deletion protection of an RDS DB instance. */
export const facts: PlaybookFacts = {
  name: 'protect-db-instance',
  description: 'Turn on deletion protection of the RDS DB instance a finding names, then verify.',
  // RDS DB instances are `Other` resources typed AwsRdsDbInstance; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'ModifyDBInstance',
  steps: [
    'Read whether deletion protection is on for the DB instance.',
    'Turn it on, applied at once; the database keeps running and nothing else about it changes.',
    'Read the instance again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseProtectDbInstance },
  controls: ['RDS.8'],
};
