import {
  CreateTopicCommand,
  GetTopicAttributesCommand,
  ListTopicsCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { type PublishedMessage, SnsService } from '#sandbox/services/sns.ts';

const server = new SandboxServer();
const snsService = new SnsService();
server.register(snsService);
let endpoint: string;

function snsClient(options: { region?: string; maxAttempts?: number } = {}): SNSClient {
  return new SNSClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
  });
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('SNS topics', () => {
  it('creates a topic once per name and lists it in its region only', async () => {
    const sns = snsClient();

    const first = await sns.send(new CreateTopicCommand({ Name: 'remediation-alerts' }));
    const again = await sns.send(new CreateTopicCommand({ Name: 'remediation-alerts' }));
    const listed = await sns.send(new ListTopicsCommand({}));
    const elsewhere = await snsClient({ region: 'eu-west-1' }).send(new ListTopicsCommand({}));

    expect(first.TopicArn).toBe(`arn:aws:sns:us-east-1:${SANDBOX_ACCOUNT_ID}:remediation-alerts`);
    expect(again.TopicArn).toBe(first.TopicArn);
    expect(listed.Topics).toEqual([{ TopicArn: first.TopicArn }]);
    expect(elsewhere.Topics).toEqual([]);
  });

  it('rejects an invalid topic name with InvalidParameter', async () => {
    const create = snsClient().send(new CreateTopicCommand({ Name: 'has spaces' }));

    await expect(create).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('SNS subscriptions', () => {
  it('leaves an email subscription pending confirmation and returns an ARN for SQS', async () => {
    const sns = snsClient();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'oncall' }));

    const email = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'oncall@example.com' }),
    );
    const queue = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:111122223333:q' }),
    );

    expect(email.SubscriptionArn).toBe('pending confirmation');
    expect(queue.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    expect(snsService.subscriptions(SANDBOX_ACCOUNT_ID, TopicArn!).map((s) => s.endpoint)).toEqual([
      'oncall@example.com',
      'arn:aws:sqs:us-east-1:111122223333:q',
    ]);
  });

  it('answers NotFound for a topic that does not exist', async () => {
    const subscribe = snsClient().send(
      new SubscribeCommand({
        TopicArn: `arn:aws:sns:us-east-1:${SANDBOX_ACCOUNT_ID}:missing`,
        Protocol: 'email',
        Endpoint: 'x@example.com',
      }),
    );

    await expect(subscribe).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('SNS Publish', () => {
  it('records the message with subject and attributes and tells listeners', async () => {
    const sns = snsClient();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'approvals' }));
    const heard: PublishedMessage[] = [];
    const stopListening = snsService.onPublish((m) => heard.push(m));

    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Approval needed: quarantine i-0abc',
        Message: 'Approve at https://approvals.example/abc',
        MessageAttributes: {
          playbook: { DataType: 'String', StringValue: 'quarantine-instance' },
          severity: { DataType: 'Number', StringValue: '8.5' },
        },
      }),
    );
    stopListening();

    const recorded = snsService.published.find((m) => m.messageId === MessageId);
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(recorded).toMatchObject({
      topicArn: TopicArn,
      subject: 'Approval needed: quarantine i-0abc',
      message: 'Approve at https://approvals.example/abc',
      messageAttributes: {
        playbook: { DataType: 'String', StringValue: 'quarantine-instance' },
        severity: { DataType: 'Number', StringValue: '8.5' },
      },
    });
    expect(recorded?.at).toBeInstanceOf(Date);
    expect(heard.map((m) => m.messageId)).toEqual([MessageId]);
  });

  it('answers NotFound for an unknown topic and records nothing', async () => {
    const before = snsService.published.length;

    const publish = snsClient().send(
      new PublishCommand({
        TopicArn: `arn:aws:sns:us-east-1:${SANDBOX_ACCOUNT_ID}:nowhere`,
        Message: 'hello',
      }),
    );

    await expect(publish).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Topic does not exist',
    });
    expect(snsService.published).toHaveLength(before);
  });

  it('publishes exactly once when the SDK retries past an injected 500', async () => {
    const sns = snsClient();
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'flaky' }));
    server.faults.add({ service: 'sns', operation: 'Publish', code: 'InternalError', times: 1 });

    await sns.send(new PublishCommand({ TopicArn, Message: 'after a retry' }));

    expect(snsService.published.filter((m) => m.topicArn === TopicArn).map((m) => m.message)).toEqual([
      'after a retry',
    ]);
  });

  it('surfaces an injected fault when retries are off', async () => {
    const sns = snsClient({ maxAttempts: 1 });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'throttled' }));
    server.faults.add({ service: 'sns', operation: 'Publish', code: 'Throttled', status: 429, times: 1 });

    const publish = sns.send(new PublishCommand({ TopicArn, Message: 'first' }));

    await expect(publish).rejects.toMatchObject({
      name: 'ThrottledException',
      $metadata: { httpStatusCode: 429 },
    });
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'second' }))).resolves.toHaveProperty(
      'MessageId',
    );
  });
});

describe('SNS topic attributes', () => {
  it('sets and clears encryption at rest (KmsMasterKeyId), keeping the other attributes', async () => {
    const sns = snsClient();
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: 'billing-alerts', Attributes: { DisplayName: 'Billing' } }),
    );
    const attributes = async () => (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
    expect(await attributes()).toMatchObject({ DisplayName: 'Billing', TopicArn });
    expect((await attributes())?.KmsMasterKeyId).toBeUndefined();

    await sns.send(
      new SetTopicAttributesCommand({
        TopicArn,
        AttributeName: 'KmsMasterKeyId',
        AttributeValue: 'alias/aws/sns',
      }),
    );
    expect(await attributes()).toMatchObject({ DisplayName: 'Billing', KmsMasterKeyId: 'alias/aws/sns' });

    await sns.send(
      new SetTopicAttributesCommand({ TopicArn, AttributeName: 'KmsMasterKeyId', AttributeValue: '' }),
    );
    expect((await attributes())?.KmsMasterKeyId).toBeUndefined();
    await expect(
      sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Owner', AttributeValue: 'x' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
