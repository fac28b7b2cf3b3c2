import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const statusOf = async (user: string, key: string) =>
  (await h.sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata?.find(
    (k) => k.AccessKeyId === key,
  )?.Status;

const keyUpdates = () => h.sandbox.server.calls.filter((c) => c.operation === 'UpdateAccessKey').length;

/** The Security Hub copy of GuardDuty's key finding, about `user`'s `key`, imported under `productArn`. */
function securityHubKeyFinding(productArn: string, user: string, key: string, guardDutyId: string) {
  const event = fixtureEvent('securityhub-iam-access-key.json');
  const finding = event.detail.findings[0];
  finding.Id = finding.Id.replace(/finding\/\w+$/, `finding/${guardDutyId}`);
  finding.ProductArn = productArn;
  finding.Resources[0].Id = `AWS::IAM::AccessKey:${key}`;
  Object.assign(finding.Resources[0].Details.AwsIamAccessKey, { AccessKeyId: key, PrincipalName: user });
  return { event, asffId: finding.Id as string };
}

describe('what the stack trusts, end to end through the sandbox', () => {
  it('only notifies a custom Security Hub finding about a real key, under its own id, never the GuardDuty id it imitates', async () => {
    const { leakedKey } = h.account.users.alice;
    const guardDutyId = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c1';
    const custom = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
    const { event, asffId } = securityHubKeyFinding(custom, 'alice', leakedKey, guardDutyId);
    const updatesBefore = keyUpdates();
    const notificationsBefore = h.sandbox.services.sns.published.length;

    await h.put(event);

    expect(await statusOf('alice', leakedKey)).toBe('Active');
    expect(keyUpdates()).toBe(updatesBefore);
    const trail = await h.history(asffId);
    expect(trail.map((r) => [r.actor, r.action, r.outcome, r.mode])).toEqual([
      ['classify', 'classify', 'notified', 'notify'],
    ]);
    expect(trail[0]?.reason).toContain(`imported by "${custom}" (a custom or partner product`);
    expect(trail[0]?.reason).toContain('notify instead of auto disable-access-key');
    expect(await h.history(guardDutyId)).toEqual([]);
    expect(h.sandbox.services.sns.published.length).toBe(notificationsBefore + 1);
  });

  it('contains the same finding when GuardDuty is the product that imported it', async () => {
    const { key } = h.account.users.bob;
    const guardDutyId = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c2';
    const { event } = securityHubKeyFinding(
      'arn:aws:securityhub:us-east-1::product/aws/guardduty',
      'bob',
      key,
      guardDutyId,
    );

    await h.put(event);

    expect(await statusOf('bob', key)).toBe('Inactive');
    const trail = await h.history(guardDutyId);
    expect(trail[0]).toMatchObject({ action: 'classify', outcome: 'routed', mode: 'auto' });
    expect(trail.at(-1)?.outcome).toBe('contained');
  });

  it('only notifies a GuardDuty finding about another account that names a user of this one', async () => {
    const { otherKey } = h.account.users.alice;
    const event = leakedKeyFinding(otherKey, 'alice', 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c3');
    event.detail.accountId = '999999999999';
    const updatesBefore = keyUpdates();

    await h.put(event);

    expect(await statusOf('alice', otherKey)).toBe('Active');
    expect(keyUpdates()).toBe(updatesBefore);
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome, r.mode])).toEqual([['classify', 'notified', 'notify']]);
    expect(trail[0]?.reason).toContain(
      'the finding is about account 999999999999, and this stack acts only in its own account 111122223333',
    );
  });
});
