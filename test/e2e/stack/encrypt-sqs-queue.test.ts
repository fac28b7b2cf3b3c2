import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded } from './approval-helpers.ts';
import { approvalIdFor, controlFinding, startPlaybook } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-sqs');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const sqs = () => h.sandbox.clients.sqs;
/** A queue as one created before SQS encrypted new queues by default, with other attributes set. */
async function unencryptedQueue(QueueName: string): Promise<string> {
  const { QueueUrl } = await sqs().send(
    new CreateQueueCommand({
      QueueName,
      Attributes: { SqsManagedSseEnabled: 'false', VisibilityTimeout: '45', MessageRetentionPeriod: '86400' },
    }),
  );
  return QueueUrl as string;
}
const attributes = async (QueueUrl: string) =>
  (await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes;
const sets = () => h.sandbox.server.calls.filter((c) => c.operation === 'SetQueueAttributes').length;

/** Security Hub's SQS.1 finding about queue `name`. */
const sqsDot1Finding = (name: string, suffix: string) =>
  controlFinding({
    control: 'SQS.1',
    title: 'Amazon SQS queues should be encrypted at rest',
    resourceType: 'AwsSqsQueue',
    resourceId: `arn:aws:sqs:us-east-1:111122223333:${name}`,
    suffix,
  });

describe('encrypt-sqs-queue (Security Hub SQS.1), end to end through the sandbox', () => {
  it('turns SSE-SQS on for that queue only, nothing else changed, messages still flow, and undo turns it off again', async () => {
    const url = await unencryptedQueue('orders');
    const otherUrl = await unencryptedQueue('reports');
    const before = await attributes(url);
    const other = await attributes(otherUrl);
    const { event, id } = sqsDot1Finding('orders', '0000000005a1');

    await h.put(event);

    expect(await attributes(url)).toEqual({ ...before, SqsManagedSseEnabled: 'true' });
    expect(await attributes(otherUrl)).toEqual(other);
    await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'still flows' }));
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['SetQueueAttributes', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({
      QueueUrl: url,
      Attributes: { SqsManagedSseEnabled: 'false' },
    });

    const playbookRun = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(id, { executionArn: playbookRun, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect(await attributes(url)).toEqual({ ...before, ApproximateNumberOfMessages: '1' });
  });

  it('leaves a queue encrypted with a KMS key as it is: no SSE-SQS laid over it', async () => {
    const { QueueUrl } = await sqs().send(
      new CreateQueueCommand({ QueueName: 'payments', Attributes: { KmsMasterKeyId: 'alias/payments' } }),
    );
    const before = await attributes(QueueUrl as string);
    const calls = sets();
    const { event, id } = sqsDot1Finding('payments', '0000000005a2');

    await h.put(event);

    expect(sets()).toBe(calls);
    expect(await attributes(QueueUrl as string)).toEqual(before);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['SetQueueAttributes', 'skipped'],
    ]);
  });

  it('in dry-run records the change it would make and changes nothing', async () => {
    const url = await unencryptedQueue('ledger');
    const before = await attributes(url);
    const calls = sets();
    const { event, id } = sqsDot1Finding('ledger', '0000000005a3');

    expect(
      (await executionEnded(h, await startPlaybook(h, 'encrypt-sqs-queue', event, 'dry-run'))).status,
    ).toBe('SUCCEEDED');

    expect(sets()).toBe(calls);
    expect(await attributes(url)).toEqual(before);
    const [plan] = await h.history(id);
    expect([plan?.action, plan?.outcome]).toEqual(['Plan', 'planned']);
    expect(JSON.parse(plan?.details as string).actions).toEqual([
      { action: 'SetQueueAttributes', queueUrl: url, SqsManagedSseEnabled: 'true' },
    ]);
  });

  it('in approve mode changes nothing until approved, then encrypts the queue', async () => {
    const url = await unencryptedQueue('invoices');
    const { event, id } = sqsDot1Finding('invoices', '0000000005a4');
    const run = await startPlaybook(h, 'encrypt-sqs-queue', event, 'approve');

    const approval = await approvalIdFor(h, id, 'encrypt-sqs-queue: approval required');
    expect((await attributes(url))?.SqsManagedSseEnabled).toBe('false');
    await desk.oncall.decide(approval, 'approve', 'test');

    expect((await executionEnded(h, run)).status).toBe('SUCCEEDED');
    expect((await attributes(url))?.SqsManagedSseEnabled).toBe('true');
    // Turned off again by hand, it is what the next finding would fix.
    await sqs().send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { SqsManagedSseEnabled: 'false' } }),
    );
    expect((await attributes(url))?.SqsManagedSseEnabled).toBe('false');
  });
});
