import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedKeyFinding, type StackHarness, startStack } from '../e2e/stack/harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

describe('concurrency', () => {
  it('gives one execution and one containment for 50 simultaneous deliveries of the same finding', async () => {
    const { leakedKey } = h.account.users.alice;
    const event = leakedKeyFinding(leakedKey, 'alice', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeee50');
    const entry = {
      Source: event.source,
      DetailType: event['detail-type'],
      Detail: JSON.stringify(event.detail),
    };

    // Five PutEvents calls of ten entries each, all in flight at once.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        h.sandbox.clients.events.send(
          new PutEventsCommand({ Entries: Array.from({ length: 10 }, () => entry) }),
        ),
      ),
    );
    await h.sandbox.idle();

    const arn = h.sandbox.deployment?.stateMachines[0]?.arn as string;
    const executions =
      (await h.sandbox.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions ??
      [];
    expect(executions).toHaveLength(1);
    expect(h.sandbox.server.calls.filter((c) => c.operation === 'UpdateAccessKey')).toHaveLength(1);
    const keys =
      (await h.sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: 'alice' })))
        .AccessKeyMetadata ?? [];
    expect(keys.find((k) => k.AccessKeyId === leakedKey)?.Status).toBe('Inactive');

    const trail = await h.history(event.detail.id);
    const decisions = trail.filter((r) => r.action === 'classify');
    expect(decisions).toHaveLength(50);
    expect(decisions.filter((r) => r.outcome === 'routed').length).toBeGreaterThanOrEqual(1);
    expect(decisions.filter((r) => r.outcome === 'routed' || r.outcome === 'duplicate')).toHaveLength(50);
  }, 120_000);
});
