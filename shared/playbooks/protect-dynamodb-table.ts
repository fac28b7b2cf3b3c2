import { reverseProtectDynamoDbTable } from '../undo/reverse-data-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** protect-dynamodb-table: turn on deletion protection of a DynamoDB table. */
export const facts: PlaybookFacts = {
  name: 'protect-dynamodb-table',
  description: 'Turn on deletion protection of the DynamoDB table a finding names, then verify.',
  // DynamoDB tables are `Other` resources typed AwsDynamoDbTable; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'UpdateTable',
  steps: [
    'Read whether deletion protection is on for the table.',
    'Turn it on; reads, writes and every other setting of the table stay as they are.',
    'Read the table again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseProtectDynamoDbTable },
  controls: ['DynamoDB.6'],
};
