import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { CreateServiceLinkedRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { startPlaybook } from './control-helpers.ts';
import { guardDutyDot1Finding } from './guardduty-control.ts';
import { type StackHarness, startStack } from './harness.ts';

// A stack of its own: the Region starts with no GuardDuty detector at all.
let h: StackHarness;
let oncall: ApprovalsClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-gd1'));
}, 120_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

const guardduty = () => h.sandbox.clients.guardduty;
const detectorIds = async () => (await guardduty().send(new ListDetectorsCommand({}))).DetectorIds ?? [];
const status = async (DetectorId: string) =>
  (await guardduty().send(new GetDetectorCommand({ DetectorId }))).Status;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** Put the finding on the bus and wait for its approval request. */
async function putAwaitingApproval(event: Parameters<StackHarness['put']>[0], id: string) {
  await h.put(event);
  return waitFor('the approval request', () => approvalNotice(h, id));
}

/** Whether the account has GuardDuty's service-linked role. */
const hasServiceRole = () =>
  h.sandbox.clients.iam.send(new GetRoleCommand({ RoleName: SERVICE_ROLE })).then(
    () => true,
    () => false,
  );
const SERVICE_ROLE = 'AWSServiceRoleForAmazonGuardDuty';

describe('reenable-guardduty for Security Hub GuardDuty.1, end to end through the sandbox', () => {
  // CreateDetector creates GuardDuty's service-linked role where it is missing, as its caller, who
  // must be allowed iam:CreateServiceLinkedRole; the playbook is not (it creates no roles).
  // https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html
  it('an account whose GuardDuty service-linked role is missing: the run stops with a person, naming the call, and creates nothing', async () => {
    expect(await hasServiceRole()).toBe(false);
    const { event, id } = guardDutyDot1Finding('0000000005l1');

    const ended = await executionEnded(h, await startPlaybook(h, 'reenable-guardduty', event, 'auto'));

    expect(ended).toMatchObject({ status: 'FAILED', error: 'NeedsHuman' });
    expect(await detectorIds()).toEqual([]);
    expect(await hasServiceRole()).toBe(false);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([['NeedsHuman', 'needs-human']]);
    expect(JSON.parse(trail[0]?.details as string)).toMatchObject({
      Error: 'GuardDuty.AccessDeniedException',
      Cause: expect.stringContaining('iam:CreateServiceLinkedRole'),
      stoppedAt: { step: 'Create detector', call: 'guardduty:CreateDetector' },
    });
  });

  it('a Region without GuardDuty gets one detector, enabled, only once on-call approves', async () => {
    // An account where GuardDuty ran before keeps its service-linked role; its admin made it here.
    await h.sandbox.clients.iam.send(
      new CreateServiceLinkedRoleCommand({ AWSServiceName: 'guardduty.amazonaws.com' }),
    );
    expect(await detectorIds()).toEqual([]);
    const first = guardDutyDot1Finding('000000000001');

    const notice = await putAwaitingApproval(first.event, first.id);
    // Nothing is created before the approval: creating a detector starts GuardDuty's billing.
    expect(await detectorIds()).toEqual([]);
    await oncall.decide(notice.approvalId, 'approve', 'GuardDuty must be on everywhere');
    await waitFor('the run to end', async () =>
      (await steps(first.id)).at(-1)?.[0] === 'Complete' ? true : undefined,
    );

    const [created, ...others] = await detectorIds();
    expect(others).toEqual([]);
    expect(await status(created as string)).toBe('ENABLED');
    const trail = await h.history(first.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'approved'],
      ['CreateDetector', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[3]?.before as string)).toEqual({ Status: 'NONE' });
    expect(JSON.parse(trail[3]?.after as string)).toEqual({ id: created });
  });
});
