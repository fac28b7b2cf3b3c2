import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  ModifySecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-modify-rules');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const ingressRules = async (groupId: string) =>
  (
    await h.sandbox.clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    )
  ).SecurityGroupRules?.filter((r) => !r.IsEgress) ?? [];
const view = async (groupId: string) =>
  (await ingressRules(groupId)).map((r) => [r.FromPort, r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId]);

async function authorize(groupId: string, port: number, cidr: string): Promise<string> {
  const out = await h.sandbox.clients.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] }],
    }),
  );
  return out.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
}

describe('ModifySecurityGroupRules that opens a rule to the world, end to end through the sandbox', () => {
  it('revokes that rule only, keeps every other rule, and undo re-adds it', async () => {
    const { app } = h.account.securityGroups;
    await authorize(app, 443, '0.0.0.0/0');
    const ssh = await authorize(app, 22, '10.0.0.0/8');
    const before = await view(app);
    // The change a user makes: the private SSH rule becomes SSH from anywhere.
    const rule = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' };
    await h.sandbox.clients.ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: app,
        SecurityGroupRules: [{ SecurityGroupRuleId: ssh, SecurityGroupRule: rule }],
      }),
    );
    const event = fixtureEvent('cloudtrail-modify-security-group-rules-ssh-world.json');
    event.detail.requestParameters.ModifySecurityGroupRulesRequest = {
      GroupId: app,
      SecurityGroupRule: { SecurityGroupRuleId: ssh, SecurityGroupRule: rule },
    };

    await h.put(event);

    // The SSH rule is gone; every other rule (443 from anywhere included) is as it was.
    expect(await view(app)).toEqual(before.filter(([port]) => port !== 22));
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual([
      expect.objectContaining({ SecurityGroupRuleId: ssh, FromPort: 22, CidrIpv4: '0.0.0.0/0' }),
    ]);

    const executionArn = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(event.detail.eventID, { executionArn, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    // The world-open SSH rule the playbook revoked is back (with a new id), the rest unchanged.
    expect((await view(app)).sort()).toEqual(
      [...before.filter(([port]) => port !== 22), [22, '0.0.0.0/0']].sort(),
    );
  });
});
