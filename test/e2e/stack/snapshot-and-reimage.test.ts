import {
  CreateLaunchTemplateCommand,
  CreateReplaceRootVolumeTaskCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { EVIDENCE_TAGS } from '#statemachines/snapshot-and-reimage/evidence-snapshots.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let stateMachineArn: string;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-rita'));
  stateMachineArn = h.sandbox.deployment?.outputs.StateMachineSnapshotAndReimage as string;
}, 120_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

/** A Critical cryptomining finding on the seeded instance: the default policy routes it here. */
function miningFinding(findingId: string, instanceId = h.account.instance.id) {
  const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
  event.detail.id = findingId;
  event.detail.type = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
  event.detail.severity = 9.2;
  event.detail.resource.instanceDetails.instanceId = instanceId;
  return event;
}

const ec2 = () => h.sandbox.clients.ec2;
const evidenceSnapshots = async (findingId: string) =>
  (
    await ec2().send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: `tag:${EVIDENCE_TAGS.finding}`, Values: [findingId] }],
      }),
    )
  ).Snapshots ?? [];
const attachedVolumes = async () =>
  (
    await ec2().send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [h.account.instance.id] }],
      }),
    )
  ).Volumes ?? [];
const replaceTasks = async () =>
  (
    await ec2().send(
      new DescribeReplaceRootVolumeTasksCommand({
        Filters: [{ Name: 'instance-id', Values: [h.account.instance.id] }],
      }),
    )
  ).ReplaceRootVolumeTasks ?? [];
const rootVolumeId = async () => {
  const instance = (await ec2().send(new DescribeInstancesCommand({ InstanceIds: [h.account.instance.id] })))
    .Reservations?.[0]?.Instances?.[0];
  return {
    imageId: instance?.ImageId,
    volumeId: instance?.BlockDeviceMappings?.find((m) => m.DeviceName === instance.RootDeviceName)?.Ebs
      ?.VolumeId,
  };
};
const notice = (findingId: string) =>
  waitFor(`the approval request of ${findingId}`, () => approvalNotice(h, findingId));
const trailOf = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** Start the playbook with the input classify gives a follow-up (as quarantine-instance hands over). */
async function startAsClassify(
  findingId: string,
  params?: Record<string, unknown>,
  instanceId?: string,
  name = `reimage-${findingId}`,
) {
  const normalized = normalizeEvent(miningFinding(findingId, instanceId));
  if (!normalized.ok) throw normalized.error;
  const finding = normalized.findings[0]!;
  const input = {
    finding,
    decision: {
      playbook: 'snapshot-and-reimage',
      mode: 'approve',
      ruleId: 'reimage-rule',
      reason: 'test',
      approval: { timeoutMinutes: 60, timeoutSeconds: 3600, onTimeout: 'abandon' },
      ...(params ? { params } : {}),
    },
    audit: { pk: findingKey(findingId), resourceKey: resourceKey(finding.accountId, finding.resource) },
  };
  return h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name,
      input: JSON.stringify(input),
    }),
  );
}

describe('snapshot-and-reimage, end to end through the sandbox', () => {
  it('snapshots every volume, tagged, waits at the gate; denied, nothing is replaced', async () => {
    const findingId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0001';
    const volumes = await attachedVolumes();
    const rootBefore = await rootVolumeId();

    await startAsClassify(findingId);
    const pending = await notice(findingId);

    const snapshots = await evidenceSnapshots(findingId);
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual(volumes.map((v) => v.VolumeId).sort());
    for (const snapshot of snapshots) {
      expect(snapshot.State).toBe('completed');
      expect(snapshot.Tags).toEqual(
        expect.arrayContaining([
          { Key: EVIDENCE_TAGS.finding, Value: findingId },
          { Key: EVIDENCE_TAGS.instance, Value: h.account.instance.id },
        ]),
      );
    }
    const running = await h.sandbox.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const executionArn = running.executions?.[0]?.executionArn as string;
    expect(running.executions?.[0]?.status).toBe('RUNNING');

    const denied = await oncall.decide(pending.approvalId, 'deny', 'the owner rebuilds it from scratch');
    const ended = await executionEnded(h, executionArn);

    expect(denied).toMatchObject({ ok: true, decided: 'denied' });
    expect(ended.status).toBe('SUCCEEDED');
    expect(await replaceTasks()).toEqual([]);
    expect(await rootVolumeId()).toEqual(rootBefore);
    expect(await evidenceSnapshots(findingId)).toHaveLength(snapshots.length);
    expect(await trailOf(findingId)).toEqual([
      ['RecordBeforeState', 'succeeded'],
      ['CreateSnapshots', 'succeeded'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'denied'],
    ]);
  });

  it('approved: replaces the root volume from the golden image and keeps the old volume and the snapshots', async () => {
    const findingId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0002';
    const golden = h.sandbox.services.ec2.seedImage({ name: 'golden-web-2026-11' });
    const rootBefore = await rootVolumeId();
    const normalized = normalizeEvent(miningFinding(findingId));
    if (!normalized.ok) throw normalized.error;
    const finding = normalized.findings[0]!;
    // Started as classify starts it for a rule with `params: { goldenImageId }`.
    const input = {
      finding,
      decision: {
        playbook: 'snapshot-and-reimage',
        mode: 'approve',
        ruleId: 'golden-image-rule',
        reason: 'test',
        approval: { timeoutMinutes: 60, timeoutSeconds: 3600, onTimeout: 'abandon' },
        params: { goldenImageId: golden.imageId },
      },
      audit: { pk: findingKey(findingId), resourceKey: resourceKey(finding.accountId, finding.resource) },
    };
    const started = await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: `golden-${findingId}`,
        input: JSON.stringify(input),
      }),
    );
    const pending = await notice(findingId);
    expect(pending.message.message).toContain(golden.imageId);

    await oncall.decide(pending.approvalId, 'approve', 'evidence is safe, bring it back clean');
    const ended = await executionEnded(h, started.executionArn as string);

    expect(ended.status).toBe('SUCCEEDED');
    const [task, ...others] = await replaceTasks();
    expect(others).toEqual([]);
    expect(task).toMatchObject({
      TaskState: 'succeeded',
      ImageId: golden.imageId,
      DeleteReplacedRootVolume: false,
    });
    const rootAfter = await rootVolumeId();
    expect(rootAfter.imageId).toBe(golden.imageId);
    expect(rootAfter.volumeId).not.toBe(rootBefore.volumeId);
    const oldRoot = await ec2().send(
      new DescribeVolumesCommand({ VolumeIds: [rootBefore.volumeId as string] }),
    );
    expect(oldRoot.Volumes?.[0]?.State).toBe('available');
    expect((await evidenceSnapshots(findingId)).length).toBeGreaterThan(0);
    expect((await trailOf(findingId)).slice(-3)).toEqual([
      ['DecideApproval', 'approved'],
      ['ReplaceRootVolume', 'succeeded'],
      ['Complete', 'contained'],
    ]);

    // Idempotent across two approved runs: a re-run for the same finding (an operator starting it
    // again under another name) reuses the finished replacement and wipes nothing a second time.
    const rerun = await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: `golden-rerun-${findingId}`,
        input: JSON.stringify(input),
      }),
    );
    const again = await waitFor('the second approval request', () => {
      const requests = h.sandbox.services.sns.published.filter(
        (m) =>
          m.message.includes(`Finding id: ${findingId}`) && (m.subject ?? '').includes(': approval required'),
      );
      return requests.length === 2
        ? /approval (apr-[0-9a-f]{16})/i.exec(requests[1]?.message ?? '')?.[1]
        : undefined;
    });
    await oncall.decide(again, 'approve', 'approving the re-run');
    expect((await executionEnded(h, rerun.executionArn as string)).status).toBe('SUCCEEDED');
    expect(await replaceTasks()).toHaveLength(1);
    expect((await rootVolumeId()).volumeId).toBe(rootAfter.volumeId);
    expect((await trailOf(findingId)).slice(-4)).toEqual([
      ['DecideApproval', 'approved'],
      ['CreateReplaceRootVolumeTask', 'skipped'],
      ['ReplaceRootVolume', 'succeeded'],
      ['Complete', 'contained'],
    ]);
  });

  it("without a golden image, launches a replacement from the instance's own launch template, once", async () => {
    const findingId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0004';
    const seeded = (await ec2().send(new DescribeInstancesCommand({ InstanceIds: [h.account.instance.id] })))
      .Reservations?.[0]?.Instances?.[0];
    const template = await ec2().send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'batch-worker',
        LaunchTemplateData: {
          ImageId: seeded?.ImageId,
          InstanceType: 't3.micro',
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: seeded?.SubnetId, Groups: [h.account.securityGroups.app] },
          ],
        },
      }),
    );
    const templateId = template.LaunchTemplate?.LaunchTemplateId as string;
    const original = (
      await ec2().send(
        new RunInstancesCommand({
          LaunchTemplate: { LaunchTemplateId: templateId },
          MinCount: 1,
          MaxCount: 1,
        }),
      )
    ).Instances?.[0]?.InstanceId as string;
    const replacements = async () =>
      (
        await ec2().send(
          new DescribeInstancesCommand({
            Filters: [{ Name: 'tag:remediation:replaces', Values: [original] }],
          }),
        )
      ).Reservations?.flatMap((r) => r.Instances ?? []) ?? [];
    const approveNext = async (count: number) => {
      const id = await waitFor(`approval request ${count}`, () => {
        const requests = h.sandbox.services.sns.published.filter(
          (m) =>
            m.message.includes(`Finding id: ${findingId}`) &&
            (m.subject ?? '').includes(': approval required'),
        );
        return requests.length === count
          ? /approval (apr-[0-9a-f]{16})/i.exec(requests.at(-1)?.message ?? '')?.[1]
          : undefined;
      });
      return oncall.decide(id, 'approve', 'replace it from its template');
    };

    const first = await startAsClassify(findingId, undefined, original, `template-${findingId}`);
    const request = await notice(findingId);
    expect(request.message.message).toContain(`from launch template ${templateId} version 1`);
    await approveNext(1);
    expect((await executionEnded(h, first.executionArn as string)).status).toBe('SUCCEEDED');

    const [replacement, ...more] = await replacements();
    expect(more).toEqual([]);
    expect(replacement?.State?.Name).toBe('running');
    expect(replacement?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'remediation:finding', Value: findingId },
        { Key: 'aws:ec2launchtemplate:id', Value: templateId },
      ]),
    );
    // The original stays as it was, as evidence: running, its own root volume, not re-imaged.
    const kept = (await ec2().send(new DescribeInstancesCommand({ InstanceIds: [original] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(kept?.State?.Name).toBe('running');
    expect((await replaceTasks()).some((t) => t.InstanceId === original)).toBe(false);
    expect((await trailOf(findingId)).slice(-3)).toEqual([
      ['DecideApproval', 'approved'],
      ['LaunchReplacement', 'succeeded'],
      ['Complete', 'contained'],
    ]);

    // A second approved run for the finding reuses the replacement instead of launching another.
    const second = await startAsClassify(findingId, undefined, original, `template-rerun-${findingId}`);
    await approveNext(2);
    expect((await executionEnded(h, second.executionArn as string)).status).toBe('SUCCEEDED');
    expect(await replacements()).toHaveLength(1);
    expect((await trailOf(findingId)).slice(-4)).toEqual([
      ['DecideApproval', 'approved'],
      ['RunInstances', 'skipped'],
      ['LaunchReplacement', 'succeeded'],
      ['Complete', 'contained'],
    ]);
  });

  it('without image or template, restores the root volume to its launch state; a task of another finding is not reused', async () => {
    const findingId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0005';
    const seeded = (await ec2().send(new DescribeInstancesCommand({ InstanceIds: [h.account.instance.id] })))
      .Reservations?.[0]?.Instances?.[0];
    // Launched from an AMI EC2 no longer knows (as after DeregisterImage): naming it would fail.
    const instanceId = (
      await ec2().send(
        new RunInstancesCommand({
          ImageId: 'ami-0fedcba9876543210',
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: seeded?.SubnetId,
        }),
      )
    ).Instances?.[0]?.InstanceId as string;
    const tasksOf = async () =>
      (
        await ec2().send(
          new DescribeReplaceRootVolumeTasksCommand({
            Filters: [{ Name: 'instance-id', Values: [instanceId] }],
          }),
        )
      ).ReplaceRootVolumeTasks ?? [];
    const other = await ec2().send(
      new CreateReplaceRootVolumeTaskCommand({
        InstanceId: instanceId,
        TagSpecifications: [
          {
            ResourceType: 'replace-root-volume-task',
            Tags: [{ Key: 'remediation:finding', Value: 'another-finding' }],
          },
        ],
      }),
    );
    const otherId = other.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId;
    await waitFor("the other finding's task to finish", async () =>
      (await tasksOf()).find((t) => t.ReplaceRootVolumeTaskId === otherId && t.TaskState === 'succeeded'),
    );

    const started = await startAsClassify(findingId, undefined, instanceId, `launch-state-${findingId}`);
    const pending = await notice(findingId);
    expect(pending.message.message).toContain('to its launch state');
    await oncall.decide(pending.approvalId, 'approve', 'restore it as launched');
    const ended = await executionEnded(h, started.executionArn as string);

    expect(ended.status).toBe('SUCCEEDED');
    const mine = (await tasksOf()).filter((t) => t.ReplaceRootVolumeTaskId !== otherId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ TaskState: 'succeeded', DeleteReplacedRootVolume: false });
    expect(mine[0]?.ImageId).toBeUndefined();
    expect(mine[0]?.Tags).toContainEqual({ Key: 'remediation:finding', Value: findingId });
    expect((await trailOf(findingId)).slice(-3)).toEqual([
      ['DecideApproval', 'approved'],
      ['ReplaceRootVolume', 'succeeded'],
      ['Complete', 'contained'],
    ]);
  });

  it('ends in needs-human when EC2 denies CreateSnapshots: nothing is asked, nothing replaced', async () => {
    const findingId = '5a5a5a5a5a5a5a5a5a5a5a5a5a5a0003';
    const tasksBefore = (await replaceTasks()).length;
    const notificationsBefore = h.sandbox.services.sns.published.length;
    h.sandbox.server.faults.add({
      service: 'ec2',
      operation: 'CreateSnapshots',
      code: 'UnauthorizedOperation',
    });
    let executionArn: string;
    try {
      executionArn = (await startAsClassify(findingId)).executionArn as string;
      await h.sandbox.idle();
    } finally {
      h.sandbox.server.faults.clear();
    }

    const ended = await executionEnded(h, executionArn);
    expect(ended.status).toBe('FAILED');
    expect(await trailOf(findingId)).toEqual([
      ['RecordBeforeState', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(await evidenceSnapshots(findingId)).toEqual([]);
    expect(await replaceTasks()).toHaveLength(tasksBefore);
    const published = h.sandbox.services.sns.published.slice(notificationsBefore);
    expect(published.map((m) => m.subject)).toEqual([expect.stringContaining('needs a human')]);
  });
});
