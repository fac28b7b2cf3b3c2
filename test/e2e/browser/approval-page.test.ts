import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anomalyFinding,
  approverWithKey,
  cliAs,
  executionEnded,
  keyStatuses,
  putAndAwaitApproval,
  userWithKey,
} from '../stack/approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from '../stack/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`approval page browser test skipped: ${CHROMIUM} is not installed (see .ci/run)`);

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let h: StackHarness;
let phone: BrowserContext;
let desktop: BrowserContext;
const profiles: string[] = [];

/** A fresh profile per run, without JavaScript: the page must work with neither. */
async function browserAt(viewport: { width: number; height: number }): Promise<BrowserContext> {
  const profile = mkdtempSync(path.join(tmpdir(), 'approval-page-chromium-'));
  profiles.push(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
    javaScriptEnabled: false,
  });
}

beforeAll(async () => {
  if (!haveChromium) return;
  h = await startStack();
  phone = await browserAt(PHONE);
  desktop = await browserAt(DESKTOP);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await phone?.close();
  await desktop?.close();
  await h?.stop();
  for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
});

/** A user whose key signed a request just now (so IAM knows its last use), and its finding, first seen 12 min ago. */
async function usedKeyFinding(userName: string, findingId: string) {
  const user = await userWithKey(h, userName);
  const sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
  });
  await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  const event = anomalyFinding(user.accessKeyId, userName, findingId);
  event.detail.service.eventFirstSeen = new Date(Date.now() - 12 * 60_000).toISOString();
  return { user, event };
}

const text = async (page: Page, selector: string) => (await page.locator(selector).innerText()).trim();
const UTC_MINUTE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC`;

describe.runIf(haveChromium)('approval page in Chromium', () => {
  it('on a phone: says what, why, at what risk and until when, with both buttons on the first screen; after approving, the outcome and where to follow it', async () => {
    const { user: ivy, event } = await usedKeyFinding('ivy', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0001');
    const notice = await putAndAwaitApproval(h, event);
    const page = await phone.newPage();

    await page.goto(notice.link);

    expect(await text(page, 'h1')).toBe(`Disable access key ${ivy.accessKeyId} of IAM user ivy?`);
    const why = await text(page, '#why');
    expect(why).toMatch(/^High \(8\) · /);
    expect(why).toContain('Credentials for the IAM user alice were used from a remote host outside AWS.');
    expect(why).toContain('first seen 12 min ago');
    expect(why).toContain('rule guardduty-iam-user-anomalies');
    expect(await text(page, '#risk')).toMatch(
      new RegExp(
        `^Last used just now \\(${UTC_MINUTE}\\) with sts in us-east-1: whatever uses this key stops working\\.$`,
      ),
    );
    expect(await text(page, '#deadline')).toMatch(/^in (59|60) min \(.+ UTC\); then it is escalated\.$/);
    for (const name of ['Approve', 'Deny']) {
      const box = await page.getByRole('button', { name }).boundingBox();
      expect(box, name).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0), `${name} button bottom`).toBeLessThanOrEqual(PHONE.height);
      expect((box?.x ?? 0) + (box?.width ?? 0), `${name} button right`).toBeLessThanOrEqual(PHONE.width);
    }
    expect(await page.locator('#proposed-actions li').allInnerTexts()).toContain(
      `Set access key ${ivy.accessKeyId} of IAM user ivy Inactive (the other keys of the user stay as they are; a temporary ASIA key has nothing to deactivate, its session is denied below)`,
    );
    const main = await page.locator('main').boundingBox();
    expect((main?.x ?? 0) + (main?.width ?? 0), 'page right edge').toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page-phone.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page-phone-full.png'), fullPage: true });

    await page.fill('#reason', 'ivy confirmed the key leaked');
    await page.getByRole('button', { name: 'Approve' }).click();

    expect(await text(page, 'h1')).toBe('Approved');
    expect(await text(page, '#outcome')).toMatch(
      /^Approved\. The disable-access-key playbook goes on and will: Set access key \S+ of IAM user ivy Inactive/,
    );
    const decided = (await h.history(event.detail.id)).find((r) => r.action === 'DecideApproval');
    const executionArn = decided?.executionArn as string;
    expect(await page.locator('#execution-link').getAttribute('href')).toBe(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`,
    );
    expect(await text(page, '#audit-command')).toBe(`remediate audit --finding ${event.detail.id}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-confirmed-phone.png'), fullPage: true });
    expect(decided).toMatchObject({ outcome: 'approved', reason: 'ivy confirmed the key leaked' });
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await keyStatuses(h, 'ivy')).toEqual({ [ivy.accessKeyId]: 'Inactive' });

    await page.goto(notice.link);

    expect(await text(page, 'h1')).toBe('Approved');
    expect(await text(page, '#outcome')).toMatch(
      new RegExp(
        `^Approved by approval-page \\(127\\.0\\.0\\.1\\) at ${UTC_MINUTE}: Set access key ${ivy.accessKeyId} of IAM user ivy Inactive .*The playbook finished: contained\\.$`,
      ),
    );
    await page.close();
  });

  it('on a desktop: reopened after an approval from the CLI, it says who approved, when, and what was done', async () => {
    const { user: jo, event } = await usedKeyFinding('jo', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0002');
    const oncall = await approverWithKey(h, 'oncall-mia');
    const notice = await putAndAwaitApproval(h, event);
    const page = await desktop.newPage();
    await page.goto(notice.link);
    expect(await text(page, 'h1')).toBe(`Disable access key ${jo.accessKeyId} of IAM user jo?`);
    const approve = await page.getByRole('button', { name: 'Approve' }).boundingBox();
    expect((approve?.y ?? 0) + (approve?.height ?? 0)).toBeLessThanOrEqual(DESKTOP.height);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page-desktop.png') });

    const cli = cliAs(h, oncall);
    expect(await cli.decide(notice.approvalId, 'approve', 'jo is on leave; key unused')).toMatchObject({
      ok: true,
    });
    cli.close();
    const decided = (await h.history(event.detail.id)).find((r) => r.action === 'DecideApproval');
    await executionEnded(h, decided?.executionArn as string);
    await page.goto(notice.link);

    expect(await text(page, 'h1')).toBe('Approved');
    expect(await text(page, '#outcome')).toMatch(
      new RegExp(
        `^Approved by arn:aws:iam::111122223333:user/oncall-mia at ${UTC_MINUTE}: Set access key ${jo.accessKeyId} of IAM user jo Inactive .*The playbook finished: contained\\.$`,
      ),
    );
    expect(await page.locator('#execution-link').getAttribute('href')).toContain(decided?.executionArn);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-reopened-desktop.png') });
    await page.close();
  });

  it('for an instance: names its Auto Scaling group, the target group it serves and its role; denied, it keeps serving', async () => {
    // Medium: the default policy asks a person before quarantining (guardduty-ec2-suspected-compromise).
    const event = fixtureEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0003';
    event.detail.severity = 5;
    event.detail.resource.instanceDetails.instanceId = h.account.instance.id;
    const notice = await putAndAwaitApproval(h, event as ReturnType<typeof anomalyFinding>);
    const page = await phone.newPage();

    await page.goto(notice.link);

    expect(await text(page, 'h1')).toBe(`Quarantine instance ${h.account.instance.id}?`);
    const risk = (await text(page, '#risk')).split('\n');
    expect(risk[0]).toMatch(/^Named "web-1", running, launched .+\.$/);
    expect(risk.slice(1)).toEqual([
      `In Auto Scaling group ${h.account.autoScalingGroup}: it leaves the group, which launches a replacement (desired capacity unchanged).`,
      `Its role ${h.account.instanceRole.roleName} (profile ${h.account.instanceRole.instanceProfileName}) loses its sessions; anything on it that calls AWS stops.`,
      expect.stringMatching(
        /^Serves target group web \(port 443, \w+\): deregistered, it stops receiving requests\.$/,
      ),
    ]);
    for (const name of ['Approve', 'Deny']) {
      const box = await page.getByRole('button', { name }).boundingBox();
      expect((box?.y ?? 0) + (box?.height ?? 0), `${name} button bottom`).toBeLessThanOrEqual(PHONE.height);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page-instance-phone.png'), fullPage: true });

    await page.fill('#reason', 'the web team is looking at it');
    await page.getByRole('button', { name: 'Deny' }).click();

    expect(await text(page, 'h1')).toBe('Denied');
    const decided = (await h.history(event.detail.id)).find((r) => r.action === 'DecideApproval');
    expect(decided).toMatchObject({ outcome: 'denied', reason: 'the web team is looking at it' });
    await executionEnded(h, decided?.executionArn as string);
    const health = await h.sandbox.clients.elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: h.account.targetGroupArn,
        Targets: [{ Id: h.account.instance.id }],
      }),
    );
    expect(health.TargetHealthDescriptions?.[0]?.TargetHealth?.State).not.toBe('unused');
    await page.close();
  });
});
