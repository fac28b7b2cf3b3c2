import { describe, expect, it } from 'vitest';
import type { Resource } from '#shared/findings/finding.ts';
import {
  reverseEncryptSnsTopic,
  reverseEncryptSqsQueue,
  reverseProtectDynamoDbTable,
} from '#shared/undo/reverse-data-settings.ts';
import { makeFinding } from '../policy/make-finding.ts';

/** The trail of one run on `resource` whose `action` record holds `before` (and `after`). */
const trailWith = (resource: Resource, action: string, before: unknown, after?: unknown) => ({
  finding: makeFinding({ source: 'securityhub', resource }),
  succeeded: [
    {
      at: '2026-12-06T06:00:00Z',
      action,
      outcome: 'succeeded',
      before: JSON.stringify(before),
      ...(after === undefined ? {} : { after: JSON.stringify(after) }),
    },
  ],
});
const TABLE: Resource = { kind: 'Other', type: 'AwsDynamoDbTable', id: 'orders' };
const QUEUE: Resource = { kind: 'Other', type: 'AwsSqsQueue', id: 'orders' };
const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:alerts';
const TOPIC: Resource = { kind: 'Other', type: 'AwsSnsTopic', id: TOPIC_ARN };
const URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/orders';

describe('reversers of the data-resource settings', () => {
  it('turns table deletion protection off again only when the run found it off', () => {
    expect(
      reverseProtectDynamoDbTable(
        trailWith(TABLE, 'UpdateTable', { DeletionProtectionEnabled: false }),
      ).actions.map((a) => a.request),
    ).toEqual([{ TableName: 'orders', DeletionProtectionEnabled: false }]);
    expect(
      reverseProtectDynamoDbTable(trailWith(TABLE, 'UpdateTable', { DeletionProtectionEnabled: true }))
        .actions,
    ).toEqual([]);
  });

  it('turns SSE-SQS off again only for a queue that had neither SSE-SQS nor a KMS key', () => {
    const reverse = (Attributes: Record<string, string>) =>
      reverseEncryptSqsQueue(
        trailWith(QUEUE, 'SetQueueAttributes', { QueueUrl: URL, Attributes }),
      ).actions.map((a) => a.request);
    expect(reverse({ SqsManagedSseEnabled: 'false' })).toEqual([
      { QueueUrl: URL, Attributes: { SqsManagedSseEnabled: 'false' } },
    ]);
    expect(reverse({ SqsManagedSseEnabled: 'true' })).toEqual([]);
    expect(reverse({ SqsManagedSseEnabled: 'false', KmsMasterKeyId: 'alias/orders' })).toEqual([]);
  });

  it('removes the topic key again only when the topic had none', () => {
    const reverse = (key: string) =>
      reverseEncryptSnsTopic(
        trailWith(
          TOPIC,
          'SetTopicAttributes',
          { TopicArn: TOPIC_ARN, KmsMasterKeyId: key },
          { TopicArn: TOPIC_ARN, KmsMasterKeyId: 'alias/aws/sns' },
        ),
      ).actions.map((a) => a.request);
    expect(reverse('')).toEqual([
      { TopicArn: TOPIC_ARN, AttributeName: 'KmsMasterKeyId', AttributeValue: '' },
    ]);
    expect(reverse('alias/billing')).toEqual([]);
  });

  it('reverses nothing when the before-state is not recorded as expected', () => {
    expect(reverseEncryptSqsQueue(trailWith(QUEUE, 'SetQueueAttributes', { nothing: true })).actions).toEqual(
      [],
    );
    expect(reverseEncryptSnsTopic(trailWith(TOPIC, 'SetTopicAttributes', null)).actions).toEqual([]);
  });
});
