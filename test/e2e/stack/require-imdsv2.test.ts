import {
  DescribeInstancesCommand,
  ModifyInstanceMetadataOptionsCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startPlaybook, steps } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const TITLE = 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-imdsv2');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

/** The instance as DescribeInstances reports it. */
const described = async (instanceId: string) =>
  (await h.sandbox.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
    .Reservations?.[0]?.Instances?.[0];
const metadataOptions = async (instanceId: string) => (await described(instanceId))?.MetadataOptions;

/** Someone allowed IMDSv1 on the instance and raised its hop limit (which the fix must not touch). */
const allowImdsv1 = (instanceId: string) =>
  h.sandbox.clients.ec2.send(
    new ModifyInstanceMetadataOptionsCommand({
      InstanceId: instanceId,
      HttpTokens: 'optional',
      HttpPutResponseHopLimit: 3,
    }),
  );

const finding = (instanceId: string, suffix: string) =>
  controlFinding({
    control: 'EC2.8',
    title: TITLE,
    resourceType: 'AwsEc2Instance',
    resourceId: `arn:aws:ec2:us-east-1:111122223333:instance/${instanceId}`,
    suffix,
  });

describe('require-imdsv2 (Security Hub EC2.8), end to end through the sandbox', () => {
  it('after approval requires IMDSv2 and changes nothing else of the instance; undo allows IMDSv1 again', async () => {
    const instanceId = h.account.instance.id;
    await allowImdsv1(instanceId);
    const before = await described(instanceId);
    expect(before?.MetadataOptions?.HttpTokens).toBe('optional');
    const control = finding(instanceId, '000000000008');

    await putAndApprove(h, desk.oncall, control);

    const after = await described(instanceId);
    expect(after?.MetadataOptions).toEqual({ ...before?.MetadataOptions, HttpTokens: 'required' });
    expect({ ...after, MetadataOptions: undefined }).toEqual({ ...before, MetadataOptions: undefined });
    expect((await steps(h, control.id)).slice(-3)).toEqual([
      ['ModifyInstanceMetadataOptions', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    expect((await desk.approved(control.id, { reason: 'test' })).ended.status).toBe('SUCCEEDED');

    expect(await metadataOptions(instanceId)).toEqual(before?.MetadataOptions);
  });

  it('a dry run records the plan and leaves IMDSv1 allowed', async () => {
    const instanceId = h.account.instance.id;
    await allowImdsv1(instanceId);
    const control = finding(instanceId, '0000000000d8');

    const executionArn = await startPlaybook(h, 'require-imdsv2', control.event, 'dry-run');

    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect((await metadataOptions(instanceId))?.HttpTokens).toBe('optional');
    expect(await steps(h, control.id)).toEqual([['Plan', 'planned']]);
  });

  it('an instance that already requires IMDSv2 is recorded as such and not modified', async () => {
    // Another instance: a second report of the same one within the hour is the same remediation.
    const instanceId = (
      await h.sandbox.clients.ec2.send(
        new RunInstancesCommand({ ImageId: 'ami-0abcdef1234567890', MinCount: 1, MaxCount: 1 }),
      )
    ).Instances?.[0]?.InstanceId as string;
    expect((await metadataOptions(instanceId))?.HttpTokens).toBe('required');
    const control = finding(instanceId, '0000000000a8');
    const callsBefore = h.sandbox.server.calls.length;

    await putAndApprove(h, desk.oncall, control);

    expect((await steps(h, control.id)).slice(-1)).toEqual([['ModifyInstanceMetadataOptions', 'skipped']]);
    expect(
      h.sandbox.server.calls
        .slice(callsBefore)
        .filter((c) => c.operation === 'ModifyInstanceMetadataOptions'),
    ).toEqual([]);
  });
});
