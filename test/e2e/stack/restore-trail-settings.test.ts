import {
  CreateTrailCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { MANAGEMENT_SELECTOR_NAME } from '#shared/drift/trail-restore.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { runUndo } from './undo-helpers.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-trails'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

const cloudtrail = () => h.sandbox.clients.cloudtrail;
let serial = 0;
const next = () => String(++serial).padStart(12, '0');
const arnOf = (name: string) => `arn:aws:cloudtrail:us-east-1:111122223333:trail/${name}`;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);
const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::orders/'] };

/** A logging, multi-Region, validated trail, as a team sets one up. */
async function newTrail(): Promise<string> {
  const name = `audit-trail-${next()}`;
  await cloudtrail().send(
    new CreateTrailCommand({
      Name: name,
      S3BucketName: h.account.bucket,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    }),
  );
  await cloudtrail().send(new StartLoggingCommand({ Name: name }));
  return name;
}
/** Everything a user sees of a trail but its selectors. */
const trailState = async (name: string) => ({
  trail: (await cloudtrail().send(new GetTrailCommand({ Name: name }))).Trail,
  logging: (await cloudtrail().send(new GetTrailStatusCommand({ Name: name }))).IsLogging,
});
const selectors = async (name: string) => {
  const { EventSelectors, AdvancedEventSelectors } = await cloudtrail().send(
    new GetEventSelectorsCommand({ TrailName: name }),
  );
  return { EventSelectors, AdvancedEventSelectors };
};

/** The attacker's PutEventSelectors, made in the sandbox, and its CloudTrail record. */
async function dropManagementEvents(name: string) {
  await cloudtrail().send(
    new PutEventSelectorsCommand({
      TrailName: name,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [S3_DATA] }],
    }),
  );
  const event = fixtureEvent('cloudtrail-put-event-selectors-no-management.json');
  event.detail.eventID = `7e1a0000-0000-4000-8000-${next()}`;
  const request = {
    trailName: name,
    eventSelectors: [
      {
        readWriteType: 'All',
        includeManagementEvents: false,
        dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::orders/'] }],
        excludeManagementEventSources: [],
      },
    ],
  };
  event.detail.requestParameters = request;
  event.detail.responseElements = { trailARN: arnOf(name), eventSelectors: request.eventSelectors };
  return event;
}

/** The attacker's UpdateTrail, made in the sandbox, and its CloudTrail record. */
async function weakenTrail(name: string, request: Record<string, unknown>) {
  await cloudtrail().send(new UpdateTrailCommand({ Name: name, ...pascal(request) }));
  const event = fixtureEvent('cloudtrail-update-trail-weakened.json');
  event.detail.eventID = `7e1b0000-0000-4000-8000-${next()}`;
  event.detail.requestParameters = { name, ...request };
  return event;
}
const pascal = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k[0]?.toUpperCase() + k.slice(1), v]));

async function executionOf(findingId: string): Promise<string> {
  const arn = (await h.history(findingId)).find((r) => r.actor.startsWith('playbook/'))?.executionArn;
  if (!arn) throw new Error(`no playbook execution recorded for ${findingId}`);
  return arn;
}

/** Start the playbook directly in `mode`, with the finding as classify builds it. */
async function startIn(mode: string, event: { source: string; 'detail-type': string; detail: unknown }) {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const outputs = h.sandbox.deployment?.outputs ?? {};
  const stateMachineArn = Object.entries(outputs).find(([k]) => k.endsWith('RestoreTrailSettings'))?.[1];
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'restore-trail-settings', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return { executionArn: started.executionArn as string, findingId: finding.id };
}

describe('restore-trail-settings, end to end through the sandbox', () => {
  it('PutEventSelectors that dropped management events: all of them are logged again, data events kept', async () => {
    const name = await newTrail();
    const other = await newTrail();
    const event = await dropManagementEvents(name);
    const before = await trailState(name);

    await h.put(event);

    expect(await selectors(name)).toEqual({
      EventSelectors: [
        {
          ReadWriteType: 'All',
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
      ],
      AdvancedEventSelectors: undefined,
    });
    expect(await trailState(name)).toEqual(before);
    expect((await selectors(other)).EventSelectors).toEqual([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['RestoreTrailSettings', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    const restored = (await h.history(event.detail.eventID))[1];
    expect(JSON.parse(restored?.before as string).selectors.EventSelectors).toEqual([
      expect.objectContaining({ IncludeManagementEvents: false, DataResources: [S3_DATA] }),
    ]);
  });

  it('advanced selectors with data events only: a management selector joins them', async () => {
    const name = await newTrail();
    const data = {
      Name: 'S3 data events only',
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      ],
    };
    await cloudtrail().send(
      new PutEventSelectorsCommand({ TrailName: name, AdvancedEventSelectors: [data] }),
    );
    const event = fixtureEvent('cloudtrail-put-advanced-event-selectors-data-only.json');
    event.detail.eventID = `7e1c0000-0000-4000-8000-${next()}`;
    event.detail.requestParameters.trailName = arnOf(name);

    await h.put(event);

    expect((await selectors(name)).AdvancedEventSelectors).toEqual([
      data,
      {
        Name: MANAGEMENT_SELECTOR_NAME,
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      },
    ]);
    expect((await steps(event.detail.eventID)).at(-2)).toEqual(['Verify', 'verified']);
  });

  it('UpdateTrail that turned off multi-Region logging and validation: both on again, nothing else changed, no undo', async () => {
    const name = await newTrail();
    const before = await trailState(name);
    const event = await weakenTrail(name, { isMultiRegionTrail: false, enableLogFileValidation: false });
    expect((await trailState(name)).trail).toMatchObject({
      IsMultiRegionTrail: false,
      LogFileValidationEnabled: false,
    });

    await h.put(event);

    expect(await trailState(name)).toEqual(before);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['RestoreTrailSettings', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    const lines: string[] = [];
    const result = await runUndo(h, sts, await executionOf(event.detail.eventID), { output: lines });
    expect(result).toMatchObject({ outcome: 'refused', plan: { code: 'not-undoable' } });
    expect(lines.join('\n')).toMatch(/repeat the weakening/);
    expect(await trailState(name)).toEqual(before);
  });

  it('logs sent to another bucket: notified with what was not restored, the destination untouched', async () => {
    const name = await newTrail();
    const event = await weakenTrail(name, { s3BucketName: 'collector-bucket-444455556666' });
    const published = h.sandbox.services.sns.published.length;

    await h.put(event);

    expect((await trailState(name)).trail?.S3BucketName).toBe('collector-bucket-444455556666');
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['RestoreTrailSettings', 'skipped'],
    ]);
    const notice = h.sandbox.services.sns.published
      .slice(published)
      .find((m) => (m.subject ?? '').includes('restore-trail-settings: nothing to restore'));
    expect(notice?.message).toMatch(/log destination not restored/);
    expect(notice?.message).toMatch(/collector-bucket-444455556666/);
  });

  it('Security Hub CloudTrail.4: log file validation on, multi-Region left as it is', async () => {
    const name = `single-region-${next()}`;
    await cloudtrail().send(new CreateTrailCommand({ Name: name, S3BucketName: h.account.bucket }));
    const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/CloudTrail.4/finding/0f1e2d3c-4b5a-4697-8877-${next()}`;
    await h.put({
      source: 'aws.securityhub',
      'detail-type': 'Security Hub Findings - Imported',
      detail: {
        findings: [
          {
            Id: id,
            ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
            GeneratorId: 'security-control/CloudTrail.4',
            AwsAccountId: '111122223333',
            Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
            Title: 'CloudTrail log file validation should be enabled',
            Region: 'us-east-1',
            CreatedAt: '2026-11-22T12:06:02.311Z',
            UpdatedAt: '2026-11-22T12:06:02.311Z',
            Severity: { Label: 'MEDIUM' },
            Resources: [{ Type: 'AwsCloudTrailTrail', Id: arnOf(name), Region: 'us-east-1' }],
            Compliance: { Status: 'FAILED', SecurityControlId: 'CloudTrail.4' },
            RecordState: 'ACTIVE',
            Workflow: { Status: 'NEW' },
          },
        ],
      },
    });

    expect((await trailState(name)).trail).toMatchObject({
      LogFileValidationEnabled: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: true,
    });
    expect((await steps(`${id}/2026-11-22T12:06:02.311Z`)).at(-2)).toEqual(['Verify', 'verified']);
  });

  it('a dry run records the plan and changes nothing', async () => {
    const name = await newTrail();
    const event = await dropManagementEvents(name);
    const weakened = await selectors(name);

    const { executionArn, findingId } = await startIn('dry-run', event);
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await selectors(name)).toEqual(weakened);
    const plan = (await h.history(findingId)).find((r) => r.outcome === 'planned');
    expect(JSON.parse(plan?.details as string)).toMatchObject({
      restores: ['read and write management events'],
      count: 1,
    });
  });

  it('in approve mode waits for on-call, then restores', async () => {
    const name = await newTrail();
    const event = await weakenTrail(name, { enableLogFileValidation: false });

    const { executionArn, findingId } = await startIn('approve', event);
    const notice = await waitFor('the approval request', () => approvalNotice(h, findingId));
    expect((await trailState(name)).trail?.LogFileValidationEnabled).toBe(false);
    await oncall.decide(notice.approvalId, 'approve', 'not ours');
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect((await trailState(name)).trail?.LogFileValidationEnabled).toBe(true);
  });

  it('a refused PutEventSelectors (errorCode) is recorded as skipped, the trail untouched', async () => {
    const name = await newTrail();
    const event = await dropManagementEvents(name);
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized to perform: cloudtrail:PutEventSelectors';
    const weakened = await selectors(name);
    const callsBefore = h.sandbox.server.calls.length;

    await h.put(event);

    expect(await selectors(name)).toEqual(weakened);
    expect(
      h.sandbox.server.calls
        .slice(callsBefore)
        .filter((c) => c.service === 'cloudtrail' && c.operation !== 'GetEventSelectors'),
    ).toEqual([]);
  });
});
