import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBSnapshotAttributesCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
let rds: RDSClient;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-sam');
  rds = new RDSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
}, 120_000);
afterAll(async () => {
  desk?.close();
  rds?.destroy();
  await h?.stop();
});

const ec2 = () => h.sandbox.clients.ec2;
const PARTNER = '999988887777';
const STRANGER = '444455556666';
let serial = 0;
const newEventId = () => `5a4e0000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

async function newSnapshot(): Promise<string> {
  const volume = await ec2().send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
  return (await ec2().send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }))).SnapshotId as string;
}
const volumePermissions = async (SnapshotId: string) =>
  (
    await ec2().send(
      new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission' }),
    )
  ).CreateVolumePermissions;
const shareSnapshot = (SnapshotId: string, permission: { Group?: 'all'; UserId?: string }) =>
  ec2().send(
    new ModifySnapshotAttributeCommand({ SnapshotId, CreateVolumePermission: { Add: [permission] } }),
  );

/** The CloudTrail record of a ModifySnapshotAttribute call that added `item` to `snapshotId`. */
function snapshotEvent(snapshotId: string, item: { group?: string; userId?: string }) {
  const event = fixtureEvent('cloudtrail-ec2-modify-snapshot-attribute-public.json');
  event.detail.eventID = newEventId();
  event.detail.requestParameters.snapshotId = snapshotId;
  event.detail.requestParameters.createVolumePermission.add.items = [item];
  return event;
}

const executionOf = (findingId: string) => playbookExecution(h, findingId);

/** `remediate undo`, approved by on-call as the default policy asks; resolves once the undo ended. */
async function undoApproved(findingId: string): Promise<void> {
  const { ended } = await desk.approved(findingId, { reason: 'meant' });
  expect(JSON.parse(ended.output ?? '{}').outcome).toBe('undone');
}

describe('revoke-outside-sharing, end to end through the sandbox', () => {
  it('a snapshot made public loses exactly the public permission; the partner keeps its share; undo shares it again', async () => {
    const snapshotId = await newSnapshot();
    await shareSnapshot(snapshotId, { UserId: PARTNER });
    await shareSnapshot(snapshotId, { Group: 'all' });
    const event = snapshotEvent(snapshotId, { group: 'all' });

    await h.put(event);
    expect(await volumePermissions(snapshotId)).toEqual([{ UserId: PARTNER }]);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RemoveSharing', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual([{ UserId: PARTNER }, { Group: 'all' }]);
    expect(JSON.parse(trail[1]?.after as string)).toEqual([{ Group: 'all' }]);

    await undoApproved(event.detail.eventID);

    expect(await volumePermissions(snapshotId)).toEqual([{ UserId: PARTNER }, { Group: 'all' }]);
  });

  it('an AMI made public is private again; its account share stays', async () => {
    const { ImageId } = await ec2().send(
      new RegisterImageCommand({ Name: 'release-build', RootDeviceName: '/dev/xvda' }),
    );
    await ec2().send(
      new ModifyImageAttributeCommand({
        ImageId,
        LaunchPermission: { Add: [{ UserId: PARTNER }, { Group: 'all' }] },
      }),
    );
    const event = fixtureEvent('cloudtrail-ec2-modify-image-attribute-public.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.imageId = ImageId;

    await h.put(event);

    const image = (await ec2().send(new DescribeImagesCommand({ ImageIds: [ImageId as string] })))
      .Images?.[0];
    expect(image?.Public).toBe(false);
    const launch = await ec2().send(
      new DescribeImageAttributeCommand({ ImageId, Attribute: 'launchPermission' }),
    );
    expect(launch.LaunchPermissions).toEqual([{ UserId: PARTNER }]);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['RemoveSharing', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
  });

  it('a share with another account waits for approval, then removes that account only', async () => {
    const snapshotId = await newSnapshot();
    await shareSnapshot(snapshotId, { UserId: PARTNER });
    await shareSnapshot(snapshotId, { UserId: STRANGER });
    const event = snapshotEvent(snapshotId, { userId: STRANGER });

    await h.put(event);
    expect(await volumePermissions(snapshotId)).toHaveLength(2);
    const notice = await waitFor('the approval request', () => approvalNotice(h, event.detail.eventID));
    await desk.oncall.decide(notice.approvalId, 'approve', 'not an account of ours');
    await executionEnded(h, await executionOf(event.detail.eventID));

    expect(await volumePermissions(snapshotId)).toEqual([{ UserId: PARTNER }]);
    expect((await steps(event.detail.eventID)).slice(-3)).toEqual([
      ['RemoveSharing', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
  });

  it('records a permission already gone and removes nothing', async () => {
    const snapshotId = await newSnapshot();
    await shareSnapshot(snapshotId, { UserId: PARTNER });
    const event = snapshotEvent(snapshotId, { group: 'all' });
    const modifiesBefore = h.sandbox.server.calls.filter(
      (c) => c.operation === 'ModifySnapshotAttribute',
    ).length;

    await h.put(event);

    expect(h.sandbox.server.calls.filter((c) => c.operation === 'ModifySnapshotAttribute')).toHaveLength(
      modifiesBefore,
    );
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['RemoveSharing', 'skipped'],
    ]);
    expect(await volumePermissions(snapshotId)).toEqual([{ UserId: PARTNER }]);
  });

  it('in dry-run records the plan, leaving a trusted account alone, and changes nothing', async () => {
    const snapshotId = await newSnapshot();
    await shareSnapshot(snapshotId, { UserId: PARTNER });
    await shareSnapshot(snapshotId, { UserId: STRANGER });
    const event = fixtureEvent('cloudtrail-ec2-modify-snapshot-attribute-account.json');
    event.detail.eventID = newEventId();
    event.detail.requestParameters.snapshotId = snapshotId;
    event.detail.requestParameters.createVolumePermission.add.items = [
      { userId: PARTNER },
      { userId: STRANGER },
    ];
    const normalized = normalizeEvent(event);
    const finding = normalized.ok ? normalized.findings[0] : undefined;
    if (!finding) throw new Error('the fixture no longer normalizes');

    const { executionArn } = await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineRevokeOutsideSharing,
        input: JSON.stringify({
          finding,
          decision: {
            playbook: 'revoke-outside-sharing',
            mode: 'dry-run',
            ruleId: 'test',
            reason: 'dry run',
            params: { trustedAccounts: [PARTNER] },
          },
          audit: {
            pk: findingKey(finding.id),
            resourceKey: resourceKey(finding.accountId, finding.resource),
          },
        }),
      }),
    );
    await executionEnded(h, executionArn as string);

    expect(await volumePermissions(snapshotId)).toEqual([{ UserId: PARTNER }, { UserId: STRANGER }]);
    const [planned] = await h.history(finding.id);
    expect(planned?.outcome).toBe('planned');
    expect(JSON.parse(planned?.details as string)).toMatchObject({
      remove: [{ UserId: STRANGER }],
      leftAlone: [{ permission: { UserId: PARTNER } }],
    });
  });

  describe('RDS manual snapshots', () => {
    const restoreOf = async (DBSnapshotIdentifier: string) =>
      (await rds.send(new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier })))
        .DBSnapshotAttributesResult?.DBSnapshotAttributes?.[0]?.AttributeValues;
    const clusterRestoreOf = async (DBClusterSnapshotIdentifier: string) =>
      (await rds.send(new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier })))
        .DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes?.[0]?.AttributeValues;

    it('a DB snapshot made public can no longer be restored by anyone; the partner keeps it; undo shares it again', async () => {
      h.sandbox.services.rds.seedSnapshot('instance', 'orders-e2e');
      await rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'orders-e2e',
          AttributeName: 'restore',
          ValuesToAdd: [PARTNER, 'all'],
        }),
      );
      const event = fixtureEvent('cloudtrail-rds-modify-db-snapshot-attribute-public.json');
      event.detail.eventID = newEventId();
      event.detail.requestParameters.dBSnapshotIdentifier = 'orders-e2e';

      await h.put(event);

      expect(await restoreOf('orders-e2e')).toEqual([PARTNER]);
      expect(await steps(event.detail.eventID)).toEqual([
        ['classify', 'routed'],
        ['RemoveSharing', 'succeeded'],
        ['Verify', 'verified'],
        ['Complete', 'contained'],
      ]);

      await undoApproved(event.detail.eventID);

      expect(await restoreOf('orders-e2e')).toEqual([PARTNER, 'all']);
    });

    it('Security Hub RDS.1 on a public DB snapshot removes public restore only; the partner keeps it; undo shares it again', async () => {
      h.sandbox.services.rds.seedSnapshot('instance', 'ledger-rds1');
      await rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: 'ledger-rds1',
          AttributeName: 'restore',
          ValuesToAdd: [PARTNER, STRANGER, 'all'],
        }),
      );
      const control = fixtureEvent('securityhub-two-findings.json');
      const [, finding] = control.detail.findings;
      finding.Id =
        'arn:aws:securityhub:us-east-1:111122223333:security-control/RDS.1/finding/6e5d4c3b-2a19-4807-b6c5-d4e3f2a1b0c9';
      finding.GeneratorId = 'security-control/RDS.1';
      finding.Title = 'RDS snapshot should be private';
      finding.Compliance = { Status: 'FAILED', SecurityControlId: 'RDS.1' };
      finding.Resources = [
        {
          Type: 'AwsRdsDbSnapshot',
          Id: 'arn:aws:rds:us-east-1:111122223333:snapshot:ledger-rds1',
          Region: 'us-east-1',
        },
      ];
      control.detail.findings = [finding];
      const findingId = `${finding.Id}/${finding.UpdatedAt}`;

      await h.put(control);

      expect(await restoreOf('ledger-rds1')).toEqual([PARTNER, STRANGER]);
      expect(await steps(findingId)).toEqual([
        ['classify', 'routed'],
        ['RemoveSharing', 'succeeded'],
        ['Verify', 'verified'],
        ['Complete', 'contained'],
      ]);

      await undoApproved(findingId);

      expect(await restoreOf('ledger-rds1')).toEqual([PARTNER, STRANGER, 'all']);
    });

    it('a cluster snapshot shared with an outside account loses that account once approved', async () => {
      h.sandbox.services.rds.seedSnapshot('cluster', 'aurora-e2e');
      await rds.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: 'aurora-e2e',
          AttributeName: 'restore',
          ValuesToAdd: [PARTNER, STRANGER],
        }),
      );
      const event = fixtureEvent('cloudtrail-rds-modify-db-cluster-snapshot-attribute-account.json');
      event.detail.eventID = newEventId();
      event.detail.requestParameters.dBClusterSnapshotIdentifier = 'aurora-e2e';

      await h.put(event);
      const notice = await waitFor('the approval request', () => approvalNotice(h, event.detail.eventID));
      await desk.oncall.decide(notice.approvalId, 'approve', 'not an account of ours');
      await executionEnded(h, await executionOf(event.detail.eventID));

      expect(await clusterRestoreOf('aurora-e2e')).toEqual([PARTNER]);
      expect((await steps(event.detail.eventID)).map(([action]) => action)).toContain('RemoveSharing');
      expect((await steps(event.detail.eventID)).at(-1)).toEqual(['Complete', 'contained']);
    });
  });
});
