import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Sandbox } from '#sandbox/index.ts';
import { grantApprover } from '#sandbox/scenario/approver-policy.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import { SANDBOX_ACCOUNT_ID } from '#sandbox/server.ts';
import { ApprovalsClient } from './approvals/client.ts';
import { printResponse } from './commands/approvals.ts';
import { table } from './table.ts';

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

export async function until<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the approval demo did not settle within 20 s');
}

/**
 * The approval part of the demo: an anomaly on dave's key routes to `approve`, the playbook
 * pauses at its gate and notifies with a signed link; the on-call engineer decides through the
 * `remediate approvals` code path (automatically, or at the prompt with `interactive`), and the
 * playbook moves on. Returns the decision.
 */
export async function demoApproval(
  sandbox: Sandbox,
  say: (line: string) => void,
  interactive: boolean,
): Promise<'approve' | 'deny'> {
  const dave = await userWithKey(sandbox, 'dave');
  const oncall = new ApprovalsClient({
    endpoint: sandbox.endpoint,
    credentials: await approverWithKey(sandbox, 'oncall-demo'),
  });
  const event = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  event.detail.id = FINDING_ID;
  event.detail.type = 'Persistence:IAMUser/AnomalousBehavior';
  Object.assign(event.detail.resource.accessKeyDetails, { accessKeyId: dave.accessKeyId, userName: 'dave' });
  say(`→ PutEvents: unusual behaviour of dave's key ${dave.accessKeyId} (policy: approve)`);
  await sandbox.clients.events.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );
  const notice = await until(() =>
    sandbox.services.sns.published.find((m) => m.message.includes(`Finding id: ${FINDING_ID}`)),
  );
  const id = /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string;
  say(
    `   the playbook waits for approval ${id}; the page: ${/approval page: (\S+)/.exec(notice.message)?.[1]}`,
  );
  try {
    printResponse(await oncall.show(id), console, false);
    let verdict: 'approve' | 'deny' = 'approve';
    let reason = 'demo: approved automatically (run with --interactive to decide)';
    if (interactive) {
      const prompt = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await prompt.question('Approve or deny? [a/d] ');
      verdict = answer.trim().toLowerCase().startsWith('d') ? 'deny' : 'approve';
      reason = (await prompt.question('Reason: ')).trim() || `demo: ${verdict} at the prompt`;
      prompt.close();
    }
    say(`   remediate approvals ${verdict} ${id} --reason "${reason}"  (as user oncall-demo)`);
    printResponse(await oncall.decide(id, verdict, reason), console, false);
    const shown = await oncall.show(id);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    await until(async () => {
      const out = await sandbox.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out.status;
    });
    const keys = await sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: 'dave' }));
    say(`   dave's key is now ${keys.AccessKeyMetadata?.[0]?.Status}`);
    const table_ = sandbox.deployment?.outputs.AuditTableName as string;
    const records = await findingHistory(sandbox.clients.dynamodb, table_, FINDING_ID);
    console.log(`\naudit trail of the approval (finding ${FINDING_ID}):`);
    console.log(
      table(
        ['at', 'actor', 'action', 'outcome'],
        records.map((r) => [r.at, r.actor, r.action, r.outcome]),
      ),
    );
    return verdict;
  } finally {
    oncall.close();
  }
}
