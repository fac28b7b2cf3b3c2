import {
  CreateDetectorCommand,
  CreateIPSetCommand,
  GetDetectorCommand,
  GetIPSetCommand,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { guardDutyDot1Finding } from './guardduty-control.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, runUndo } from './undo-helpers.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
let detectorId: string;
let ipSetId: string;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-guardduty'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  // The account's detector, publishing every 15 minutes, with a trusted IP list: what a re-enable
  // must leave as it is.
  detectorId = (
    await guardduty().send(
      new CreateDetectorCommand({
        Enable: true,
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        Tags: { team: 'sec' },
      }),
    )
  ).DetectorId as string;
  ipSetId = (
    await guardduty().send(
      new CreateIPSetCommand({
        DetectorId: detectorId,
        Name: 'office',
        Format: 'TXT',
        Location: 'https://s3.amazonaws.com/lists-111122223333/office.txt',
        Activate: true,
      }),
    )
  ).IpSetId as string;
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

const guardduty = () => h.sandbox.clients.guardduty;
let serial = 0;
const newEventId = () => `9d000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);
const status = async () =>
  (await guardduty().send(new GetDetectorCommand({ DetectorId: detectorId }))).Status;
/** What the detector is besides enabled, and its trusted list: what a re-enable must leave as it is. */
const setup = async () => {
  const { FindingPublishingFrequency, Tags, CreatedAt, ServiceRole } = await guardduty().send(
    new GetDetectorCommand({ DetectorId: detectorId }),
  );
  const { $metadata: _, ...ipSet } = await guardduty().send(
    new GetIPSetCommand({ DetectorId: detectorId, IpSetId: ipSetId }),
  );
  return { FindingPublishingFrequency, Tags, CreatedAt, ServiceRole, ipSet };
};

/** The attacker's UpdateDetector(enable=false), made in the sandbox, and its CloudTrail record. */
async function disableDetector() {
  await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));
  await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
  const event = fixtureEvent('cloudtrail-guardduty-update-detector-disable.json');
  event.detail.eventID = newEventId();
  event.detail.requestParameters.detectorId = detectorId;
  return event;
}

async function startIn(mode: string, event: { source: string; 'detail-type': string; detail: unknown }) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const outputs = h.sandbox.deployment?.outputs ?? {};
  const stateMachineArn = Object.entries(outputs).find(([k]) => k.endsWith('ReenableGuardduty'))?.[1];
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'reenable-guardduty', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return { executionArn: started.executionArn as string, findingId: finding.id };
}

describe('reenable-guardduty, end to end through the sandbox', () => {
  it('a disabled detector is enabled again, nothing else changed, and undo refuses to disable it again', async () => {
    const event = await disableDetector();
    const before = await setup();
    expect(await status()).toBe('DISABLED');

    await h.put(event);

    expect(await status()).toBe('ENABLED');
    expect(await setup()).toEqual(before);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['UpdateDetector', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    const enabled = (await h.history(event.detail.eventID))[1];
    expect(JSON.parse(enabled?.before as string)).toMatchObject({ Status: 'DISABLED' });

    const executionArn = await playbookExecution(h, event.detail.eventID);
    const lines: string[] = [];
    const result = await runUndo(h, sts, executionArn, { output: lines });
    expect(result).toMatchObject({ outcome: 'refused', plan: { code: 'not-undoable' } });
    expect(lines.join('\n')).toMatch(/disabling it again is not a remediation/);
    expect(await status()).toBe('ENABLED');
  });

  it('a dry run records the plan and leaves the detector disabled', async () => {
    const event = await disableDetector();

    const { executionArn, findingId } = await startIn('dry-run', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await status()).toBe('DISABLED');
    expect(await steps(findingId)).toEqual([['Plan', 'planned']]);
  });

  it('in approve mode waits for on-call, then enables it', async () => {
    const event = await disableDetector();

    const { executionArn, findingId } = await startIn('approve', event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, findingId));
    expect(await status()).toBe('DISABLED');
    await oncall.decide(notice.approvalId, 'approve', 'not ours');
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await status()).toBe('ENABLED');
  });

  it('a detector someone already enabled again is recorded as such and not touched', async () => {
    const event = await disableDetector();
    await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['UpdateDetector', 'skipped'],
    ]);
    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.operation === 'UpdateDetector')).toEqual(
      [],
    );
  });

  it('a refused UpdateDetector (errorCode) changes nothing', async () => {
    const event = await disableDetector();
    event.detail.errorCode = 'AccessDeniedException';
    event.detail.errorMessage = 'User is not authorized to perform: guardduty:UpdateDetector';
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.service === 'guardduty')).toEqual([]);
    expect(await status()).toBe('DISABLED');
  });

  it('an UpdateDetector that leaves it enabled starts no playbook', async () => {
    const event = await disableDetector();
    await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));
    event.detail.requestParameters = { detectorId, findingPublishingFrequency: 'ONE_HOUR' };
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.service === 'guardduty')).toEqual([]);
  });

  it('Security Hub GuardDuty.1 on a Region whose detector is suspended: enabled again once approved, never a second detector', async () => {
    await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: false }));
    const before = await setup();
    const { event, id } = guardDutyDot1Finding('0000000000a1');

    await h.put(event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, id));
    expect(await status()).toBe('DISABLED');
    await oncall.decide(notice.approvalId, 'approve', 'GuardDuty must be on');
    await waitFor('the run to end', async () =>
      (await steps(id)).at(-1)?.[0] === 'Complete' ? true : undefined,
    );

    expect(await status()).toBe('ENABLED');
    expect(await setup()).toEqual(before);
    expect((await guardduty().send(new ListDetectorsCommand({}))).DetectorIds).toEqual([detectorId]);
    expect(h.sandbox.server.calls.filter((c) => c.operation === 'CreateDetector')).toHaveLength(1);
    expect((await steps(id)).slice(-3)).toEqual([
      ['UpdateDetector', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
  });

  it('Security Hub GuardDuty.1 on a Region already enabled is recorded as such and changes nothing', async () => {
    await guardduty().send(new UpdateDetectorCommand({ DetectorId: detectorId, Enable: true }));
    const { event } = guardDutyDot1Finding('0000000000a2');
    const callsBefore = h.sandbox.server.calls.length;

    const { executionArn, findingId } = await startIn('auto', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await steps(findingId)).toEqual([['UpdateDetector', 'skipped']]);
    const called = h.sandbox.server.calls.slice(callsBefore).map((c) => c.operation);
    expect(called.filter((op) => op === 'UpdateDetector' || op === 'CreateDetector')).toEqual([]);
  });
});
