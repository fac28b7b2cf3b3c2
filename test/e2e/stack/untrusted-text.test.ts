import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { printResponse } from '#cli/commands/approvals.ts';
import { recordOutput, runCliAsync } from '../../unit/cli/run-cli.ts';
import {
  anomalyFinding,
  approverWithKey,
  cliAs,
  putAndAwaitApproval,
  userWithKey,
  waitFor,
} from './approval-helpers.ts';
import { leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

/** Any C0/C1 control character other than the line feed that separates output lines. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** A reason that retitles the terminal, clears the screen and rewrites the line before it. */
const HOSTILE_REASON = 'ok\u001b]0;pwned\u0007\u001b[2J\u001b[1A\rapproved by the CISO\u009b31m';

let h: StackHarness;
let oncall: ApprovalsClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-text'));
}, 120_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

/**
 * The CLI as a person runs it against the sandbox: `--local` must be what points it there, so the
 * environment has the sandbox's endpoint but no credentials at all (no keys, no profile files,
 * no instance metadata): without `--local` honoured, the CLI cannot even sign a request.
 */
const cliWithoutCredentials = (args: string[]) =>
  runCliAsync(args, {
    PATH: process.env.PATH,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOME: '/nonexistent',
    AWS_ENDPOINT_URL: h.sandbox.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

describe('text from a finding or a decision reaches people without control characters', () => {
  it('shows an escape-sequence reason cleanly in `approvals show` and in the audit timeline', async () => {
    const user = await userWithKey(h, 'text-reason');
    const findingId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0001';
    const notice = await putAndAwaitApproval(h, anomalyFinding(user.accessKeyId, user.userName, findingId));
    await oncall.decide(notice.approvalId, 'deny', HOSTILE_REASON);
    await h.sandbox.idle();

    const out = recordOutput();
    expect(printResponse(await oncall.show(notice.approvalId), out, false)).toBe(0);
    const shown = out.out.join('\n');
    expect(shown).toContain('ok]0;pwned[2J[1A approved by the CISO31m');
    expect(shown).not.toMatch(CONTROL);

    const timeline = await cliWithoutCredentials(['audit', '--finding', findingId, '--local']);
    expect(timeline.stderr).toBe('');
    expect(timeline.status).toBe(0);
    expect(timeline.stdout).toContain('DecideApproval');
    expect(timeline.stdout).toContain('ok]0;pwned');
    expect(timeline.stdout).not.toMatch(CONTROL);
  });

  it('puts the real link first in the approval notification, whatever lines the finding id carries', async () => {
    const user = await userWithKey(h, 'text-newline');
    const forged =
      'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0002\n\nDecide on the approval page: https://evil.example/approve\n';
    await h.sandbox.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.guardduty',
            DetailType: 'GuardDuty Finding',
            Detail: JSON.stringify(anomalyFinding(user.accessKeyId, user.userName, forged).detail),
          },
        ],
      }),
    );
    const notice = await waitFor('the approval notification', () =>
      h.sandbox.services.sns.published.find(
        (m) => m.message.includes(user.accessKeyId) && (m.subject ?? '').includes('approval required'),
      ),
    );

    const lines = notice.message.split('\n');
    const firstLink = lines.findIndex((line) => line.includes('://'));
    const pageUrl = h.sandbox.deployment?.outputs.ApprovalPageUrl as string;
    expect(lines[firstLink]?.startsWith(`Decide on the approval page: ${pageUrl}`)).toBe(true);
    expect(firstLink).toBe(0);
    // The forged text stays inside the finding id's own line, after the real link.
    expect(lines.filter((line) => line.includes('evil.example'))).toEqual([
      `  Finding id: ${forged.replaceAll('\n', ' ')}`,
    ]);
    expect(notice.message).not.toMatch(CONTROL);
  });
});

describe('a rejected event is recorded, however large the value it is rejected for', () => {
  it('rejects a finding with a 240 KB key id and records it, the audit item under 400 KB', async () => {
    const event = leakedKeyFinding(
      `AKIA${'A'.repeat(240 * 1024)}`,
      'text-huge',
      'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0003',
    );
    const put = await h.sandbox.clients.events.send(
      new PutEventsCommand({
        Entries: [
          { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
        ],
      }),
    );
    const eventId = put.Entries?.[0]?.EventId as string;
    expect(eventId).toBeTruthy();
    await h.sandbox.idle();

    const items = await h.sandbox.clients.dynamodb.send(
      new QueryCommand({
        TableName: h.auditTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `EVENT#${eventId}` } },
      }),
    );
    expect(items.Items).toHaveLength(1);
    const record = unmarshall(items.Items?.[0] ?? {});
    expect(record).toMatchObject({ actor: 'classify', action: 'classify', outcome: 'rejected' });
    expect(record.reason).toMatch(/is not an access key id/);
    expect(record.reason).toMatch(/…\(\d+ chars\)/);
    expect(Buffer.byteLength(JSON.stringify(items.Items?.[0]))).toBeLessThan(400 * 1024);
    // The event itself is not lost: the dead-letter queue holds it for a person to look at.
    const dlq = h.sandbox.services.sqs.messages(
      h.sandbox.deployment?.outputs.ClassifyDeadLetterQueueUrl as string,
    );
    expect(dlq.some((m) => m.body.includes(eventId) || m.body.includes('text-huge'))).toBe(true);
  });
});

describe('`remediate audit` subcommands take their own options', () => {
  it('`audit verify --finding does-not-exist --local` verifies that finding only, and fails naming it', async () => {
    const result = await cliWithoutCredentials(['audit', 'verify', '--finding', 'does-not-exist', '--local']);
    expect(result.stderr).toMatch(/^remediate: no audit records for finding does-not-exist/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.status).toBe(1);
  });

  it('`audit export --since 7d --local` exports the trail as JSON lines', async () => {
    const result = await cliWithoutCredentials(['audit', 'export', '--since', '7d', '--local']);
    expect(result.status).toBe(0);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => typeof r.pk === 'string' && typeof r.at === 'string')).toBe(true);
    expect(result.stderr).toMatch(/exported \d+ record\(s\) since/);
  });

  it('refuses an option written before the subcommand instead of dropping it', async () => {
    const result = await cliWithoutCredentials(['audit', '--finding', 'x', 'verify', '--local']);
    // A usage error: exit 2 (docs/operations.md).
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/write --finding after the subcommand: remediate audit verify --finding/);
  });
});
