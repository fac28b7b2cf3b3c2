import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  ModifySnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_SNAPSHOTS_PER_RUN } from '#statemachines/revoke-outside-sharing/public-snapshots.ts';
import { executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startPlaybook, steps } from './control-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-snapshots');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const ec2 = () => h.sandbox.clients.ec2;
const PARTNER = '999988887777';
const TITLE = 'Amazon EBS snapshots should not be publicly restorable';
const ACCOUNT = { type: 'AwsAccount', id: 'AWS::::Account:111122223333' };

async function newSnapshot(...shares: ({ Group: 'all' } | { UserId: string })[]): Promise<string> {
  const volume = await ec2().send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
  const id = (await ec2().send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId })))
    .SnapshotId as string;
  if (shares.length > 0)
    await ec2().send(
      new ModifySnapshotAttributeCommand({ SnapshotId: id, CreateVolumePermission: { Add: shares } }),
    );
  return id;
}
const permissions = async (SnapshotId: string) =>
  (
    await ec2().send(
      new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission' }),
    )
  ).CreateVolumePermissions;
/** What the EC2 console's "Public snapshots" of the account lists. */
const publicSnapshots = async () =>
  (
    (await ec2().send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: ['all'] })))
      .Snapshots ?? []
  ).map((s) => s.SnapshotId);

describe('EC2.1 (the account has publicly restorable EBS snapshots), end to end', () => {
  it('makes every public snapshot private, keeps shares with accounts and private snapshots as they were; undo shares them again', async () => {
    const sharedAndPublic = await newSnapshot({ Group: 'all' }, { UserId: PARTNER });
    const onlyPublic = await newSnapshot({ Group: 'all' });
    const partnerOnly = await newSnapshot({ UserId: PARTNER });
    const privateOne = await newSnapshot();
    expect((await publicSnapshots()).sort()).toEqual([sharedAndPublic, onlyPublic].sort());
    const finding = controlFinding({
      control: 'EC2.1',
      resourceType: ACCOUNT.type,
      resourceId: ACCOUNT.id,
      title: TITLE,
      suffix: '0000000ec201',
    });

    await putAndApprove(h, desk.oncall, finding);

    expect(await publicSnapshots()).toEqual([]);
    expect(await permissions(sharedAndPublic)).toEqual([{ UserId: PARTNER }]);
    expect(await permissions(onlyPublic)).toEqual([]);
    expect(await permissions(partnerOnly)).toEqual([{ UserId: PARTNER }]);
    expect(await permissions(privateOne)).toEqual([]);
    expect(await steps(h, finding.id)).toEqual([
      ['classify', 'routed'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'approved'],
      ['RemoveSharing', 'succeeded'],
      ['RemoveSharing', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    const { ended } = await desk.approved(finding.id);

    expect(ended.status).toBe('SUCCEEDED');
    expect((await publicSnapshots()).sort()).toEqual([sharedAndPublic, onlyPublic].sort());
    expect(await permissions(sharedAndPublic)).toEqual(
      expect.arrayContaining([{ Group: 'all' }, { UserId: PARTNER }]),
    );
    expect(await permissions(onlyPublic)).toEqual([{ Group: 'all' }]);
    expect(await permissions(partnerOnly)).toEqual([{ UserId: PARTNER }]);
    // An approval, the run and an approved undo: beyond the default timeout on a loaded machine.
  }, 120_000);

  it(`AWS Config ebs-snapshot-public-restorable-check: at most ${PUBLIC_SNAPSHOTS_PER_RUN} per run, the rest reported and left for the next run`, async () => {
    await Promise.all(
      Array.from({ length: PUBLIC_SNAPSHOTS_PER_RUN + 1 }, () => newSnapshot({ Group: 'all' })),
    );
    const before = await publicSnapshots();
    const published = h.sandbox.services.sns.published.length;
    const event = fixtureEvent('config-restricted-ssh-non-compliant.json');
    event.detail.configRuleName = 'securityhub-ebs-snapshot-public-restorable-check-0c9d8e';
    event.detail.resourceType = 'AWS::::Account';
    event.detail.resourceId = '111122223333';

    // Started as classify starts it (the account was claimed by the run above for the hour).
    const ended = await executionEnded(h, await startPlaybook(h, 'revoke-outside-sharing', event, 'auto'));

    expect(ended.status).toBe('SUCCEEDED');
    const left = await publicSnapshots();
    expect(left).toHaveLength(before.length - PUBLIC_SNAPSHOTS_PER_RUN);
    expect(before).toEqual(expect.arrayContaining(left));
    const notice = h.sandbox.services.sns.published
      .slice(published)
      .find((m) => (m.subject ?? '').includes('more public EBS snapshots remain'));
    expect(notice?.message).toContain('"moreRemain":true');
  }, 120_000);
});
