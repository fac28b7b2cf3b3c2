import {
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListAccessKeysCommand, ListUserPoliciesCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UndoResult } from '#cli/commands/undo.ts';
import { approvalNotice, execution, userWithKey, waitFor } from './approval-helpers.ts';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, type UndoDesk, undoDesk } from './undo-helpers.ts';

/**
 * Undo reads the resource's history: it never reverses what another finding's standing
 * containment needs, and it stops the follow-ups of what it reverses before anything else.
 */
let h: StackHarness;
let desk: UndoDesk;
let _undoStateMachine: string;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-otto');
  _undoStateMachine = h.sandbox.deployment?.outputs.UndoStateMachineArn as string;
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const c = () => h.sandbox.clients;

/** `remediate undo`, approved as on-call (the default policy's `undo.mode` is approve), until it ends. */
async function undoApproved(findingId: string, executionArn: string): Promise<UndoResult> {
  const { started, ended } = await desk.approved(findingId, { executionArn });
  expect(JSON.parse(ended.output ?? '{}').outcome).toBe('undone');
  return started;
}

/** The undo's own records in a finding's trail, in order. */
const undoSteps = async (findingId: string) =>
  (await h.history(findingId)).filter((r) => r.actor === 'playbook/undo').map((r) => [r.action, r.outcome]);

describe('two findings contain one access key', () => {
  it('the undo of the first keeps the key Inactive and the deny policy, and records why; the undo of the second restores the key', async () => {
    const user = await userWithKey(h, 'frank');
    const state = async () => ({
      keys: (await c().iam.send(new ListAccessKeysCommand({ UserName: 'frank' }))).AccessKeyMetadata?.map(
        (k) => [k.AccessKeyId, k.Status],
      ),
      policies: (await c().iam.send(new ListUserPoliciesCommand({ UserName: 'frank' }))).PolicyNames,
      tags: (await c().iam.send(new ListUserTagsCommand({ UserName: 'frank' }))).Tags,
    });
    const before = await state();
    const first = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b101';
    const second = 'b1b1b1b1b1b1b1b1b1b1b1b1b1b1b102';
    await h.put(leakedKeyFinding(user.accessKeyId, 'frank', first));
    await h.put(leakedKeyFinding(user.accessKeyId, 'frank', second));
    const contained = await state();
    const secondExecution = await playbookExecution(h, second, 'disable-access-key');

    const firstUndo = await undoApproved(first, await playbookExecution(h, first, 'disable-access-key'));
    const afterFirstUndo = await state();

    expect(contained).toMatchObject({
      keys: [[user.accessKeyId, 'Inactive']],
      policies: [expect.any(String)],
    });
    expect(afterFirstUndo).toEqual(contained);
    expect(firstUndo.plan).toMatchObject({
      outcome: 'planned',
      actions: [],
      held: { standing: [{ findingId: second }] },
    });
    expect(await undoSteps(first)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['KeepContainment', 'skipped'],
      ['Undo', 'undone'],
    ]);
    const kept = (await h.history(first)).find((r) => r.action === 'KeepContainment');
    expect(kept?.reason).toContain(
      `${secondExecution} (disable-access-key, finding ${second}) still contains it`,
    );

    await undoApproved(second, secondExecution);

    expect(await state()).toEqual(before);
    expect(await undoSteps(second)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['UntagUser', 'succeeded'],
      ['DeleteUserPolicy', 'succeeded'],
      ['UpdateAccessKey', 'succeeded'],
      ['Undo', 'undone'],
    ]);
  });
});

describe('undo of a quarantine whose re-image waits for approval', () => {
  it('refuses a decision without a reason, cancels the re-image approval, and approving it later replaces nothing', async () => {
    const seeded = (
      await c().ec2.send(new DescribeInstancesCommand({ InstanceIds: [h.account.instance.id] }))
    ).Reservations?.[0]?.Instances?.[0];
    const launched = await c().ec2.send(
      new RunInstancesCommand({
        ImageId: seeded?.ImageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: seeded?.SubnetId,
        SecurityGroupIds: [h.account.securityGroups.web],
      }),
    );
    const instanceId = launched.Instances?.[0]?.InstanceId as string;
    const rootVolume = async () => {
      const described = (await c().ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
        .Reservations?.[0]?.Instances?.[0];
      return described?.BlockDeviceMappings?.find((m) => m.DeviceName === described.RootDeviceName)?.Ebs
        ?.VolumeId;
    };
    const replaceTasks = async () =>
      (
        await c().ec2.send(
          new DescribeReplaceRootVolumeTasksCommand({
            Filters: [{ Name: 'instance-id', Values: [instanceId] }],
          }),
        )
      ).ReplaceRootVolumeTasks ?? [];
    const rootBefore = await rootVolume();
    const findingId = 'c2c2c2c2c2c2c2c2c2c2c2c2c2c2c201';
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = findingId;
    event.detail.resource.instanceDetails.instanceId = instanceId;

    await h.put(event);
    const reimage = await waitFor('the re-image approval request', () => approvalNotice(h, findingId));
    const followUp = await playbookExecution(h, findingId, 'snapshot-and-reimage');
    const blank = await desk.oncall.decide(reimage.approvalId, 'approve', '');
    const blanks = await desk.oncall.decide(reimage.approvalId, 'approve', '   ');

    expect(blank).toMatchObject({ ok: false, problem: 'no-reason' });
    expect(blanks).toMatchObject({ ok: false, problem: 'no-reason' });
    expect(await desk.oncall.show(reimage.approvalId)).toMatchObject({ approval: { status: 'pending' } });

    const started = await undoApproved(
      findingId,
      await playbookExecution(h, findingId, 'quarantine-instance'),
    );
    const late = await desk.oncall.decide(reimage.approvalId, 'approve', 'evidence is safe, re-image it');
    await h.sandbox.idle();

    expect(await replaceTasks()).toEqual([]);
    expect(await rootVolume()).toBe(rootBefore);
    expect(started.plan).toMatchObject({
      followUps: [{ executionArn: followUp, approvalId: reimage.approvalId }],
    });
    expect((await undoSteps(findingId)).slice(0, 3)).toEqual([
      ['Plan', 'planned'],
      ['RequestApproval', 'approval-required'],
      ['CancelFollowUp', 'succeeded'],
    ]);
    expect((await execution(h, followUp)).status).toBe('ABORTED');
    expect(late).toMatchObject({ ok: false, problem: 'already-decided' });
    expect(late.ok === false && late.message).toMatch(/was already cancelled by .*undo-/);
  });
});
