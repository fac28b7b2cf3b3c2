import { CreateTopicCommand, GetTopicAttributesCommand, PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded, waitFor } from './approval-helpers.ts';
import { approvalIdFor, controlFinding, startPlaybook } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-sns');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const sns = () => h.sandbox.clients.sns;
/** A topic that EventBridge rules publish to, as its topic policy says. */
async function eventsTopic(Name: string): Promise<string> {
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: `arn:aws:sns:us-east-1:111122223333:${Name}`,
      },
    ],
  });
  const { TopicArn } = await sns().send(
    new CreateTopicCommand({ Name, Attributes: { DisplayName: 'Alerts', Policy } }),
  );
  return TopicArn as string;
}
const attributes = async (TopicArn: string) =>
  (await sns().send(new GetTopicAttributesCommand({ TopicArn }))).Attributes;
const sets = () => h.sandbox.server.calls.filter((c) => c.operation === 'SetTopicAttributes').length;

/** Security Hub's SNS.1 finding about topic `arn`. */
const snsDot1Finding = (arn: string, suffix: string) =>
  controlFinding({
    control: 'SNS.1',
    title: 'SNS topics should be encrypted at rest using AWS KMS',
    resourceType: 'AwsSnsTopic',
    resourceId: arn,
    suffix,
  });

describe('encrypt-sns-topic (Security Hub SNS.1), end to end through the sandbox', () => {
  it('asks first, warning which AWS services publish to it; approved, sets the AWS managed key only, and undo removes it', async () => {
    const arn = await eventsTopic('billing-alerts');
    const other = await eventsTopic('ops-alerts');
    const before = await attributes(arn);
    const otherBefore = await attributes(other);
    const { event, id } = snsDot1Finding(arn, '0000000005b1');

    await h.put(event);

    const request = await waitFor('the approval request', () =>
      h.sandbox.services.sns.published.findLast(
        (m) => m.message.includes(`Finding id: ${id}`) && (m.subject ?? '').includes('approval required'),
      ),
    );
    expect(request.message).toContain('AWS managed key (alias/aws/sns)');
    expect(request.message).toContain('lets these AWS services publish: events.amazonaws.com');
    expect((await attributes(arn))?.KmsMasterKeyId).toBeUndefined();
    await desk.oncall.decide(await approvalIdFor(h, id, 'approval required'), 'approve', 'test');
    await h.sandbox.idle();

    expect(await attributes(arn)).toEqual({ ...before, KmsMasterKeyId: 'alias/aws/sns' });
    expect(await attributes(other)).toEqual(otherBefore);
    // Callers with IAM credentials still publish to the encrypted topic.
    await sns().send(new PublishCommand({ TopicArn: arn, Message: 'still delivered' }));
    const trail = await h.history(id);
    expect(trail.filter((r) => r.outcome !== 'approval-required').map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['DecideApproval', 'approved'],
      ['SetTopicAttributes', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail.find((r) => r.action === 'SetTopicAttributes')?.before as string)).toEqual({
      TopicArn: arn,
      KmsMasterKeyId: '',
    });

    const playbookRun = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(id, { executionArn: playbookRun, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect(await attributes(arn)).toEqual(before);
  });

  it('in dry-run records the change it would make and changes nothing', async () => {
    const arn = await eventsTopic('ledger-events');
    const before = await attributes(arn);
    const calls = sets();
    const { event, id } = snsDot1Finding(arn, '0000000005b2');

    expect(
      (await executionEnded(h, await startPlaybook(h, 'encrypt-sns-topic', event, 'dry-run'))).status,
    ).toBe('SUCCEEDED');

    expect(sets()).toBe(calls);
    expect(await attributes(arn)).toEqual(before);
    const [plan] = await h.history(id);
    expect([plan?.action, plan?.outcome]).toEqual(['Plan', 'planned']);
    expect(JSON.parse(plan?.details as string).actions).toEqual([
      { action: 'SetTopicAttributes', topicArn: arn, KmsMasterKeyId: 'alias/aws/sns' },
    ]);
  });

  it("never changes the product's own notification topic", async () => {
    const own = h.sandbox.deployment?.outputs.NotificationTopicArn as string;
    expect(own).toMatch(/^arn:aws:sns:/);
    const calls = sets();
    const { event, id } = snsDot1Finding(own, '0000000005b3');

    expect((await executionEnded(h, await startPlaybook(h, 'encrypt-sns-topic', event, 'auto'))).status).toBe(
      'SUCCEEDED',
    );

    expect(sets()).toBe(calls);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['SetTopicAttributes', 'skipped'],
    ]);
  });

  it('a topic that already has a key keeps it', async () => {
    const { TopicArn } = await sns().send(
      new CreateTopicCommand({ Name: 'payments', Attributes: { KmsMasterKeyId: 'alias/payments' } }),
    );
    const calls = sets();
    const { event, id } = snsDot1Finding(TopicArn as string, '0000000005b4');

    expect((await executionEnded(h, await startPlaybook(h, 'encrypt-sns-topic', event, 'auto'))).status).toBe(
      'SUCCEEDED',
    );

    expect(sets()).toBe(calls);
    expect((await attributes(TopicArn as string))?.KmsMasterKeyId).toBe('alias/payments');
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['SetTopicAttributes', 'skipped'],
    ]);
  });
});
