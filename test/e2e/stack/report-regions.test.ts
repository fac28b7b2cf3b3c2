import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommandRun } from '#cli/commands/report.ts';
import { renderHtmlReport } from '#cli/report/html.ts';
import { Sandbox } from '#sandbox/index.ts';
import { AuditTrailError } from '#shared/audit/reader.ts';
import { leakedKeyFinding } from './harness.ts';

/**
 * One account whose stack runs in two regions, each keeping its own audit trail: two leaked keys
 * contained in us-east-1, one in eu-west-1. `remediate report --regions` reads both and merges them.
 */
const ACCOUNT = '111122223333';
const US = 'us-east-1';
const EU = 'eu-west-1';
let sandbox: Sandbox;
const lines: string[] = [];
const out = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };

async function containLeakedKey(region: string, userName: string, findingId: string): Promise<void> {
  const iam = sandbox.clientsFor(ACCOUNT, US).iam;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const event = leakedKeyFinding(key.AccessKey?.AccessKeyId as string, userName, findingId);
  event.detail.region = region;
  const sent = await sandbox.clientsFor(ACCOUNT, region).events.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );
  expect(sent.FailedEntryCount).toBe(0);
  await sandbox.idle();
}

const trails = (...regions: string[]) =>
  regions.map((region) => ({ region, dynamodb: sandbox.clientsFor(ACCOUNT, region).dynamodb }));

beforeAll(async () => {
  sandbox = await Sandbox.start({
    port: 0,
    timeScale: 0.001,
    snapshotDelayMs: 50,
    deployments: [
      { stack: 'AutoRemediation', accountId: ACCOUNT, region: US },
      { stack: 'AutoRemediation', accountId: ACCOUNT, region: EU },
    ],
  });
  await containLeakedKey(US, 'us-leak-1', '7e9047000000000000000000000000a1');
  await containLeakedKey(US, 'us-leak-2', '7e9047000000000000000000000000a2');
  await containLeakedKey(EU, 'eu-leak-1', '7e9047000000000000000000000000b1');
}, 600_000);
afterAll(() => sandbox?.stop());

describe('remediate report --regions, on the trails of a stack deployed in two regions', () => {
  it('merges the figures and shows each region’s own', async () => {
    lines.length = 0;

    const { report } = await reportCommandRun({ since: '1h' }, trails(US, EU), out);

    expect(report.totals).toMatchObject({ received: 3, routed: 3, contained: 3, needsHuman: 0 });
    expect(report.byRegion?.map((g) => [g.key, g.received, g.contained])).toEqual([
      [EU, 1, 1],
      [US, 2, 2],
    ]);
    expect(report.byPlaybook.map((g) => [g.key, g.contained])).toEqual([['disable-access-key', 3]]);
    const text = lines.join('\n');
    expect(text).toMatch(/^region\s+received/m);
    expect(text).toMatch(/^eu-west-1\s+1\s+1\s+1\s/m);
    expect(text).toMatch(/^us-east-1\s+2\s+2\s+2\s/m);
    expect(renderHtmlReport(report, [])).toContain('<h2>Per region</h2>');
  });

  it('--json carries the per-region figures', async () => {
    lines.length = 0;

    await reportCommandRun({ since: '1h', json: true }, trails(US, EU), out);

    const json = JSON.parse(lines.join('')) as { byRegion: { key: string; contained: number }[] };
    expect(json.byRegion.map((g) => [g.key, g.contained])).toEqual([
      [EU, 1],
      [US, 2],
    ]);
  });

  it('one region read alone has no region section, and its own numbers', async () => {
    lines.length = 0;

    const { report } = await reportCommandRun(
      { since: '1h' },
      { dynamodb: sandbox.clientsFor(ACCOUNT, EU).dynamodb },
      out,
    );

    expect(report.totals).toMatchObject({ received: 1, contained: 1 });
    expect(report.byRegion).toBeUndefined();
  });

  it('a region without the stack is named in the error', async () => {
    await expect(reportCommandRun({ since: '1h' }, trails(US, 'ap-south-1'), out)).rejects.toThrow(
      expect.objectContaining({
        name: AuditTrailError.name,
        message: expect.stringMatching(/^ap-south-1: /),
      }),
    );
  });
});
