import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '#sandbox/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ port: 0, deploy: false });
});
afterAll(() => sandbox?.stop());

const sqs = () => sandbox.clients.sqs;
const encryption = async (QueueUrl: string) =>
  (
    await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['SqsManagedSseEnabled', 'KmsMasterKeyId'] }),
    )
  ).Attributes;

describe('SQS encryption at rest', () => {
  it('encrypts a new queue with SSE-SQS unless told otherwise or given a KMS key', async () => {
    const plain = await sqs().send(new CreateQueueCommand({ QueueName: 'orders' }));
    const off = await sqs().send(
      new CreateQueueCommand({ QueueName: 'legacy', Attributes: { SqsManagedSseEnabled: 'false' } }),
    );
    const kms = await sqs().send(
      new CreateQueueCommand({ QueueName: 'payments', Attributes: { KmsMasterKeyId: 'alias/aws/sqs' } }),
    );

    expect(await encryption(plain.QueueUrl as string)).toEqual({ SqsManagedSseEnabled: 'true' });
    expect(await encryption(off.QueueUrl as string)).toEqual({ SqsManagedSseEnabled: 'false' });
    expect(await encryption(kms.QueueUrl as string)).toEqual({
      SqsManagedSseEnabled: 'false',
      KmsMasterKeyId: 'alias/aws/sqs',
    });
  });

  it('SetQueueAttributes changes only the attributes it is given, and refuses an unknown one', async () => {
    await sqs().send(
      new CreateQueueCommand({
        QueueName: 'audit-events',
        Attributes: { SqsManagedSseEnabled: 'false', VisibilityTimeout: '45' },
      }),
    );
    const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: 'audit-events' }));

    await sqs().send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { SqsManagedSseEnabled: 'true' } }),
    );

    const all = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(all.Attributes).toMatchObject({ SqsManagedSseEnabled: 'true', VisibilityTimeout: '45' });
    await expect(
      sqs().send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { QueueArn: 'x' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });
});
