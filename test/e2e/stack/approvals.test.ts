import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { signIdentityProof } from '#cli/approvals/identity-proof.ts';
import { printResponse } from '#cli/commands/approvals.ts';
import { fetchNotifications, printNotifications } from '#cli/commands/notifications.ts';
import { CLI_SOURCE } from '#functions/approval-decision/cli-actions.ts';
import { NOTIFICATIONS_PATH, NotificationsRoute } from '#sandbox/scenario/notifications.ts';
import { APPROVAL_HEADER } from '#shared/approvals/identity-proof.ts';
import { deriveApprovalKeys } from '#shared/approvals/keys.ts';
import { type ApprovalLink, linkUrl, readLink, signLink } from '#shared/approvals/link.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { recordOutput } from '../../unit/cli/run-cli.ts';
import {
  anomalyFinding,
  approvalNotice,
  approverWithKey,
  cliAs,
  execution,
  executionEnded,
  gateToken,
  keyStatuses,
  putAndAwaitApproval,
  userWithKey,
} from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let oncallKeys: { accessKeyId: string; secretAccessKey: string };
let intern: ApprovalsClient;
beforeAll(async () => {
  h = await startStack();
  // The default policy lets `user/oncall-*` decide; anyone else is refused.
  oncallKeys = await approverWithKey(h, 'oncall-ana');
  oncall = cliAs(h, oncallKeys);
  intern = cliAs(h, await approverWithKey(h, 'intern-ivan'));
}, 120_000);
afterAll(async () => {
  oncall?.close();
  intern?.close();
  await h?.stop();
});

/** Send a request to the decision function as the CLI does, with whatever proof it carries. */
async function invokeDecision(request: Record<string, unknown>): Promise<unknown> {
  const decision = h.sandbox.deployment?.functions.find((f) => /ApprovalsDecision/.test(f.name));
  const lambda = new LambdaClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: oncallKeys,
  });
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: decision?.name,
      Payload: new TextEncoder().encode(JSON.stringify({ source: CLI_SOURCE, ...request })),
    }),
  );
  lambda.destroy();
  return JSON.parse(new TextDecoder().decode(out.Payload));
}

const trailOf = async (findingId: string) =>
  (await h.history(findingId)).map((r) => [r.actor, r.action, r.outcome]);

describe('approval gate, end to end through the sandbox', () => {
  it('pauses at the gate; approved through the CLI, the containment runs with the approver recorded', async () => {
    const carol = await userWithKey(h, 'carol');
    const event = anomalyFinding(carol.accessKeyId, 'carol', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0001');

    const notice = await putAndAwaitApproval(h, event);

    expect(await keyStatuses(h, 'carol')).toEqual({ [carol.accessKeyId]: 'Active' });
    const listed = await oncall.list();
    expect(listed).toMatchObject({
      ok: true,
      approvals: expect.arrayContaining([
        expect.objectContaining({ id: notice.approvalId, effectiveStatus: 'pending' }),
      ]),
    });

    const decided = await oncall.decide(notice.approvalId, 'approve', 'confirmed with carol: not her');
    expect(decided).toMatchObject({
      ok: true,
      decided: 'approved',
      approver: 'arn:aws:iam::111122223333:user/oncall-ana',
    });
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await keyStatuses(h, 'carol')).toEqual({ [carol.accessKeyId]: 'Inactive' });
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/disable-access-key', 'RequestApproval', 'approval-required'],
      ['arn:aws:iam::111122223333:user/oncall-ana', 'DecideApproval', 'approved'],
      ['playbook/disable-access-key', 'UpdateAccessKey', 'succeeded'],
      ['playbook/disable-access-key', 'PutUserPolicy', 'succeeded'],
      ['playbook/disable-access-key', 'TagUser', 'succeeded'],
      ['playbook/disable-access-key', 'Complete', 'contained'],
    ]);
    expect(trail[2]?.reason).toBe('confirmed with carol: not her');
  });

  it('the notification, as `remediate notifications` shows it, says what, why, the risk and the deadline', async () => {
    h.sandbox.server.registerPath(NOTIFICATIONS_PATH, new NotificationsRoute(h.sandbox.services.sns));
    const dina = await userWithKey(h, 'dina');
    const event = anomalyFinding(dina.accessKeyId, 'dina', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0e01');
    const firstSeen = new Date(Date.now() - 12 * 60_000).toISOString();
    event.detail.service.eventFirstSeen = firstSeen;
    event.detail.title = 'Unusual API calls\nDecide on the approval page: https://evil.example/';

    const notice = await putAndAwaitApproval(h, event);
    const shown = recordOutput();
    printNotifications(await fetchNotifications(h.sandbox.endpoint), shown, false);

    const lines = shown.out;
    const first = lines.findIndex((l) => l.includes(`Finding id: ${event.detail.id}`));
    // Its header: the line before it that is not part of a message (messages are indented).
    const start = lines.slice(0, first).findLastIndex((l) => l !== '' && !l.startsWith('    '));
    const message = lines.slice(start, first + 1);
    expect(message[0]).toMatch(/ \[High\] disable-access-key: approval required$/);
    expect(message[1]).toBe(`    Decide on the approval page: ${notice.link}`);
    expect(message.slice(4, 9)).toEqual([
      `    Disable access key ${dina.accessKeyId} of IAM user dina?`,
      expect.stringMatching(
        /^ {4}Why: High \(8\) · Unusual API calls Decide on the approval page: https:\/\/evil\.example\/ \(Persistence:IAMUser\/AnomalousBehavior\), first seen 12 min ago \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\. Policy: rule guardduty-iam-user-anomalies: /,
      ),
      '    Risk:',
      '      This key has not been used since IAM began tracking its use.',
      expect.stringMatching(/^ {4}Deadline: in (59 min|1 h) \(.* UTC\); then it is escalated\.$/),
    ]);
    expect(message.filter((l) => l.trimStart().startsWith('Decide on the approval page:'))).toHaveLength(1);
    await oncall.decide(notice.approvalId, 'deny', 'only reading the notification');
  });

  it("an instance's notification names its Auto Scaling group, the target group it serves and its role", async () => {
    h.sandbox.server.registerPath(NOTIFICATIONS_PATH, new NotificationsRoute(h.sandbox.services.sns));
    // Medium: the default policy asks a person before quarantining (guardduty-ec2-suspected-compromise).
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0e02';
    event.detail.severity = 5;
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;

    const notice = await putAndAwaitApproval(h, event as ReturnType<typeof anomalyFinding>);
    const shown = recordOutput();
    printNotifications(await fetchNotifications(h.sandbox.endpoint), shown, false);

    const lines = shown.out;
    const first = lines.findIndex((l) => l.includes(`Finding id: ${event.detail.id}`));
    const start = lines.slice(0, first).findLastIndex((l) => l !== '' && !l.startsWith('    '));
    const message = lines.slice(start, first + 1);
    expect(message[0]).toMatch(/ \[Medium\] quarantine-instance: approval required$/);
    const risk = message.slice(
      message.indexOf('    Risk:') + 1,
      message.findIndex((l) => l.startsWith('    Deadline:')),
    );
    expect(risk).toEqual([
      expect.stringMatching(/^ {6}Named "web-1", running, launched .+\.$/),
      `      In Auto Scaling group ${h.account.autoScalingGroup}: it leaves the group, which launches a replacement (desired capacity unchanged).`,
      `      Its role ${h.account.instanceRole.roleName} (profile ${h.account.instanceRole.instanceProfileName}) loses its sessions; anything on it that calls AWS stops.`,
      expect.stringMatching(
        /^ {6}Serves target group web \(port 443, \w+\): deregistered, it stops receiving requests\.$/,
      ),
    ]);
    await oncall.decide(notice.approvalId, 'deny', 'only reading the notification');
  });

  it('refuses a second decision with a clear message and changes nothing', async () => {
    const dora = await userWithKey(h, 'dora');
    const event = anomalyFinding(dora.accessKeyId, 'dora', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0002');
    const notice = await putAndAwaitApproval(h, event);
    await oncall.decide(notice.approvalId, 'approve', 'first');
    const answersBefore = h.sandbox.server.calls.filter((c) => c.operation.startsWith('SendTask')).length;

    const second = await oncall.decide(notice.approvalId, 'deny', 'second thoughts');

    expect(second).toMatchObject({ ok: false, problem: 'already-decided' });
    const out = recordOutput();
    expect(printResponse(second, out, false)).toBe(1);
    expect(out.err.join('\n')).toMatch(
      /already approved by arn:aws:iam::111122223333:user\/oncall-ana.*nothing changed/,
    );
    expect(h.sandbox.server.calls.filter((c) => c.operation.startsWith('SendTask')).length).toBe(
      answersBefore,
    );
    await h.sandbox.idle();
    expect((await trailOf(event.detail.id)).filter(([, action]) => action === 'DecideApproval')).toHaveLength(
      1,
    );
  });

  it('refuses (and audits) an approver the policy does not list; a deny then ends the playbook with no mutation', async () => {
    const eve = await userWithKey(h, 'eve');
    const event = anomalyFinding(eve.accessKeyId, 'eve', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0003');
    const notice = await putAndAwaitApproval(h, event);

    const refused = await intern.decide(notice.approvalId, 'approve', 'looks fine to me');
    const denied = await oncall.decide(notice.approvalId, 'deny', 'eve is on a pentest');

    expect(refused).toMatchObject({ ok: false, problem: 'refused' });
    expect(denied).toMatchObject({ ok: true, decided: 'denied' });
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    const ended = await executionEnded(h, executionArn);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output as string)).toMatchObject({
      outcome: 'denied',
      findingId: event.detail.id,
    });
    expect(await keyStatuses(h, 'eve')).toEqual({ [eve.accessKeyId]: 'Active' });
    const policies = await h.sandbox.clients.iam.send(new ListUserPoliciesCommand({ UserName: 'eve' }));
    expect(policies.PolicyNames).toEqual([]);
    expect(await trailOf(event.detail.id)).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/disable-access-key', 'RequestApproval', 'approval-required'],
      ['arn:aws:iam::111122223333:user/intern-ivan', 'DecideApproval', 'refused'],
      ['arn:aws:iam::111122223333:user/oncall-ana', 'DecideApproval', 'denied'],
    ]);
  });

  it('a forged or altered identity proof is refused by STS itself: the approval stays pending, the key Active', async () => {
    const kim = await userWithKey(h, 'kim');
    const event = anomalyFinding(kim.accessKeyId, 'kim', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0009');
    const notice = await putAndAwaitApproval(h, event);
    const ana = h.sandbox.services.iam.user('111122223333', 'oncall-ana')?.accessKeyIds[0] as string;
    // Ana signed a proof to deny; its signed purpose header is changed to approve after signing,
    // so the decision function's own check (signed header = purpose) passes and only STS can tell.
    const signedToDeny = await signIdentityProof({
      purpose: `${notice.approvalId}:deny`,
      region: 'us-east-1',
      credentials: oncallKeys,
      endpoint: h.sandbox.endpoint,
    });
    const altered = {
      ...signedToDeny,
      headers: { ...signedToDeny.headers, [APPROVAL_HEADER]: `${notice.approvalId}:approve` },
    };
    // Someone who knows Ana's key id but not her secret.
    const forged = await signIdentityProof({
      purpose: `${notice.approvalId}:approve`,
      region: 'us-east-1',
      credentials: { accessKeyId: ana, secretAccessKey: 'guessed-secret' },
      endpoint: h.sandbox.endpoint,
    });

    const answers = [];
    for (const proof of [altered, forged]) {
      answers.push(
        await invokeDecision({
          action: 'decide',
          id: notice.approvalId,
          verdict: 'approve',
          reason: 'x',
          proof,
        }),
      );
    }

    expect(answers).toEqual([
      {
        ok: false,
        problem: 'unauthenticated',
        message: 'STS did not accept the proof: SignatureDoesNotMatch',
      },
      {
        ok: false,
        problem: 'unauthenticated',
        message: 'STS did not accept the proof: SignatureDoesNotMatch',
      },
    ]);
    const stsAnswers = h.sandbox.server.calls.filter((c) => c.operation === 'GetCallerIdentity').slice(-2);
    expect(stsAnswers.map((c) => c.status)).toEqual([403, 403]);
    expect(await oncall.show(notice.approvalId)).toMatchObject({
      ok: true,
      approval: { id: notice.approvalId, effectiveStatus: 'pending' },
    });
    expect(await keyStatuses(h, 'kim')).toEqual({ [kim.accessKeyId]: 'Active' });
    expect((await trailOf(event.detail.id)).map(([, action]) => action)).not.toContain('DecideApproval');
  });

  it('on timeout escalates to the escalation topic, waits again, then applies the rule default', async () => {
    const [fay, gus] = [await userWithKey(h, 'fay'), await userWithKey(h, 'gus')];
    const stateMachineArn = h.sandbox.deployment?.outputs.StateMachineDisableAccessKey as string;
    // Started as classify starts it, with a two-second wait so the test takes seconds, not hours.
    const start = async (user: typeof fay, id: string, onTimeout: 'proceed' | 'abandon') => {
      const normalized = normalizeEvent(anomalyFinding(user.accessKeyId, user.userName, id));
      if (!normalized.ok) throw normalized.error;
      const finding = normalized.findings[0]!;
      const input = {
        finding,
        decision: {
          playbook: 'disable-access-key',
          mode: 'approve',
          ruleId: 'test-timeout',
          reason: 'test',
          approval: { timeoutMinutes: 1, timeoutSeconds: 2, onTimeout },
        },
        audit: { pk: findingKey(id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      };
      const started = await h.sandbox.clients.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: `timeout-${id}`, input: JSON.stringify(input) }),
      );
      return started.executionArn as string;
    };

    const [proceeding, abandoned] = await Promise.all([
      start(fay, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0004', 'proceed'),
      start(gus, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0005', 'abandon'),
    ]);
    await Promise.all([executionEnded(h, proceeding), executionEnded(h, abandoned)]);

    const gate = [
      ['playbook/disable-access-key', 'RequestApproval', 'approval-required'],
      ['playbook/disable-access-key', 'ApprovalTimeout', 'timed-out'],
      ['playbook/disable-access-key', 'EscalateApproval', 'escalated'],
      ['playbook/disable-access-key', 'EscalationTimeout', 'timed-out'],
      ['playbook/disable-access-key', 'ApprovalDefault', 'defaulted'],
    ];
    expect(await trailOf('aaaaaaaaaaaaaaaaaaaaaaaaaaaa0004')).toEqual([
      ...gate,
      ['playbook/disable-access-key', 'UpdateAccessKey', 'succeeded'],
      ['playbook/disable-access-key', 'PutUserPolicy', 'succeeded'],
      ['playbook/disable-access-key', 'TagUser', 'succeeded'],
      ['playbook/disable-access-key', 'Complete', 'contained'],
    ]);
    expect(await keyStatuses(h, 'fay')).toEqual({ [fay.accessKeyId]: 'Inactive' });
    expect(await trailOf('aaaaaaaaaaaaaaaaaaaaaaaaaaaa0005')).toEqual(gate);
    expect(await keyStatuses(h, 'gus')).toEqual({ [gus.accessKeyId]: 'Active' });
    const escalation = approvalNotice(h, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0005', true);
    const first = approvalNotice(h, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0005');
    expect(escalation?.message.topicArn).toMatch(/ApprovalsEscalations/);
    expect(escalation?.message.topicArn).not.toBe(first?.message.topicArn);
    const late = await oncall.decide(escalation?.approvalId as string, 'approve', 'too late');
    expect(late).toMatchObject({ ok: false, problem: 'expired' });
    expect((await execution(h, abandoned)).status).toBe('SUCCEEDED');
  });

  it('refuses a wait answered with the task token from the execution history: the key stays Active, the run needs a human', async () => {
    const ida = await userWithKey(h, 'ida');
    const event = anomalyFinding(ida.accessKeyId, 'ida', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0007');
    const notice = await putAndAwaitApproval(h, event);
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    // What an attacker with states:GetExecutionHistory and states:SendTaskSuccess can do.
    const token = await gateToken(h, executionArn);

    await h.sandbox.clients.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: token,
        output: JSON.stringify({
          decision: 'approved',
          approver: 'arn:aws:iam::111122223333:user/oncall-ana',
        }),
      }),
    );

    const ended = await executionEnded(h, executionArn);
    expect([ended.status, ended.error]).toEqual(['FAILED', 'NeedsHuman']);
    expect(await keyStatuses(h, 'ida')).toEqual({ [ida.accessKeyId]: 'Active' });
    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/disable-access-key', 'RequestApproval', 'approval-required'],
      ['playbook/disable-access-key', 'VerifyApproval', 'refused'],
      ['playbook/disable-access-key', 'NeedsHuman', 'needs-human'],
    ]);
    expect(trail[2]?.details).toContain(`${notice.approvalId} is pending`);
    expect(JSON.stringify(trail)).not.toContain(token);
    expect(await oncall.show(notice.approvalId)).toMatchObject({
      ok: true,
      approval: { status: 'pending' },
    });
  });

  it('refuses a denial sent with the task token from the execution history: the run needs a human, not "denied"', async () => {
    const jon = await userWithKey(h, 'jon');
    const event = anomalyFinding(jon.accessKeyId, 'jon', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0008');
    const notice = await putAndAwaitApproval(h, event);
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';

    await h.sandbox.clients.sfn.send(
      new SendTaskFailureCommand({
        taskToken: await gateToken(h, executionArn),
        error: 'Remediation.ApprovalDenied',
        cause: JSON.stringify({ approver: 'someone', reason: 'stop the containment' }),
      }),
    );

    const ended = await executionEnded(h, executionArn);
    expect([ended.status, ended.error]).toEqual(['FAILED', 'NeedsHuman']);
    expect(await keyStatuses(h, 'jon')).toEqual({ [jon.accessKeyId]: 'Active' });
    expect(await trailOf(event.detail.id)).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/disable-access-key', 'RequestApproval', 'approval-required'],
      ['playbook/disable-access-key', 'VerifyApproval', 'refused'],
      ['playbook/disable-access-key', 'NeedsHuman', 'needs-human'],
    ]);
  });

  it('refuses forged, expired and replayed links and changes nothing; the raw token is nowhere but in the wait', async () => {
    const hal = await userWithKey(h, 'hal');
    const event = anomalyFinding(hal.accessKeyId, 'hal', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa0006');
    const notice = await putAndAwaitApproval(h, event);
    const shown = await oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    const answers = () => h.sandbox.server.calls.filter((c) => c.operation.startsWith('SendTask')).length;
    const answersBefore = answers();
    const secretArn = h.sandbox.deployment?.resources.get(
      [...(h.sandbox.deployment?.resources.keys() ?? [])].find((id) =>
        id.startsWith('ApprovalsLinkSecret'),
      ) as string,
    )?.arn as string;
    const keys = deriveApprovalKeys(h.sandbox.services.secretsManager.secretValue('111122223333', secretArn));
    const link = readLink(Object.fromEntries(new URL(notice.link).searchParams)) as ApprovalLink;
    const forged = linkUrl(notice.link, { ...link, e: String(Number(link.e) + 86_400) });
    const expired = linkUrl(notice.link, signLink(keys, link.a, link.n, new Date(Date.now() - 1000)));

    const forgedPage = await fetch(forged);
    const expiredPage = await fetch(expired);
    const page = await fetch(notice.link);
    const form = formOf(await page.text());
    const forgedPost = await post(notice.link, {
      ...form,
      s: link.s.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      decision: 'approve',
    });
    const noCsrf = await post(notice.link, { ...form, csrf: '1.x', decision: 'approve' });

    expect([forgedPage.status, await forgedPage.text()]).toEqual([
      403,
      expect.stringContaining('This link is not valid'),
    ]);
    expect([expiredPage.status, await expiredPage.text()]).toEqual([
      410,
      expect.stringContaining('This link has expired'),
    ]);
    expect([forgedPost.status, noCsrf.status]).toEqual([403, 403]);
    expect(answers()).toBe(answersBefore);
    expect((await execution(h, executionArn)).status).toBe('RUNNING');

    const approved = await post(notice.link, { ...form, reason: 'checked', decision: 'approve' });
    const replayed = await post(notice.link, { ...form, reason: 'again', decision: 'deny' });
    const reopened = await fetch(notice.link);

    expect([approved.status, await approved.text()]).toEqual([
      200,
      expect.stringContaining('<h1>Approved</h1>'),
    ]);
    expect([replayed.status, await replayed.text()]).toEqual([
      409,
      expect.stringContaining('Already decided'),
    ]);
    expect([reopened.status, await reopened.text()]).toEqual([
      409,
      expect.stringContaining('Already decided'),
    ]);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(answers()).toBe(answersBefore + 1);
    expect(await keyStatuses(h, 'hal')).toEqual({ [hal.accessKeyId]: 'Inactive' });

    const token = await gateToken(h, executionArn);
    const approvalsTable = h.sandbox.deployment?.tables.find((t) =>
      t.logicalId.startsWith('ApprovalsTable'),
    )?.name;
    const stored = await h.sandbox.clients.dynamodb.send(new ScanCommand({ TableName: approvalsTable }));
    expect(token).toMatch(/^AQ/);
    expect(notice.message.message).not.toContain(token);
    expect(JSON.stringify(stored.Items)).not.toContain(token);
    expect(JSON.stringify(await h.history(event.detail.id))).not.toContain(token);
  });
});

/** The hidden fields of the approval page's form. */
function formOf(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
}

function post(url: string, fields: Record<string, string | undefined>): Promise<Response> {
  const body = new URLSearchParams(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}
