import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from '../e2e/stack/harness.ts';

// The deployed stack runs policy/default.yaml: at most 20 automatic actions in any 60 minutes.
const LIMIT = 20;

let h: StackHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** `count` IAM users with one access key each, made through the real IAM client. */
async function usersWithKeys(stack: StackHarness, count: number, prefix: string) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = `${prefix}-${i}`;
      await stack.sandbox.clients.iam.send(new CreateUserCommand({ UserName: user }));
      const key = (await stack.sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: user })))
        .AccessKey?.AccessKeyId as string;
      return { user, key };
    }),
  );
}

async function keyStatus(stack: StackHarness, user: string, key: string) {
  const keys =
    (await stack.sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ??
    [];
  return keys.find((k) => k.AccessKeyId === key)?.Status;
}

/**
 * The classifier's first decision on each finding, and every decision it recorded. A slow
 * invocation may be retried (Lambda retries asynchronous events), which classifies the findings
 * again: a retry finds the slots taken, so it must never add an automatic action.
 */
async function decisions(stack: StackHarness, findingIds: readonly string[]) {
  const trails = await Promise.all(findingIds.map((id) => stack.history(id)));
  const all = trails.flatMap((trail) => trail.filter((r) => r.action === 'classify'));
  const first = trails.map((trail) => trail.find((r) => r.action === 'classify'));
  return { first, autoRecords: all.filter((r) => r.mode === 'auto') };
}

/** The decisions expected when `LIMIT` of `count` findings may run automatically. */
async function expectLimited(
  stack: StackHarness,
  ids: readonly string[],
  users: { user: string; key: string }[],
) {
  // Every delivery to the classifier succeeded: a timed-out event is dead-lettered with the
  // findings it had not reached yet, which the counts below would then miss.
  expect(stack.sandbox.services.events.deadLetters.map((letter) => letter.error.message)).toEqual([]);
  const { first, autoRecords } = await decisions(stack, ids);
  expect(first.filter((r) => r?.mode === 'auto')).toHaveLength(LIMIT);
  const approvals = first.filter((r) => r?.mode === 'approve');
  expect(approvals).toHaveLength(ids.length - LIMIT);
  expect(first.every((r) => r?.outcome === 'routed')).toBe(true);
  expect(
    approvals.every((r) => /blast radius: the limit of 20 automatic actions/.test(r?.reason ?? '')),
  ).toBe(true);
  expect(autoRecords).toHaveLength(LIMIT);
  // What a user sees: exactly LIMIT keys deactivated, the rest left for an approver.
  const statuses = await Promise.all(users.map(({ user, key }) => keyStatus(stack, user, key)));
  expect(statuses.filter((s) => s === 'Inactive')).toHaveLength(LIMIT);
  expect(statuses.filter((s) => s === 'Active')).toHaveLength(ids.length - LIMIT);
}

describe('blast radius through the deployed stack', () => {
  it('lets exactly 20 of 50 simultaneous distinct findings run automatically; the other 30 wait for approval', async () => {
    h = await startStack();
    const stack = h;
    const users = await usersWithKeys(stack, 50, 'burst');
    const ids = users.map((_, i) => `b1a5${String(i).padStart(28, '0')}`);
    const entries = users.map(({ user, key }, i) => {
      const event = leakedKeyFinding(key, user, ids[i]);
      return { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) };
    });

    // Five PutEvents calls of ten findings each, all in flight at once.
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        stack.sandbox.clients.events.send(
          new PutEventsCommand({ Entries: entries.slice(i * 10, i * 10 + 10) }),
        ),
      ),
    );
    await stack.sandbox.idle();

    await expectLimited(stack, ids, users);
  }, 180_000);

  it('counts every finding of one Security Hub event: 100 findings, 20 automatic', async () => {
    h = await startStack();
    const stack = h;
    const users = await usersWithKeys(stack, 100, 'hub');
    const event = fixtureEvent('securityhub-iam-access-key.json');
    const template = event.detail.findings[0];
    // Trimmed to the fields the classifier reads, so 100 fit in one event (EventBridge: 256 KB).
    delete template.ProductFields;
    delete template.FindingProviderFields;
    delete template.Description;
    const ids = users.map(
      (_, i) => `arn:aws:securityhub:us-east-1:111122223333:subscription/blast/finding/${i}`,
    );
    event.detail.findings = users.map(({ user, key }, i) => {
      const finding = structuredClone(template);
      finding.Id = ids[i];
      finding.Resources[0].Id = `AWS::IAM::AccessKey:${key}`;
      finding.Resources[0].Details.AwsIamAccessKey.AccessKeyId = key;
      finding.Resources[0].Details.AwsIamAccessKey.PrincipalName = user;
      return finding;
    });

    await stack.put(event);

    await expectLimited(stack, ids, users);
  }, 180_000);
});
