import { DescribeInstancesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Sandbox } from '#sandbox/index.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import { EVIDENCE_TAGS } from '#statemachines/snapshot-and-reimage/evidence-snapshots.ts';
import { ApprovalsClient } from './approvals/client.ts';
import { approverWithKey } from './demo-approval.ts';
import { DemoError, until } from './demo-story.ts';

/**
 * The evidence part of the demo: the quarantine of the seeded instance handed over to
 * snapshot-and-reimage, which snapshotted every volume and now waits at its gate. The on-call
 * engineer approves, and the root volume is replaced from the image (the old one kept, detached).
 */
export async function demoReimage(
  sandbox: Sandbox,
  say: (line: string) => void,
  instanceId: string,
  findingId: string,
): Promise<void> {
  const notice = await until(
    () =>
      sandbox.services.sns.published.find(
        (m) =>
          m.message.includes(`Finding id: ${findingId}`) &&
          (m.subject ?? '').includes(': approval required') &&
          m.message.includes('snapshot-and-reimage'),
      ),
    'the re-image approval request',
  );
  const ec2 = sandbox.clients.ec2;
  const snapshots =
    (
      await ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: `tag:${EVIDENCE_TAGS.finding}`, Values: [findingId] }],
        }),
      )
    ).Snapshots ?? [];
  say(`The quarantine handed ${instanceId} over to snapshot-and-reimage. Evidence:`);
  for (const s of snapshots) say(`  evidence of ${instanceId}: ${s.SnapshotId} (${s.VolumeId}, ${s.State})`);
  const root = async () => {
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    const volume = instance?.BlockDeviceMappings?.find((m) => m.DeviceName === instance.RootDeviceName)?.Ebs
      ?.VolumeId;
    return `${volume} (image ${instance?.ImageId})`;
  };
  const before = await root();
  const id = /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string;
  const oncall = new ApprovalsClient({
    endpoint: sandbox.endpoint,
    credentials: await approverWithKey(sandbox, 'oncall-evidence'),
  });
  try {
    const reason = 'demo: evidence snapshotted, re-image approved automatically';
    say(`  It waits for approval ${id}; approved as user oncall-evidence:`);
    say(`  remediate approvals approve ${id} --reason "re-image approved"`);
    const decided = await oncall.decide(id, 'approve', reason);
    if (!decided.ok) throw new DemoError(`the re-image approval was refused: ${decided.message}`);
    const shown = await oncall.show(id);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    const status = await until(async () => {
      const out = await sandbox.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out.status;
    }, 'the end of the re-image');
    if (status !== 'SUCCEEDED') {
      const table = sandbox.deployment?.outputs.AuditTableName as string;
      const failure = (await findingHistory(sandbox.clients.dynamodb, table, findingId)).find(
        (r) => r.outcome === 'needs-human',
      );
      say(`  re-image ${status?.toLowerCase()}: ${failure?.details ?? 'no needs-human record'}`);
      return;
    }
    say(`  re-image ${status?.toLowerCase()}: root volume ${before}`);
    say(`    → ${await root()}`);
    say('  The old root volume is kept, detached, with the snapshots.');
  } finally {
    oncall.close();
  }
}
