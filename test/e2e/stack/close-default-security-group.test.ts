import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { approverWithKey, cliAs, executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startIn, steps, undoApproved } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';

const TITLE = 'VPC default security groups should not allow inbound or outbound traffic';

let h: StackHarness;
let oncall: ApprovalsClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-default-group'));
}, 120_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

const groupResource = (groupId: string) => ({
  type: 'AwsEc2SecurityGroup',
  id: `arn:aws:ec2:us-east-1:111122223333:security-group/${groupId}`,
});

/** The default security group of a VPC. */
async function defaultGroupOf(vpcId: string): Promise<string> {
  const out = await h.sandbox.clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  return out.SecurityGroups?.[0]?.GroupId as string;
}

/** Every rule of a group as direction, protocol, ports and peer, sorted. */
const rulesOf = async (groupId: string) =>
  (
    (
      await h.sandbox.clients.ec2.send(
        new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
      )
    ).SecurityGroupRules ?? []
  )
    .map(
      (r) =>
        `${r.IsEgress ? 'out' : 'in'} ${r.IpProtocol} ${r.FromPort}-${r.ToPort} ${r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId}`,
    )
    .sort();

describe('close-default-security-group (Security Hub EC2.2), end to end through the sandbox', () => {
  it('after approval revokes every inbound and outbound rule of the default group, other groups untouched; undo adds them back', async () => {
    const vpcId = h.account.vpcs[1] as string;
    const groupId = await defaultGroupOf(vpcId);
    await h.sandbox.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.1.0.0/16' }] },
        ],
      }),
    );
    const before = await rulesOf(groupId);
    // EC2's own default rules (members of the group, all outbound) and the one added.
    expect(before).toEqual([`in -1 -1--1 ${groupId}`, 'in tcp 22-22 10.1.0.0/16', 'out -1 -1--1 0.0.0.0/0']);
    const web = h.account.securityGroups.web;
    const webBefore = await rulesOf(web);
    const finding = controlFinding('EC2.2', groupResource(groupId), TITLE, '000000000002');

    await putAndApprove(h, oncall, finding);

    expect(await rulesOf(groupId)).toEqual([]);
    expect(await rulesOf(web)).toEqual(webBefore);
    expect((await steps(h, finding.id)).slice(-3)).toEqual([
      ['RevokeSecurityGroupRules', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(h, oncall, finding.id);

    expect(await rulesOf(groupId)).toEqual(before);
  });

  it('a dry run records the plan and changes nothing', async () => {
    const groupId = await defaultGroupOf(h.account.vpcs[0] as string);
    const before = await rulesOf(groupId);
    const finding = controlFinding('EC2.2', groupResource(groupId), TITLE, '0000000000d2');

    const executionArn = await startIn(h, 'close-default-security-group', 'dry-run', finding.event);

    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await rulesOf(groupId)).toEqual(before);
    expect(await steps(h, finding.id)).toEqual([['Plan', 'planned']]);
  });

  it('a group that is not a VPC default group is left alone, its rules recorded', async () => {
    const groupId = h.account.securityGroups.app;
    const before = await rulesOf(groupId);
    const finding = controlFinding('EC2.2', groupResource(groupId), TITLE, '0000000000a2');

    await h.put(finding.event);

    expect(await rulesOf(groupId)).toEqual(before);
    expect((await steps(h, finding.id)).slice(-1)).toEqual([['RevokeSecurityGroupRules', 'skipped']]);
  });
});
