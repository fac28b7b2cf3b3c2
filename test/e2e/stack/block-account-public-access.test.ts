import {
  CreateBucketCommand,
  GetPublicAccessBlockCommand as GetBucketBlockCommand,
  PutPublicAccessBlockCommand as PutBucketBlockCommand,
} from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  type PublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3-control';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { fixtureEvent, type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const ACCOUNT = '111122223333';
const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-account-block');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

/** The account's configuration, or "none" when it has none (S3 Control's NoSuchPublicAccessBlockConfiguration). */
async function accountBlock(): Promise<PublicAccessBlockConfiguration | 'none'> {
  try {
    const out = await h.sandbox.clients.s3control.send(
      new GetPublicAccessBlockCommand({ AccountId: ACCOUNT }),
    );
    return out.PublicAccessBlockConfiguration ?? 'none';
  } catch (error) {
    if ((error as Error).name === 'NoSuchPublicAccessBlockConfiguration') return 'none';
    throw error;
  }
}
const setAccountBlock = (config: PublicAccessBlockConfiguration) =>
  h.sandbox.clients.s3control.send(
    new PutPublicAccessBlockCommand({ AccountId: ACCOUNT, PublicAccessBlockConfiguration: config }),
  );
const bucketBlock = async (Bucket: string) =>
  (await h.sandbox.clients.s3.send(new GetBucketBlockCommand({ Bucket }))).PublicAccessBlockConfiguration;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** `remediate undo` of the finding's playbook run, approved by on-call; resolves once the undo ended. */
async function undoApproved(findingId: string): Promise<void> {
  const { ended } = await desk.approved(findingId, { reason: 'test' });
  expect(ended.status).toBe('SUCCEEDED');
}

/** Security Hub's S3.1 control finding for the sandbox account, FAILED. */
function s3Dot1Finding(suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/S3.1/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/S3.1',
          AwsAccountId: ACCOUNT,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'S3 general purpose buckets should have block public access settings enabled',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${ACCOUNT}`, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'S3.1' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

describe('block-account-public-access, end to end through the sandbox', () => {
  it('a PutAccountPublicAccessBlock that left settings off is turned back to all four on, buckets untouched, and undo puts the weakened settings back', async () => {
    const weakened = {
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    };
    await setAccountBlock(weakened);
    const bucket = 'account-block-e2e-bucket';
    await h.sandbox.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const bucketOwn = {
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    };
    await h.sandbox.clients.s3.send(
      new PutBucketBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: bucketOwn }),
    );
    const event = fixtureEvent('cloudtrail-put-account-public-access-block-weakened.json');

    await h.put(event);

    expect(await accountBlock()).toEqual(ALL_ON);
    // The bucket's own configuration is not the playbook's to change.
    expect(await bucketBlock(bucket)).toEqual(bucketOwn);
    const trail = await h.history(event.detail.eventID);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutAccountPublicAccessBlock', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ PublicAccessBlockConfiguration: weakened });

    await undoApproved(event.detail.eventID);

    expect(await accountBlock()).toEqual(weakened);
    expect(await bucketBlock(bucket)).toEqual(bucketOwn);
  });

  it('Security Hub S3.1 on an account without a configuration waits for approval, then blocks; undo removes the configuration again', async () => {
    await h.sandbox.clients.s3control.send(new DeletePublicAccessBlockCommand({ AccountId: ACCOUNT }));
    const { event, id } = s3Dot1Finding('000000000031');

    await h.put(event);
    expect(await accountBlock()).toBe('none');
    const notice = await waitFor('the approval request', () => approvalNotice(h, id));
    await desk.oncall.decide(notice.approvalId, 'approve', 'no public buckets here');
    await waitFor('the playbook to finish', async () =>
      (await steps(id)).some(([action]) => action === 'Complete') ? true : undefined,
    );

    expect(await accountBlock()).toEqual(ALL_ON);
    expect((await steps(id)).slice(-3)).toEqual([
      ['PutAccountPublicAccessBlock', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(id);

    expect(await accountBlock()).toBe('none');
  });

  it('a PutBucketPublicAccessBlock that left settings off goes to the bucket playbook: that bucket is blocked again, the account untouched', async () => {
    await setAccountBlock({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    const accountBefore = await accountBlock();
    const bucket = 'bucket-block-weakened-e2e';
    await h.sandbox.clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const weakened = {
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    };
    await h.sandbox.clients.s3.send(
      new PutBucketBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: weakened }),
    );
    const event = fixtureEvent('cloudtrail-put-bucket-public-access-block-weakened.json');
    event.detail.requestParameters.bucketName = bucket;

    await h.put(event);

    expect(await bucketBlock(bucket)).toEqual(ALL_ON);
    expect(await accountBlock()).toEqual(accountBefore);
    expect(await steps(event.detail.eventID)).toEqual([
      ['classify', 'routed'],
      ['PutPublicAccessBlock', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(event.detail.eventID);

    expect(await bucketBlock(bucket)).toEqual(weakened);
  });

  it('in dry-run records the plan and changes nothing', async () => {
    const weakened = {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    };
    await setAccountBlock(weakened);
    const puts = h.sandbox.server.calls.filter(
      (c) => c.service === 's3-control' && c.operation === 'PutPublicAccessBlock',
    ).length;
    const event = fixtureEvent('cloudtrail-put-account-public-access-block-weakened.json');
    event.detail.eventID = '5a1c0e7d-2b3f-4c5d-8e6f-7a8b9c0d1e99';
    const normalized = normalizeEvent(event);
    const finding = normalized.ok ? normalized.findings[0] : undefined;
    if (!finding) throw new Error('the fixture no longer normalizes');

    const { executionArn } = await h.sandbox.clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: h.sandbox.deployment?.outputs.StateMachineBlockAccountPublicAccess,
        input: JSON.stringify({
          finding,
          decision: {
            playbook: 'block-account-public-access',
            mode: 'dry-run',
            ruleId: 'test',
            reason: 'dry run',
          },
          audit: {
            pk: findingKey(finding.id),
            resourceKey: resourceKey(finding.accountId, finding.resource),
          },
          target: { accountId: finding.accountId, region: finding.region },
        }),
      }),
    );
    expect((await executionEnded(h, executionArn as string)).status).toBe('SUCCEEDED');

    expect(await accountBlock()).toEqual(weakened);
    expect(
      h.sandbox.server.calls.filter(
        (c) => c.service === 's3-control' && c.operation === 'PutPublicAccessBlock',
      ),
    ).toHaveLength(puts);
    const [planned] = await h.history(finding.id);
    expect(planned?.outcome).toBe('planned');
  });
});
