import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSnapshotAttributeCommand,
  type IpPermission,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, type UndoDesk, undoDesk } from './undo-helpers.ts';

/**
 * GuardDuty findings about exposure rather than a compromised actor: a port of an instance open
 * to the internet and probed (revoke-open-ingress), malware in an EBS snapshot or an AMI
 * (revoke-outside-sharing). Both wait for on-call, then change exactly what the finding is about.
 */
let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-kim');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const ec2 = () => h.sandbox.clients.ec2;
let serial = 0;
const next = () => String(++serial);
const findingId = () => `e2e0000000000000000000000000${next().padStart(4, '0')}`;

const executionOf = (id: string) => playbookExecution(h, id);

/** Wait for the finding's approval request, approve it as on-call, wait for the playbook to end. */
async function approve(id: string) {
  const notice = await waitFor('the approval request', () => approvalNotice(h, id));
  await desk.oncall.decide(notice.approvalId, 'approve', 'not meant to be shared or open');
  await executionEnded(h, await executionOf(id));
}

/** `remediate undo`, approved by on-call as the default policy asks; resolves once the undo ended. */
async function undoApproved(id: string): Promise<void> {
  const { ended } = await desk.approved(id, { reason: 'meant' });
  expect(JSON.parse(ended.output ?? '{}').outcome).toBe('undone');
}

const steps = async (id: string) => (await h.history(id)).map((r) => [r.action, r.outcome]);

describe('a port probe on an instance, end to end through the sandbox', () => {
  async function group(name: string, permissions: IpPermission[]): Promise<string> {
    const { GroupId } = await ec2().send(
      new CreateSecurityGroupCommand({
        GroupName: `${name}-${next()}`,
        Description: name,
        VpcId: h.account.vpcs[0],
      }),
    );
    await ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: permissions }));
    return GroupId as string;
  }
  const tcp = (port: number, cidr: string): IpPermission =>
    cidr.includes(':')
      ? { IpProtocol: 'tcp', FromPort: port, ToPort: port, Ipv6Ranges: [{ CidrIpv6: cidr }] }
      : { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] };
  /** Each ingress rule of the group as `port cidr`. */
  const rulesOf = async (GroupId: string) =>
    (
      (
        await ec2().send(
          new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [GroupId] }] }),
        )
      ).SecurityGroupRules ?? []
    )
      .filter((r) => !r.IsEgress)
      .map((r) => `${r.FromPort} ${r.CidrIpv4 ?? r.CidrIpv6}`)
      .sort();

  /** The port-probe fixture about the seeded instance, its interfaces in `groups`, probed on `port`. */
  function probeEvent(groups: [string, string], port: number) {
    const event = fixtureEvent('guardduty-ec2-port-probe.json');
    event.detail.id = findingId();
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
    event.detail.resource.instanceDetails.networkInterfaces.forEach(
      (eni: { securityGroups: { groupId: string }[] }, i: number) => {
        eni.securityGroups = [{ groupId: groups[i] as string }];
      },
    );
    for (const probe of event.detail.service.action.portProbeAction.portProbeDetails)
      probe.localPortDetails = { port, portName: 'probed' };
    return event;
  }

  it("after approval, revokes the world-open rules on the probed port in each of the instance's groups, and nothing else; undo re-adds them", async () => {
    const web = await group('probed-web', [
      tcp(22, '0.0.0.0/0'),
      tcp(22, '203.0.113.0/24'),
      tcp(443, '0.0.0.0/0'),
    ]);
    const admin = await group('probed-admin', [tcp(22, '::/0'), tcp(8443, '0.0.0.0/0')]);
    const event = probeEvent([web, admin], 22);

    await h.put(event);
    // Nothing changes before on-call approves.
    expect(await rulesOf(web)).toEqual(['22 0.0.0.0/0', '22 203.0.113.0/24', '443 0.0.0.0/0']);
    await approve(event.detail.id);

    expect(await rulesOf(web)).toEqual(['22 203.0.113.0/24', '443 0.0.0.0/0']);
    expect(await rulesOf(admin)).toEqual(['8443 0.0.0.0/0']);
    expect(await steps(event.detail.id)).toEqual([
      ['classify', 'routed'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'approved'],
      ['RevokeSecurityGroupIngress', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(event.detail.id);

    expect(await rulesOf(web)).toEqual(['22 0.0.0.0/0', '22 203.0.113.0/24', '443 0.0.0.0/0']);
    expect(await rulesOf(admin)).toEqual(['22 ::/0', '8443 0.0.0.0/0']);
  });

  it('hands a probe naming no security group to a person, changing nothing', async () => {
    const web = await group('probed-bare', [tcp(22, '0.0.0.0/0')]);
    const event = probeEvent([web, web], 22);
    for (const eni of event.detail.resource.instanceDetails.networkInterfaces) eni.securityGroups = [];

    await h.put(event);

    expect(await rulesOf(web)).toEqual(['22 0.0.0.0/0']);
    expect(await steps(event.detail.id)).toEqual([
      ['classify', 'routed'],
      ['NeedsHuman', 'needs-human'],
    ]);
  });
});

describe('malware in an EBS snapshot or an AMI, end to end through the sandbox', () => {
  const PARTNER = '999988887777';
  const OWN_ORG_ACCOUNT = '111122224444';

  function malwareEvent(resource: Record<string, unknown>, type: string) {
    const event = fixtureEvent('guardduty-backup-malware-snapshot.json');
    event.detail.id = findingId();
    event.detail.type = type;
    event.detail.resource = resource;
    return event;
  }

  it('after approval, an infected snapshot is shared with nobody; undo shares it again', async () => {
    const volume = await ec2().send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
    const { SnapshotId } = await ec2().send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }));
    await ec2().send(
      new ModifySnapshotAttributeCommand({
        SnapshotId,
        CreateVolumePermission: { Add: [{ UserId: PARTNER }, { UserId: OWN_ORG_ACCOUNT }, { Group: 'all' }] },
      }),
    );
    const shares = async () =>
      (
        await ec2().send(
          new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission' }),
        )
      ).CreateVolumePermissions ?? [];
    const event = malwareEvent(
      {
        resourceType: 'EBSSnapshot',
        ebsSnapshotDetails: { snapshotArn: `arn:aws:ec2:us-east-1::snapshot/${SnapshotId}` },
      },
      'Execution:EC2/MaliciousFile!Snapshot',
    );

    await h.put(event);
    expect(await shares()).toHaveLength(3);
    await approve(event.detail.id);

    expect(await shares()).toEqual([]);
    expect((await steps(event.detail.id)).slice(-3)).toEqual([
      ['RemoveSharing', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(event.detail.id);

    expect(await shares()).toHaveLength(3);
  });

  it('after approval, an infected AMI can be launched by nobody else', async () => {
    const { ImageId } = await ec2().send(
      new RegisterImageCommand({ Name: `golden-${next()}`, RootDeviceName: '/dev/xvda' }),
    );
    await ec2().send(
      new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Add: [{ UserId: PARTNER }] } }),
    );
    const event = malwareEvent(
      { resourceType: 'EC2Image', ec2ImageDetails: { imageArn: `arn:aws:ec2:us-east-1::image/${ImageId}` } },
      'Execution:EC2/MaliciousFile!AMI',
    );

    await h.put(event);
    await approve(event.detail.id);

    const after = await ec2().send(
      new DescribeImageAttributeCommand({ ImageId, Attribute: 'launchPermission' }),
    );
    expect(after.LaunchPermissions ?? []).toEqual([]);
  });
});
