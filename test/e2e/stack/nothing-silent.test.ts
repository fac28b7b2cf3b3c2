import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** Every message in both dead-letter queues: the classifier's and EventBridge's delivery queue. */
function deadLetters(): string[] {
  const outputs = h.sandbox.deployment?.outputs ?? {};
  return ['ClassifyDeadLetterQueueUrl', 'DeliveryDeadLetterQueueUrl'].flatMap((name) =>
    h.sandbox.services.sqs.messages(outputs[name] as string).map((m) => m.body),
  );
}

describe('benign events end in a visible skip, never in a dead-letter queue', () => {
  it('records an archived GuardDuty finding as skipped under its finding id and contains nothing', async () => {
    const event = fixtureEvent('guardduty-iam-credential-exfiltration-archived.json');
    const { leakedKey } = h.account.users.alice;
    event.detail.resource.accessKeyDetails.accessKeyId = leakedKey;
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([['classify', 'classify', 'skipped']]);
    expect(trail[0]?.reason).toMatch(/is archived: archived findings are closed, never contained/);
    const mutations = h.sandbox.server.calls
      .slice(callsBefore)
      .filter((c) => c.service === 'iam' && /^(Update|Put|Tag)/.test(c.operation));
    expect(mutations).toEqual([]);
    expect(deadLetters()).toEqual([]);
  });

  it('records a CloudTrail record of a refused StopLogging as skipped under its event id', async () => {
    const event = fixtureEvent('cloudtrail-stop-logging-access-denied.json');
    const callsBefore = h.sandbox.server.calls.length;
    const put = await h.sandbox.clients.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
        ],
      }),
    );
    const eventId = put.Entries?.[0]?.EventId as string;
    await h.sandbox.idle();

    const items = await h.sandbox.clients.dynamodb.send(
      new QueryCommand({
        TableName: h.auditTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `EVENT#${eventId}` } },
      }),
    );
    expect((items.Items ?? []).map((item) => unmarshall(item))).toEqual([
      expect.objectContaining({
        actor: 'classify',
        action: 'classify',
        outcome: 'skipped',
        reason: expect.stringMatching(/^StopLogging failed \(AccessDenied: .*nothing to remediate$/),
      }),
    ]);
    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.service === 'cloudtrail')).toEqual([]);
    expect(deadLetters()).toEqual([]);
  });
});
