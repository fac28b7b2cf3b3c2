import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startPlaybook, steps } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const TITLE = 'VPC default security groups should not allow inbound or outbound traffic';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-default-group');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

/** Security Hub's EC2.2 finding about the default security group `groupId`. */
const ec2Dot2Finding = (groupId: string, suffix: string) =>
  controlFinding({
    control: 'EC2.2',
    title: TITLE,
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: `arn:aws:ec2:us-east-1:111122223333:security-group/${groupId}`,
    suffix,
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
    const finding = ec2Dot2Finding(groupId, '000000000002');

    await putAndApprove(h, desk.oncall, finding);

    expect(await rulesOf(groupId)).toEqual([]);
    expect(await rulesOf(web)).toEqual(webBefore);
    expect((await steps(h, finding.id)).slice(-3)).toEqual([
      ['RevokeSecurityGroupRules', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect((await desk.approved(finding.id, { reason: 'test' })).ended.status).toBe('SUCCEEDED');

    expect(await rulesOf(groupId)).toEqual(before);
  });

  it('a dry run records the plan and changes nothing', async () => {
    const groupId = await defaultGroupOf(h.account.vpcs[0] as string);
    const before = await rulesOf(groupId);
    const finding = ec2Dot2Finding(groupId, '0000000000d2');

    const executionArn = await startPlaybook(h, 'close-default-security-group', finding.event, 'dry-run');

    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await rulesOf(groupId)).toEqual(before);
    expect(await steps(h, finding.id)).toEqual([['Plan', 'planned']]);
  });

  it('a group that is not a VPC default group is left alone, its rules recorded', async () => {
    const groupId = h.account.securityGroups.app;
    const before = await rulesOf(groupId);
    const finding = ec2Dot2Finding(groupId, '0000000000a2');

    await h.put(finding.event);

    expect(await rulesOf(groupId)).toEqual(before);
    expect((await steps(h, finding.id)).slice(-1)).toEqual([['RevokeSecurityGroupRules', 'skipped']]);
  });
});
