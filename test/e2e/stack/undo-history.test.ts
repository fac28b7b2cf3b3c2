import {
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { ListAccessKeysCommand, ListUserPoliciesCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { type UndoResult, undo } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import {
  approvalNotice,
  approverWithKey,
  cliAs,
  execution,
  executionEnded,
  userWithKey,
  waitFor,
} from './approval-helpers.ts';
import { fixtureEvent, leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

/**
 * Undo reads the resource's history: it never reverses what another finding's standing
 * containment needs, and it stops the follow-ups of what it reverses before anything else.
 */
let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
let undoStateMachine: string;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-otto'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  undoStateMachine = h.sandbox.deployment?.outputs.UndoStateMachineArn as string;
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

const c = () => h.sandbox.clients;
const quiet = { log: () => {}, error: () => {} };

/** The playbook execution that acted on a finding, from its audit trail. */
async function executionOf(findingId: string, playbook: string): Promise<string> {
  const arn = (await h.history(findingId)).find(
    (r) => r.playbook === playbook && r.executionArn,
  )?.executionArn;
  if (!arn) throw new Error(`no ${playbook} execution recorded for ${findingId}`);
  return arn;
}

/** `remediate undo`, approved as on-call (the default policy's `undo.mode` is approve), until it ends. */
async function undoApproved(findingId: string, executionArn: string): Promise<UndoResult> {
  const started = await undo(
    executionArn,
    { stateMachine: undoStateMachine, pollMs: 50, timeoutMs: 20_000 },
    { sfn: c().sfn, sts },
    quiet,
  );
  expect(started).toMatchObject({ outcome: 'pending', plan: { outcome: 'planned' } });
  const notice = await waitFor(`the undo approval of ${findingId}`, () =>
    h.sandbox.services.sns.published.find(
      (m) =>
        m.message.includes(`Finding id: ${findingId}`) &&
        (m.subject ?? '').includes('undo: approval required'),
    ),
  );
  const approvalId = /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string;
  await oncall.decide(approvalId, 'approve', 'false positive, put it back');
  const ended = await executionEnded(h, started.undoExecutionArn);
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
    const secondExecution = await executionOf(second, 'disable-access-key');

    const firstUndo = await undoApproved(first, await executionOf(first, 'disable-access-key'));
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
    const followUp = await executionOf(findingId, 'snapshot-and-reimage');
    const blank = await oncall.decide(reimage.approvalId, 'approve', '');
    const blanks = await oncall.decide(reimage.approvalId, 'approve', '   ');

    expect(blank).toMatchObject({ ok: false, problem: 'no-reason' });
    expect(blanks).toMatchObject({ ok: false, problem: 'no-reason' });
    expect(await oncall.show(reimage.approvalId)).toMatchObject({ approval: { status: 'pending' } });

    const started = await undoApproved(findingId, await executionOf(findingId, 'quarantine-instance'));
    const late = await oncall.decide(reimage.approvalId, 'approve', 'evidence is safe, re-image it');
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
