import { reverseEncryptSnsTopic } from '../undo/reverse-data-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** encrypt-sns-topic: encrypt an unencrypted SNS topic at rest with the AWS managed key of SNS. */
export const facts: PlaybookFacts = {
  name: 'encrypt-sns-topic',
  description:
    'Encrypt the unencrypted SNS topic a finding names with the AWS managed key (alias/aws/sns), after approval, then verify.',
  // SNS topics are `Other` resources typed AwsSnsTopic; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'SetTopicAttributes',
  steps: [
    "Leave the product's own notification topic alone; read the topic's KMS key.",
    'If it has none, set the AWS managed key alias/aws/sns; AWS services publishing to the topic (EventBridge, CloudWatch alarms) can no longer do so, which is why it asks first.',
    'Read the key again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseEncryptSnsTopic },
  controls: ['SNS.1'],
};
