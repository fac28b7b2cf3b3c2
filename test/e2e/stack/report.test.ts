import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { auditExport } from '#cli/commands/audit.ts';
import { reportCommandRun } from '#cli/commands/report.ts';
import { diffPolicies, readEventCorpus } from '#cli/report/policy-diff.ts';
import { parsePolicy } from '#shared/policy/load.ts';
import { type StackHarness, startStack } from './harness.ts';
import { produceTrail, TRAIL } from './report-trail.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
let h: StackHarness;
let oncall: ApprovalsClient;
const lines: string[] = [];
const out = { log: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
const tables = () => ({
  table: h.auditTable,
  chainTable: h.sandbox.deployment?.outputs.AuditChainTableName as string,
});

beforeAll(async () => {
  h = await startStack();
  ({ oncall } = await produceTrail(h));
}, 600_000);
afterAll(async () => {
  oncall?.close();
  await h?.stop();
});

describe('remediate report, on a trail the deployed stack produced', () => {
  it('counts what happened per rule and per playbook, and names where the run stopped', async () => {
    lines.length = 0;
    const html = path.join(ARTIFACTS, 'report.html');
    mkdirSync(ARTIFACTS, { recursive: true });

    const { report, suggestions } = await reportCommandRun(
      { ...tables(), since: '1h', html, policy: 'policy/default.yaml' },
      { dynamodb: h.sandbox.clients.dynamodb },
      out,
    );

    expect(report.totals).toMatchObject({
      received: 5,
      routed: 5,
      contained: 3,
      notified: 0,
      skipped: 0,
      approvals: { requested: 2, approved: 1, denied: 1, timedOut: 0, escalated: 0 },
      needsHuman: 1,
      undone: 1,
      blastRadiusHits: 0,
    });
    expect(report.totals.mttrFromArrival.count).toBe(3);
    expect(report.totals.mttrFromFirstSeen.count).toBe(3);
    expect(report.byRule.map((g) => [g.key, g.received, g.contained, g.approvals.requested])).toEqual([
      ['guardduty-iam-user-anomalies', 2, 1, 2],
      ['guardduty-iam-user-credentials', 3, 2, 0],
    ]);
    expect(report.byPlaybook.map((g) => [g.key, g.received, g.contained, g.needsHuman, g.undone])).toEqual([
      ['disable-access-key', 5, 3, 1, 1],
    ]);
    // The record names the state that failed and the refused call, not the step before it.
    const stopped = (await h.history(TRAIL.needsHuman)).find((r) => r.outcome === 'needs-human');
    expect(JSON.parse(stopped?.details as string)).toMatchObject({
      Error: 'Iam.IamException',
      stoppedAt: { step: 'Revoke sessions', call: 'iam:PutUserPolicy' },
    });
    expect(report.byPlaybook[0]?.needsHumanStops).toEqual([
      {
        step: 'Revoke sessions',
        error: 'AccessDenied on iam:PutUserPolicy',
        count: 1,
        accounts: ['111122223333'],
      },
    ]);
    expect(report.topAccounts).toEqual([{ key: '111122223333', count: 5 }]);
    expect(suggestions.map((s) => s.subject)).toEqual(['playbook:disable-access-key']);
    expect(suggestions[0]?.policyLine).toMatch(/^policy\/default\.yaml:\d+:\d+$/);
    expect(lines.join('\n')).toContain(
      'needs-human: disable-access-key stopped at Revoke sessions 1 time(s): AccessDenied on iam:PutUserPolicy',
    );
    expect(suggestions[0]?.evidence).toBe(
      'playbook disable-access-key stopped in needs-human at step Revoke sessions 1 time(s): AccessDenied on iam:PutUserPolicy in account 111122223333',
    );
    writeFileSync(path.join(ARTIFACTS, 'report.txt'), lines.join('\n'));
    expect(readFileSync(html, 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org)[^"' ]*\.(js|css)/);
  });

  it('the HTML report draws its charts offline and shows the numbers', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${path.join(ARTIFACTS, 'report.html')}`);
      await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });

      // A canvas Chart.js drew on has coloured pixels; an empty one is all transparent.
      // Run in the page (a string: the test's TypeScript has no DOM types).
      const painted: number[] = await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n += 1;
        return n;
      })`);
      expect(painted).toHaveLength(3);
      for (const n of painted) expect(n).toBeGreaterThan(500);
      expect(await page.textContent('#totals')).toContain(
        '5 findings: 5 routed, 3 contained, 0 notified, 0 skipped; 2 approval requests (1 approved, 1 denied, 0 timed out, 0 escalated); 1 needs-human; 1 undone',
      );
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('exports the trail’s findings as the original events; the classifier decides them as before', async () => {
    lines.length = 0;
    const { count } = await auditExport(
      { ...tables(), since: '1h', events: true },
      { dynamodb: h.sandbox.clients.dynamodb },
      out,
    );

    expect(count).toBe(5);
    const events = lines.map((l) => JSON.parse(l));
    expect(events.map((e) => e.detail.id).sort()).toEqual(
      [...TRAIL.contained, TRAIL.approved, TRAIL.denied, TRAIL.needsHuman].sort(),
    );
    const file = path.join(ARTIFACTS, 'trail-events.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const corpus = readEventCorpus([file]);
    const policy = readFileSync('policy/default.yaml', 'utf8');
    const anomaliesAuto = policy.replace(
      /(- id: guardduty-iam-user-anomalies[\s\S]*?mode: )approve/,
      '$1auto',
    );
    const changes = diffPolicies(parsePolicy(policy), parsePolicy(anomaliesAuto), corpus);
    expect(changes.map((c) => [c.findingId, c.before.mode, c.after.mode, c.risky])).toEqual([
      [TRAIL.approved, 'approve', 'auto', ['gains-auto']],
      [TRAIL.denied, 'approve', 'auto', ['gains-auto']],
    ]);
  });
});
