import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { ApprovalsClient } from '#cli/approvals/client.ts';
import { grantApprover } from '#sandbox/scenario/approver-policy.ts';
import type { PublishedMessage } from '#sandbox/services/sns.ts';
import { leakedKeyFinding, type StackHarness } from './harness.ts';

/** Poll `probe` until it returns a value; fail with `what` after 20 s. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An IAM user with one active key, created through the real SDK. */
export async function userWithKey(h: StackHarness, userName: string) {
  await h.sandbox.clients.iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await h.sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return {
    userName,
    arn: `arn:aws:iam::111122223333:user/${userName}`,
    accessKeyId: key.AccessKey?.AccessKeyId as string,
    secretAccessKey: key.AccessKey?.SecretAccessKey as string,
  };
}

/** A user with a key and the IAM permissions `remediate approvals` needs (see `approverPolicy`). */
export async function approverWithKey(h: StackHarness, userName: string) {
  const user = await userWithKey(h, userName);
  await grantApprover(h.sandbox.clients, userName, '111122223333');
  return user;
}

/** The status of each of a user's keys. */
export async function keyStatuses(h: StackHarness, userName: string): Promise<Record<string, string>> {
  const out = await h.sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((out.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
}

/** The `remediate approvals` client as a person holding these credentials would run it. */
export function cliAs(
  h: StackHarness,
  user: { accessKeyId: string; secretAccessKey: string },
): ApprovalsClient {
  const { accessKeyId, secretAccessKey } = user;
  return new ApprovalsClient({ endpoint: h.sandbox.endpoint, credentials: { accessKeyId, secretAccessKey } });
}

/** A GuardDuty finding the default policy routes to `approve` (an anomaly, not a known-bad use). */
export function anomalyFinding(accessKeyId: string, userName: string, findingId: string) {
  const event = leakedKeyFinding(accessKeyId, userName, findingId);
  event.detail.type = 'Persistence:IAMUser/AnomalousBehavior';
  return event;
}

/** What the approval notification of one finding says. */
export interface ApprovalNotice {
  message: PublishedMessage;
  approvalId: string;
  link: string;
}

/** Find the approval notification (or escalation, with `escalated`) of a finding. */
export function approvalNotice(
  h: StackHarness,
  findingId: string,
  escalated = false,
): ApprovalNotice | undefined {
  const message = h.sandbox.services.sns.published.find(
    (m) =>
      m.message.includes(`Finding id: ${findingId}`) &&
      (m.subject ?? '').includes(escalated ? 'ESCALATED' : ': approval required'),
  );
  if (!message) return undefined;
  const approvalId = /approval (apr-[0-9a-f]{16})/i.exec(message.message)?.[1] as string;
  const link = /approval page: (\S+)/.exec(message.message)?.[1] as string;
  return { message, approvalId, link };
}

/** Put a finding on the bus and wait until its playbook asks for approval. */
export async function putAndAwaitApproval(
  h: StackHarness,
  event: ReturnType<typeof anomalyFinding>,
): Promise<ApprovalNotice> {
  await h.sandbox.clients.events.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );
  return waitFor(`the approval request of ${event.detail.id}`, () => approvalNotice(h, event.detail.id));
}

/** Status and output of an execution. */
export async function execution(h: StackHarness, executionArn: string) {
  return h.sandbox.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** Wait until an execution has ended. */
export function executionEnded(h: StackHarness, executionArn: string) {
  return waitFor(`${executionArn} to end`, async () => {
    const described = await execution(h, executionArn);
    return described.status === 'RUNNING' ? undefined : described;
  });
}

/** The task token the gate's wait was given, read from the execution history (what AWS records too). */
export async function gateToken(h: StackHarness, executionArn: string): Promise<string> {
  const history = await h.sandbox.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  const scheduled = history.events?.find(
    (e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource === 'invoke.waitForTaskToken',
  );
  return JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '{}').Payload.token;
}
