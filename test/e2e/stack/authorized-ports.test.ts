import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlFinding, putAndApprove, steps } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-authorized-ports');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

/** The group's inbound rules as protocol, ports and source, sorted. */
const inbound = async (groupId: string) =>
  (
    (
      await h.sandbox.clients.ec2.send(
        new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
      )
    ).SecurityGroupRules ?? []
  )
    .filter((rule) => !rule.IsEgress)
    .map((rule) => `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} ${rule.CidrIpv4 ?? rule.CidrIpv6}`)
    .sort();

describe('Security Hub EC2.18 (unrestricted ingress on ports not authorized), end to end through the sandbox', () => {
  it('after approval revokes world-open rules on other ports, keeps 80 and 443 and narrower rules; undo puts them back', async () => {
    const groupId = (
      await h.sandbox.clients.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: 'storefront',
          Description: 'storefront',
          VpcId: h.account.vpcs[0],
        }),
      )
    ).GroupId as string;
    const world = (FromPort: number, ToPort = FromPort, IpProtocol = 'tcp') => ({
      IpProtocol,
      FromPort,
      ToPort,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    await h.sandbox.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          world(80),
          world(443),
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
          world(8443),
          world(3478, 3478, 'udp'),
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
        ],
      }),
    );
    const before = await inbound(groupId);
    const finding = controlFinding({
      control: 'EC2.18',
      title: 'Security groups should only allow unrestricted incoming traffic for authorized ports',
      resourceType: 'AwsEc2SecurityGroup',
      resourceId: `arn:aws:ec2:us-east-1:111122223333:security-group/${groupId}`,
      suffix: '000000000018',
    });

    await putAndApprove(h, desk.oncall, finding);

    expect(await inbound(groupId)).toEqual([
      'tcp 22-22 203.0.113.0/24',
      'tcp 443-443 0.0.0.0/0',
      'tcp 443-443 ::/0',
      'tcp 80-80 0.0.0.0/0',
    ]);
    expect((await steps(h, finding.id)).slice(-3)).toEqual([
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect((await desk.approved(finding.id, { reason: 'test' })).ended.status).toBe('SUCCEEDED');

    expect(await inbound(groupId)).toEqual(before);
  });
});
