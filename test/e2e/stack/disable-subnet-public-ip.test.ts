import {
  CreateSubnetCommand,
  DescribeSubnetsCommand,
  ModifySubnetAttributeCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startPlaybook, steps } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const TITLE = 'EC2 subnets should not automatically assign public IP addresses';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-subnet-public-ip');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const subnet = async (subnetId: string) =>
  (await h.sandbox.clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets?.[0];

/** A subnet of the second seeded VPC made public-by-default, as a public subnet usually is. */
async function publicSubnet(cidr: string): Promise<string> {
  const subnetId = (
    await h.sandbox.clients.ec2.send(new CreateSubnetCommand({ VpcId: h.account.vpcs[1], CidrBlock: cidr }))
  ).Subnet?.SubnetId as string;
  await h.sandbox.clients.ec2.send(
    new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }),
  );
  return subnetId;
}

const finding = (subnetId: string, suffix: string) =>
  controlFinding({
    control: 'EC2.15',
    title: TITLE,
    resourceType: 'AwsEc2Subnet',
    resourceId: `arn:aws:ec2:us-east-1:111122223333:subnet/${subnetId}`,
    suffix,
  });

describe('disable-subnet-public-ip (Security Hub EC2.15), end to end through the sandbox', () => {
  it('after approval turns automatic public addresses off and changes nothing else of the subnet; undo turns them on again', async () => {
    const subnetId = await publicSubnet('10.1.20.0/24');
    const before = await subnet(subnetId);
    expect(before?.MapPublicIpOnLaunch).toBe(true);
    const control = finding(subnetId, '000000000015');

    await putAndApprove(h, desk.oncall, control);

    expect(await subnet(subnetId)).toEqual({ ...before, MapPublicIpOnLaunch: false });
    expect((await steps(h, control.id)).slice(-3)).toEqual([
      ['ModifySubnetAttribute', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect((await desk.approved(control.id, { reason: 'test' })).ended.status).toBe('SUCCEEDED');

    expect(await subnet(subnetId)).toEqual(before);
  });

  it('a dry run records the plan and leaves the subnet as it is', async () => {
    const subnetId = await publicSubnet('10.1.21.0/24');
    const control = finding(subnetId, '0000000000d5');

    const executionArn = await startPlaybook(h, 'disable-subnet-public-ip', control.event, 'dry-run');

    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect((await subnet(subnetId))?.MapPublicIpOnLaunch).toBe(true);
    expect(await steps(h, control.id)).toEqual([['Plan', 'planned']]);
  });

  it('a malformed subnet id in a real finding is refused before any playbook runs', async () => {
    const control = finding('subnet-not-an-id', '0000000000e5');

    await h.put(control.event);

    expect((await h.history(control.id)).map((r) => r.outcome)).not.toContain('routed');
  });
});
