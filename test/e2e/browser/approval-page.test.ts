import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anomalyFinding,
  execution,
  executionEnded,
  keyStatuses,
  putAndAwaitApproval,
  userWithKey,
} from '../stack/approval-helpers.ts';
import { type StackHarness, startStack } from '../stack/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  console.warn(`approval page browser test skipped: ${CHROMIUM} is not installed (see .ci/run)`);

let h: StackHarness;
let browser: BrowserContext;
let profile: string;
beforeAll(async () => {
  if (!haveChromium) return;
  profile = mkdtempSync(path.join(tmpdir(), 'approval-page-chromium-'));
  h = await startStack();
  // A fresh profile per run; a phone-sized window without JavaScript: the page must work with neither.
  browser = await chromium.launchPersistentContext(profile, {
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
    viewport: { width: 390, height: 844 },
    javaScriptEnabled: false,
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe.runIf(haveChromium)('approval page in Chromium', () => {
  it('opens the link from the notification, shows the finding and actions, approves, and the playbook moves on', async () => {
    const ivy = await userWithKey(h, 'ivy');
    const event = anomalyFinding(ivy.accessKeyId, 'ivy', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbb0001');
    const notice = await putAndAwaitApproval(h, event);
    const page = await browser.newPage();

    await page.goto(notice.link);

    await expect.poll(() => page.locator('h1').textContent()).toBe('Approve disable-access-key?');
    const facts = await page.locator('dl').textContent();
    expect(facts).toContain('Persistence:IAMUser/AnomalousBehavior');
    expect(facts).toContain(`access key ${ivy.accessKeyId} of IAM user ivy`);
    expect(facts).toContain('111122223333');
    expect(await page.locator('#proposed-actions li').allInnerTexts()).toContain(
      `Set access key ${ivy.accessKeyId} of IAM user ivy Inactive (the other keys of the user stay as they are)`,
    );
    // Readable on a phone: nothing wider than the screen, buttons within it.
    const approve = await page.getByRole('button', { name: 'Approve' }).boundingBox();
    expect((approve?.x ?? 0) + (approve?.width ?? 0)).toBeLessThanOrEqual(390);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page.png'), fullPage: true });

    await page.fill('#reason', 'ivy confirmed the key leaked');
    await page.getByRole('button', { name: 'Approve' }).click();

    await expect.poll(() => page.locator('h1').textContent()).toBe('Approved');
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-confirmed.png'), fullPage: true });
    const shown = (await h.history(event.detail.id)).find((r) => r.action === 'DecideApproval');
    expect(shown).toMatchObject({ outcome: 'approved', reason: 'ivy confirmed the key leaked' });
    const executionArn = shown?.executionArn as string;
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await keyStatuses(h, 'ivy')).toEqual({ [ivy.accessKeyId]: 'Inactive' });
    expect((await execution(h, executionArn)).status).toBe('SUCCEEDED');
    await page.close();
  });
});
