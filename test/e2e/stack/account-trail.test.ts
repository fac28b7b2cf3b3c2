import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
} from '@aws-sdk/client-cloudtrail';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { approverWithKey, cliAs, executionEnded } from './approval-helpers.ts';
import { controlFinding, putAndApprove, startPlaybook, steps } from './control-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { playbookExecution, runUndo } from './undo-helpers.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
let ireland: CloudTrailClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-account-trail'));
  const local = { endpoint: h.sandbox.endpoint, credentials: SANDBOX_CREDENTIALS };
  sts = new STSClient({ ...local, region: 'us-east-1' });
  ireland = new CloudTrailClient({ ...local, region: 'eu-west-1' });
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  ireland?.destroy();
  await h?.stop();
});

const cloudtrail = () => h.sandbox.clients.cloudtrail;
const calls = (operation: string) => h.sandbox.server.calls.filter((c) => c.operation === operation).length;
const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::orders/'] };
const TITLE =
  'CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events';
const ACCOUNT = { type: 'AwsAccount', id: 'AWS::::Account:111122223333' };

/** What a user sees of a trail in the console: its settings, whether it logs, what it logs. */
const trailState = async (name: string, client = cloudtrail()) => ({
  trail: (await client.send(new GetTrailCommand({ Name: name }))).Trail,
  logging: (await client.send(new GetTrailStatusCommand({ Name: name }))).IsLogging,
  selectors: await (async () => {
    const { $metadata: _, ...selectors } = await client.send(
      new GetEventSelectorsCommand({ TrailName: name }),
    );
    return selectors;
  })(),
});

/** AWS Config's multi-region-cloudtrail-enabled evaluation turning NON_COMPLIANT for the account. */
function configEvent(recordedAt: string) {
  const event = fixtureEvent('config-restricted-ssh-non-compliant.json');
  const rule = 'securityhub-multi-region-cloudtrail-enabled-3f1a2b';
  event.detail.configRuleName = rule;
  event.detail.resourceType = 'AWS::::Account';
  event.detail.resourceId = '111122223333';
  event.detail.newEvaluationResult.resultRecordedTime = recordedAt;
  event.detail.newEvaluationResult.annotation =
    'No multi-region trail logs read and write management events.';
  return { event, id: `${rule}/AWS::::Account/111122223333/${recordedAt}` };
}

describe('CloudTrail.1 (the account has no multi-Region trail logging management events), end to end', () => {
  it("finds the account's trail, makes it multi-Region with read and write management events, starts it; nothing else changes; undo refuses", async () => {
    // The seeded trail: single-Region, stopped. Someone narrowed it to read-only management events.
    const name = h.account.trail;
    await cloudtrail().send(
      new PutEventSelectorsCommand({
        TrailName: name,
        EventSelectors: [
          { ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [S3_DATA] },
        ],
      }),
    );
    // A trail of the same account homed in another Region, which this Region's run must not touch.
    await ireland.send(new CreateTrailCommand({ Name: 'ireland-trail', S3BucketName: h.account.bucket }));
    const irelandBefore = await trailState('ireland-trail', ireland);
    const before = await trailState(name);
    expect(before.trail).toMatchObject({ IsMultiRegionTrail: false });
    expect(before.logging).toBe(false);
    const finding = controlFinding({
      control: 'CloudTrail.1',
      resourceType: ACCOUNT.type,
      resourceId: ACCOUNT.id,
      title: TITLE,
      suffix: '0000000c7101',
    });
    const created = calls('CreateTrail');

    await putAndApprove(h, oncall, finding);

    const after = await trailState(name);
    expect(after.trail).toEqual({ ...before.trail, IsMultiRegionTrail: true, HasCustomEventSelectors: true });
    expect(after.logging).toBe(true);
    expect(after.selectors.EventSelectors).toEqual([
      {
        ReadWriteType: 'ReadOnly',
        IncludeManagementEvents: false,
        DataResources: [S3_DATA],
        ExcludeManagementEventSources: [],
      },
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(await trailState('ireland-trail', ireland)).toEqual(irelandBefore);
    expect(calls('CreateTrail')).toBe(created);
    expect(await steps(h, finding.id)).toEqual([
      ['classify', 'routed'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'approved'],
      ['RestoreTrailSettings', 'succeeded'],
      ['StartLogging', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    // Turning logging settings off again is not a remediation: undo refuses and changes nothing.
    const lines: string[] = [];
    const executionArn = await playbookExecution(h, finding.id);
    const result = await runUndo(h, sts, executionArn, { output: lines });
    expect(result).toMatchObject({ outcome: 'refused', plan: { code: 'not-undoable' } });
    expect(await trailState(name)).toEqual(after);

    // AWS Config's rule reports the same account: one remediation, not a second run.
    const config = configEvent('2026-11-22T12:07:00.000Z');
    await h.put(config.event);
    expect(await steps(h, config.id)).toEqual([['classify', 'duplicate']]);
    // An approval, the run and an undo: beyond the default timeout on a loaded machine.
  }, 120_000);

  it('AWS Config multi-region-cloudtrail-enabled with no trail in the account: a person is told why, nothing is created', async () => {
    for (const trail of (await cloudtrail().send(new DescribeTrailsCommand({}))).trailList ?? [])
      if (trail.HomeRegion === 'us-east-1')
        await cloudtrail().send(new DeleteTrailCommand({ Name: trail.Name }));
    const changes = () => ['CreateTrail', 'UpdateTrail', 'PutEventSelectors', 'StartLogging'].map(calls);
    const changesBefore = changes();
    const published = h.sandbox.services.sns.published.length;
    const { event, id } = configEvent('2026-11-22T13:00:00.000Z');

    // Started as classify starts it (the account was claimed by the run above for the hour).
    const ended = await executionEnded(h, await startPlaybook(h, 'restore-trail-settings', event, 'approve'));

    expect(ended).toMatchObject({ status: 'FAILED', error: 'NeedsHuman' });
    expect(await steps(h, id)).toEqual([['NeedsHuman', 'needs-human']]);
    const record = (await h.history(id))[0];
    expect(JSON.parse(record?.details as string)).toMatchObject({
      Error: 'NoTrailToFix',
      Cause: expect.stringContaining('has no trail in us-east-1'),
    });
    const notice = h.sandbox.services.sns.published
      .slice(published)
      .find((m) => (m.subject ?? '').includes('needs a human'));
    expect(notice?.message).toContain('needs a bucket');
    expect(changes()).toEqual(changesBefore);
  });
});
