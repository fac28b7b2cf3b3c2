import { STSClient } from '@aws-sdk/client-sts';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import type { UndoResult } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import {
  anomalyFinding,
  approvalNotice,
  approverWithKey,
  cliAs,
  putAndAwaitApproval,
  userWithKey,
} from './approval-helpers.ts';
import { leakedKeyFinding, type StackHarness } from './harness.ts';
import { approveUndo } from './undo-helpers.ts';

/** The finding ids of the small trail {@link produceTrail} leaves behind. */
export const TRAIL = {
  contained: ['5e9047000000000000000000000000c1', '5e9047000000000000000000000000c2'],
  approved: '5e9047000000000000000000000000a1',
  denied: '5e9047000000000000000000000000d1',
  needsHuman: '5e9047000000000000000000000000f1',
} as const;

/**
 * Drive the deployed stack through what a month of operation leaves in the trail, in miniature:
 * two leaked keys contained at once (`auto`), an anomaly approved and contained, one denied, the
 * first containment undone (approved by on-call), and a containment that stops in needs-human
 * because IAM refuses PutUserPolicy (an injected AccessDenied).
 */
export async function produceTrail(h: StackHarness): Promise<{ oncall: ApprovalsClient }> {
  const oncall = cliAs(h, await approverWithKey(h, 'oncall-rita'));
  for (const [i, id] of TRAIL.contained.entries()) {
    const user = await userWithKey(h, `leaked-${i}`);
    await h.put(leakedKeyFinding(user.accessKeyId, user.userName, id));
  }
  const approvedUser = await userWithKey(h, 'anomaly-approved');
  const approval = await putAndAwaitApproval(
    h,
    anomalyFinding(approvedUser.accessKeyId, approvedUser.userName, TRAIL.approved),
  );
  await oncall.decide(approval.approvalId, 'approve', 'not her');
  const deniedUser = await userWithKey(h, 'anomaly-denied');
  const denial = await putAndAwaitApproval(
    h,
    anomalyFinding(deniedUser.accessKeyId, deniedUser.userName, TRAIL.denied),
  );
  await oncall.decide(denial.approvalId, 'deny', 'pentest');
  await h.sandbox.idle();

  const stuck = await userWithKey(h, 'stuck');
  h.sandbox.server.faults.add({
    service: 'iam',
    operation: 'PutUserPolicy',
    code: 'AccessDenied',
    // IAM's refusal in its own words (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
    message: `User: arn:aws:sts::111122223333:assumed-role/playbook/run is not authorized to perform: iam:PutUserPolicy on resource: user ${stuck.userName} because no identity-based policy allows the iam:PutUserPolicy action`,
  });
  try {
    await h.put(leakedKeyFinding(stuck.accessKeyId, stuck.userName, TRAIL.needsHuman));
  } finally {
    h.sandbox.server.faults.clear();
  }

  await undoContainment(h, oncall, TRAIL.contained[0]);
  await h.sandbox.idle();
  return { oncall };
}

/** `remediate undo` of the finding's containment, approved by on-call, until the undo ended. */
async function undoContainment(
  h: StackHarness,
  oncall: ApprovalsClient,
  findingId: string,
): Promise<UndoResult> {
  const sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  try {
    return (await approveUndo(h, { oncall, sts }, findingId, { reason: 'false positive' })).started;
  } finally {
    sts.destroy();
  }
}

export { approvalNotice };
