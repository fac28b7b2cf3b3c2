import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, type StackHarness, startStack } from '../e2e/stack/harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

/** A High GuardDuty finding of `type` on the seeded instance. */
function instanceFinding(id: string, type: string) {
  const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
  event.detail.id = id;
  event.detail.type = type;
  event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
  return event;
}

const MUTATIONS = /^(Modify|Create|Detach|Deregister|Put|Disassociate|Authorize|Revoke)/;

describe('concurrency on one instance', () => {
  it('quarantines once when two different findings on the same instance arrive together; the other run records it', async () => {
    const first = instanceFinding('c0c0c0c0c0c0c0c0c0c0c0c0c0c0c001', 'Backdoor:EC2/C&CActivity.B');
    const second = instanceFinding('c0c0c0c0c0c0c0c0c0c0c0c0c0c0c002', 'CryptoCurrency:EC2/BitcoinTool.B');
    const callsBefore = h.sandbox.server.calls.length;

    // Both in flight at once, as GuardDuty reports C&C traffic and mining in the same minute.
    await Promise.all(
      [first, second].map((event) =>
        h.sandbox.clients.events.send(
          new PutEventsCommand({
            Entries: [
              {
                Source: event.source,
                DetailType: event['detail-type'],
                Detail: JSON.stringify(event.detail),
              },
            ],
          }),
        ),
      ),
    );
    await h.sandbox.idle();

    const calls = h.sandbox.server.calls.slice(callsBefore);
    const mutations = calls
      .filter((c) => ['ec2', 'autoscaling', 'elasticloadbalancing', 'iam'].includes(c.service))
      .filter((c) => MUTATIONS.test(c.operation));
    // One run's worth of containment: each mutation once (per ENI for the two ENIs), no second group.
    const count = (op: string) => mutations.filter((c) => c.operation === op).length;
    expect(count('DetachInstances')).toBe(1);
    expect(count('DeregisterTargets')).toBe(1);
    expect(count('PutRolePolicy')).toBe(1);
    expect(count('DisassociateIamInstanceProfile')).toBe(1);
    expect(count('ModifyNetworkInterfaceAttribute')).toBe(4);
    expect(count('CreateSecurityGroup')).toBe(2); // the allow-all and the no-rule group, once each
    const groups =
      (await h.sandbox.clients.ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [];
    expect(groups.filter((g) => g.Tags?.some((t) => t.Key === 'remediation:isolation'))).toHaveLength(2);

    const trails = await Promise.all([first, second].map((e) => h.history(e.detail.id)));
    const contained = trails.filter((t) =>
      t.some((r) => r.action === 'Complete' && r.outcome === 'contained'),
    );
    const other = trails.find((t) => !contained.includes(t));
    expect(contained).toHaveLength(1);
    // The other run found the instance claimed by the running quarantine and recorded why it stopped.
    const skip = other?.find((r) => r.action === 'Claim');
    expect(skip?.outcome).toBe('skipped');
    const holder = JSON.parse(skip?.details as string);
    expect(holder.holderStatus.status).toBe('RUNNING');
    expect(contained[0]?.some((r) => r.executionArn === holder.holder)).toBe(true);
    expect(other?.some((r) => r.action !== 'classify' && r.action !== 'Claim')).toBe(false);
  }, 120_000);
});
