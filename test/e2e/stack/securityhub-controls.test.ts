import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const revokeExecutions = async () =>
  (
    await h.sandbox.clients.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineRevokeOpenIngress as string,
      }),
    )
  ).executions ?? [];

const ingressPorts = async (groupId: string) =>
  (
    (
      await h.sandbox.clients.ec2.send(
        new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
      )
    ).SecurityGroupRules ?? []
  )
    .filter((rule) => !rule.IsEgress)
    .map((rule) => [rule.FromPort, rule.CidrIpv4]);

/** Security Hub's consolidated EC2.13 control finding about `groupId`, FAILED. */
function ec2Dot13Finding(groupId: string, suffix: string) {
  const event = fixtureEvent('securityhub-two-findings.json');
  const [, control] = event.detail.findings;
  control.Id = `arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.13/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  control.Resources[0].Id = `arn:aws:ec2:us-east-1:111122223333:security-group/${groupId}`;
  control.Resources[0].Details.AwsEc2SecurityGroup.GroupId = groupId;
  event.detail.findings = [control];
  return event;
}

describe('Security Hub control findings, end to end through the sandbox', () => {
  it('EC2.13 revokes the world-open SSH rule of the group it names; the 443 rule stays', async () => {
    const { web } = h.account.securityGroups;
    const before = (await revokeExecutions()).length;
    const event = ec2Dot13Finding(web, '000000000013');

    await h.put(event);

    expect(await ingressPorts(web)).toEqual([[443, '0.0.0.0/0']]);
    expect(
      (await h.history(`${event.detail.findings[0].Id}/${event.detail.findings[0].UpdatedAt}`)).map((r) => [
        r.action,
        r.outcome,
      ]),
    ).toEqual([
      ['classify', 'routed'],
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect((await revokeExecutions()).length).toBe(before + 1);
  });

  it('the same group reported by AWS Config restricted-ssh and by Security Hub EC2.13 is one remediation', async () => {
    const { app } = h.account.securityGroups;
    await h.sandbox.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: app,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const config = fixtureEvent('config-restricted-ssh-non-compliant.json');
    config.detail.resourceId = app;
    const configFindingId = `restricted-ssh/AWS::EC2::SecurityGroup/${app}/${config.detail.newEvaluationResult.resultRecordedTime}`;
    const securityHub = ec2Dot13Finding(app, '0000000000aa');
    const before = (await revokeExecutions()).length;

    await h.put(config);
    await h.put(securityHub);

    expect((await revokeExecutions()).length).toBe(before + 1);
    expect(await ingressPorts(app)).not.toContainEqual([22, '0.0.0.0/0']);
    const second = await h.history(
      `${securityHub.detail.findings[0].Id}/${securityHub.detail.findings[0].UpdatedAt}`,
    );
    expect(second.map((r) => [r.action, r.outcome])).toEqual([['classify', 'duplicate']]);
    const first = await h.history(configFindingId);
    expect(second[0]?.reason).toContain(
      `already handled: execution ${first[0]?.executionArn?.split(':').at(-1)}`,
    );
  });
});
