import { reverseEncryptSqsQueue } from '../undo/reverse-data-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** encrypt-sqs-queue: turn on SQS-managed encryption at rest (SSE-SQS) of an unencrypted queue. */
export const facts: PlaybookFacts = {
  name: 'encrypt-sqs-queue',
  description:
    'Turn on SQS-managed encryption at rest of the unencrypted SQS queue a finding names, then verify.',
  // SQS queues are `Other` resources typed AwsSqsQueue; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'SetQueueAttributes',
  steps: [
    'Find the queue and read its encryption settings (SSE-SQS, KMS key).',
    'If it has neither, turn on SSE-SQS; senders, receivers and every other attribute stay as they are.',
    'Read the settings again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseEncryptSqsQueue },
  controls: ['SQS.1'],
};
