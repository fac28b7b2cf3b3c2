import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, runUndo } from './undo-helpers.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-config'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  // The account's one recorder, recording every resource type to its delivery channel.
  await config().send(
    new PutConfigurationRecorderCommand({
      ConfigurationRecorder: {
        name: 'default',
        roleARN:
          'arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      },
    }),
  );
  await config().send(
    new PutDeliveryChannelCommand({ DeliveryChannel: { name: 'default', s3BucketName: h.account.bucket } }),
  );
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

const config = () => h.sandbox.clients.config;
let serial = 0;
const newEventId = () => `c0f10000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);
const recording = async () =>
  (
    await config().send(
      new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: ['default'] }),
    )
  ).ConfigurationRecordersStatus?.[0]?.recording;
/** What the recorder records, with which role, and where it delivers: what a restart must leave as it is. */
const setup = async () => ({
  recorders: (await config().send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders,
  channels: (await config().send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels,
});

/** The attacker's StopConfigurationRecorder, made in the sandbox, and its CloudTrail record. */
async function stopRecorder() {
  await config().send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  await config().send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
  const event = fixtureEvent('cloudtrail-config-stop-recorder.json');
  event.detail.eventID = newEventId();
  return event;
}

async function startIn(mode: string, event: { source: string; 'detail-type': string; detail: unknown }) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const outputs = h.sandbox.deployment?.outputs ?? {};
  const stateMachineArn = Object.entries(outputs).find(([k]) => k.endsWith('RestartConfigRecorder'))?.[1];
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'restart-config-recorder', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return { executionArn: started.executionArn as string, findingId: finding.id };
}

describe('restart-config-recorder, end to end through the sandbox', () => {
  it('a stopped recorder records again, nothing else changed, and undo refuses to stop it again', async () => {
    const event = await stopRecorder();
    const before = await setup();
    expect(await recording()).toBe(false);

    await h.put(event);

    expect(await recording()).toBe(true);
    expect(await setup()).toEqual(before);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['StartConfigurationRecorder', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    const started = (await h.history(event.detail.eventID))[1];
    expect(JSON.parse(started?.before as string)).toMatchObject({
      status: { Recording: false, Name: 'default' },
    });

    const executionArn = await playbookExecution(h, event.detail.eventID);
    const lines: string[] = [];
    const result = await runUndo(h, sts, executionArn, { output: lines });
    expect(result).toMatchObject({ outcome: 'refused', plan: { code: 'not-undoable' } });
    expect(lines.join('\n')).toMatch(/stopping it again is not a remediation/);
    expect(await recording()).toBe(true);
  });

  it('a dry run records the plan and leaves the recorder stopped', async () => {
    const event = await stopRecorder();

    const { executionArn, findingId } = await startIn('dry-run', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await recording()).toBe(false);
    expect(await steps(findingId)).toEqual([['Plan', 'planned']]);
  });

  it('in approve mode waits for on-call, then restarts it', async () => {
    const event = await stopRecorder();

    const { executionArn, findingId } = await startIn('approve', event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, findingId));
    expect(await recording()).toBe(false);
    await oncall.decide(notice.approvalId, 'approve', 'not ours');
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await recording()).toBe(true);
  });

  it('a recorder someone already restarted is recorded as such and not touched', async () => {
    const event = await stopRecorder();
    await config().send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: 'default' }));
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['StartConfigurationRecorder', 'skipped'],
    ]);
    expect(
      h.sandbox.server.calls.slice(callsBefore).filter((c) => c.operation === 'StartConfigurationRecorder'),
    ).toEqual([]);
  });

  it('a refused StopConfigurationRecorder (errorCode) changes nothing', async () => {
    const event = await stopRecorder();
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized to perform: config:StopConfigurationRecorder';
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.service === 'config')).toEqual([]);
    expect(await recording()).toBe(false);
  });
});
