import {
  CreateDetectorCommand,
  CreateIPSetCommand,
  GetDetectorCommand,
  GetIPSetCommand,
  UpdateIPSetCommand,
} from '@aws-sdk/client-guardduty';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { undo } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
let detectorId: string;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-lists'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  detectorId = (await guardduty().send(new CreateDetectorCommand({ Enable: true }))).DetectorId as string;
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

const guardduty = () => h.sandbox.clients.guardduty;
let serial = 0;
const newEventId = () => `1e000000-0000-4000-8000-${String(++serial).padStart(12, '0')}`;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);
const list = async (ipSetId: string) => {
  const { $metadata: _, ...read } = await guardduty().send(
    new GetIPSetCommand({ DetectorId: detectorId, IpSetId: ipSetId }),
  );
  return read;
};
async function executionOf(findingId: string): Promise<string> {
  const arn = (await h.history(findingId)).find((r) => r.actor.startsWith('playbook/'))?.executionArn;
  if (!arn) throw new Error(`no playbook execution recorded for ${findingId}`);
  return arn;
}

/** The attacker's CreateIPSet, made in the sandbox, and its CloudTrail record (the id only in the response). */
async function createList() {
  const location = `https://s3.amazonaws.com/ops-lists-111122223333/trusted-${serial + 1}.txt`;
  const { IpSetId } = await guardduty().send(
    new CreateIPSetCommand({
      DetectorId: detectorId,
      Name: 'trusted-ops',
      Format: 'TXT',
      Location: location,
      Activate: true,
    }),
  );
  const event = fixtureEvent('cloudtrail-guardduty-create-ipset.json');
  event.detail.eventID = newEventId();
  event.detail.requestParameters = { ...event.detail.requestParameters, detectorId, location };
  event.detail.responseElements = { ipSetId: IpSetId };
  return { event, ipSetId: IpSetId as string };
}

async function startIn(mode: string, event: { source: string; 'detail-type': string; detail: unknown }) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const outputs = h.sandbox.deployment?.outputs ?? {};
  const stateMachineArn = Object.entries(outputs).find(([k]) => k.endsWith('DeactivateTrustedIpList'))?.[1];
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'deactivate-trusted-ip-list', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return { executionArn: started.executionArn as string, findingId: finding.id };
}

describe('deactivate-trusted-ip-list, end to end through the sandbox', () => {
  it('a new trusted list waits for approval, is deactivated with nothing else changed, and undo activates it again', async () => {
    const { event, ipSetId } = await createList();
    const before = await list(ipSetId);
    expect(before.Status).toBe('ACTIVE');

    await h.put(event);
    expect((await list(ipSetId)).Status).toBe('ACTIVE');
    const notice = await waitFor('the approval request', () => approvalNotice(h, event.detail.eventID));
    await oncall.decide(notice.approvalId, 'approve', 'not a list of ours');
    await executionEnded(h, await executionOf(event.detail.eventID));

    expect(await list(ipSetId)).toEqual({ ...before, Status: 'INACTIVE' });
    expect((await guardduty().send(new GetDetectorCommand({ DetectorId: detectorId }))).Status).toBe(
      'ENABLED',
    );
    expect((await steps(event.detail.eventID)).slice(-3)).toEqual([
      ['UpdateIPSet', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    const started = await undo(
      await executionOf(event.detail.eventID),
      {
        stateMachine: h.sandbox.deployment?.outputs.UndoStateMachineArn as string,
        pollMs: 50,
        timeoutMs: 20_000,
      },
      { sfn: h.sandbox.clients.sfn, sts },
      { log: () => {}, error: () => {} },
    );
    expect(started).toMatchObject({ outcome: 'pending', plan: { outcome: 'planned' } });
    const undoNotice = await waitFor('the undo approval', () =>
      h.sandbox.services.sns.published.find(
        (m) =>
          m.message.includes(`Finding id: ${event.detail.eventID}`) &&
          (m.subject ?? '').includes('undo: approval required'),
      ),
    );
    await oncall.decide(
      /approval (apr-[0-9a-f]{16})/i.exec(undoNotice.message)?.[1] as string,
      'approve',
      'test',
    );
    expect((await executionEnded(h, started.undoExecutionArn)).status).toBe('SUCCEEDED');

    expect(await list(ipSetId)).toEqual(before);
  });

  it('a dry run records the plan and leaves the list active', async () => {
    const { event, ipSetId } = await createList();

    const { executionArn, findingId } = await startIn('dry-run', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect((await list(ipSetId)).Status).toBe('ACTIVE');
    expect(await steps(findingId)).toEqual([['Plan', 'planned']]);
  });

  it('a list already inactive is recorded as such and not touched', async () => {
    const { event, ipSetId } = await createList();
    await guardduty().send(
      new UpdateIPSetCommand({ DetectorId: detectorId, IpSetId: ipSetId, Activate: false }),
    );
    const callsBefore = h.sandbox.server.calls.length;

    const { executionArn, findingId } = await startIn('auto', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await steps(findingId)).toEqual([['UpdateIPSet', 'skipped']]);
    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.operation === 'UpdateIPSet')).toEqual(
      [],
    );
  });

  it('a refused CreateIPSet (errorCode) changes nothing', async () => {
    const { event, ipSetId } = await createList();
    event.detail.errorCode = 'AccessDeniedException';
    event.detail.errorMessage = 'User is not authorized to perform: guardduty:CreateIPSet';
    event.detail.responseElements = null;
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(h.sandbox.server.calls.slice(callsBefore).filter((c) => c.service === 'guardduty')).toEqual([]);
    expect((await list(ipSetId)).Status).toBe('ACTIVE');
  });
});
