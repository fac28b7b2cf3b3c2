import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Sandbox } from '#sandbox/index.ts';
import { grantApprover } from '#sandbox/scenario/approver-policy.ts';
import { stampedNow } from '#sandbox/scenario/events.ts';
import { SANDBOX_ACCOUNT_ID } from '#sandbox/server.ts';
import { ApprovalsClient } from './approvals/client.ts';
import { printResponse } from './commands/approvals.ts';
import type { Output } from './commands/policy.ts';
import { DemoError, until } from './demo-story.ts';

const FIXTURE = path.resolve(
  import.meta.dirname,
  '../test/fixtures/events/guardduty-iam-credential-exfiltration.json',
);
const FINDING_ID = 'de5a0000000000000000000000000001';

export async function userWithKey(sandbox: Sandbox, userName: string) {
  await sandbox.clients.iam.send(new CreateUserCommand({ UserName: userName }));
  const out = await sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return {
    accessKeyId: out.AccessKey?.AccessKeyId as string,
    secretAccessKey: out.AccessKey?.SecretAccessKey as string,
  };
}

/** A user with a key and the IAM permissions `remediate approvals` needs. */
export async function approverWithKey(sandbox: Sandbox, userName: string) {
  const key = await userWithKey(sandbox, userName);
  await grantApprover(sandbox.clients, userName, SANDBOX_ACCOUNT_ID);
  return key;
}

/**
 * The approval part of the demo: an anomaly on dave's key routes to `approve`, the playbook
 * pauses at its gate and notifies with a signed link; the on-call engineer decides through the
 * `remediate approvals` code path (automatically, or at the prompt with `interactive`), and the
 * playbook moves on. Returns the decision.
 */
export async function demoApproval(
  sandbox: Sandbox,
  out: Output,
  interactive: boolean,
): Promise<'approve' | 'deny'> {
  const say = (line: string) => out.log(line);
  const dave = await userWithKey(sandbox, 'dave');
  const oncall = new ApprovalsClient({
    endpoint: sandbox.endpoint,
    credentials: await approverWithKey(sandbox, 'oncall-demo'),
  });
  const event = stampedNow(JSON.parse(readFileSync(FIXTURE, 'utf8')), new Date());
  event.detail.id = FINDING_ID;
  event.detail.type = 'Persistence:IAMUser/AnomalousBehavior';
  Object.assign(event.detail.resource.accessKeyDetails, { accessKeyId: dave.accessKeyId, userName: 'dave' });
  say(`Unusual behaviour of dave's key ${dave.accessKeyId}: the policy says approve.`);
  await sandbox.clients.events.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );
  const notice = await until(
    () => sandbox.services.sns.published.find((m) => m.message.includes(`Finding id: ${FINDING_ID}`)),
    "dave's approval request",
  );
  const id = /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string;
  say(`  The playbook waits for approval ${id}; the notification links the approval page.`);
  say(`  remediate approvals show ${id}  (as user oncall-demo, an approver by policy)`);
  try {
    const indented = {
      log: (l: unknown) => say(`    ${String(l)}`),
      error: (l: unknown) => say(`    ${String(l)}`),
    };
    const shownRequest = await oncall.show(id);
    if (!shownRequest.ok || !('approval' in shownRequest))
      throw new DemoError(`approval ${id} cannot be shown`);
    const request = shownRequest.approval;
    // Only what the approver decides on; its audit trail is told once, at the end of the demo.
    say(`    ${request.playbook} (rule ${request.ruleId}) on finding ${request.findingId}; if approved:`);
    for (const action of request.proposedActions) say(`      - ${action}`);
    say(`    If denied: ${request.ifDenied}`);
    let verdict: 'approve' | 'deny' = 'approve';
    let reason = 'demo: approved automatically (--interactive to decide)';
    if (interactive) {
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await prompt.question('Approve or deny? [a/d] ');
      verdict = answer.trim().toLowerCase().startsWith('d') ? 'deny' : 'approve';
      reason = (await prompt.question('Reason: ')).trim() || `demo: ${verdict} at the prompt`;
      prompt.close();
    }
    say(`  remediate approvals ${verdict} ${id} --reason "${reason}"`);
    const decided = await oncall.decide(id, verdict, reason);
    if (!decided.ok) throw new DemoError(`the approval was refused: ${decided.message}`);
    printResponse(decided, indented, false);
    const shown = await oncall.show(id);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    await until(async () => {
      const described = await sandbox.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described.status;
    }, "the end of dave's playbook");
    const keys = await sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: 'dave' }));
    say(`  dave's key is now ${keys.AccessKeyMetadata?.[0]?.Status}.`);
    return verdict;
  } finally {
    oncall.close();
  }
}
