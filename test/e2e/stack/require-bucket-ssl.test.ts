import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
/** A client whose requests stand for ones made without TLS (the sandbox reads X-Forwarded-Proto). */
let plainHttp: S3Client;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-s3-ssl');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  plainHttp = new S3Client({ ...config, forcePathStyle: true });
  plainHttp.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      request.headers['x-forwarded-proto'] = 'http';
      return next(args);
    },
    { step: 'build', name: 'plainHttpTransport' },
  );
}, 120_000);
afterAll(async () => {
  desk?.close();
  plainHttp?.destroy();
  await h?.stop();
});

const s3 = () => h.sandbox.clients.s3;
const ACCOUNT = '111122223333';
const readPolicy = async (Bucket: string) => {
  try {
    return JSON.parse((await s3().send(new GetBucketPolicyCommand({ Bucket }))).Policy as string);
  } catch (error) {
    if ((error as Error).name === 'NoSuchBucketPolicy') return 'none';
    throw error;
  }
};
/** Whether a plain-HTTP request to the bucket is refused. */
const plainHttpRefused = async (Bucket: string) => {
  try {
    await plainHttp.send(new HeadBucketCommand({ Bucket }));
    return false;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 403) return true;
    throw error;
  }
};

/** A statement already on the bucket that the remediation must keep exactly. */
const readerStatement = (bucket: string) => ({
  Sid: 'ReportsReader',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: ['s3:GetObject', 's3:ListBucket'],
  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
});

/** Security Hub's S3.5 control finding about `bucket`, FAILED. */
function s3Dot5Finding(bucket: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/S3.5/finding/0f1e2d3c-4b5a-4697-8877-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: 'security-control/S3.5',
          AwsAccountId: ACCOUNT,
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'S3 general purpose buckets should require requests to use SSL',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::${bucket}`, Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: 'S3.5' },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

/** Run `remediate undo` on the playbook execution of `findingId`, approve it, wait for the end. */
async function undoApproved(findingId: string) {
  const { ended } = await desk.approved(findingId, { reason: 'test' });
  expect(ended.status).toBe('SUCCEEDED');
}

describe('require-bucket-ssl (Security Hub S3.5), end to end through the sandbox', () => {
  it('adds the statement refusing plain HTTP, keeps the other statement, and undo takes out exactly it', async () => {
    const bucket = 'reports-ssl-kept-111122223333';
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    const before = { Version: '2012-10-17', Statement: [readerStatement(bucket)] };
    await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(before) }));
    expect(await plainHttpRefused(bucket)).toBe(false);
    const { event, id } = s3Dot5Finding(bucket, '000000000051');

    await h.put(event);

    // In force: a plain-HTTP request is refused; the same request over TLS still works.
    expect(await plainHttpRefused(bucket)).toBe(true);
    await s3().send(new HeadBucketCommand({ Bucket: bucket }));
    const after = await readPolicy(bucket);
    expect(after.Statement).toHaveLength(2);
    expect(after.Statement[0]).toEqual(readerStatement(bucket));
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutBucketPolicy', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    await undoApproved(id);

    expect(await readPolicy(bucket)).toEqual(before);
    expect(await plainHttpRefused(bucket)).toBe(false);
  });

  it('a bucket without a policy gets one with the statement; undo deletes it', async () => {
    const bucket = 'reports-ssl-none-111122223333';
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    const { event, id } = s3Dot5Finding(bucket, '000000000052');

    await h.put(event);

    expect(await plainHttpRefused(bucket)).toBe(true);
    expect((await readPolicy(bucket)).Statement).toHaveLength(1);

    await undoApproved(id);

    expect(await readPolicy(bucket)).toBe('none');
    expect(await plainHttpRefused(bucket)).toBe(false);
  });

  it('a policy that already refuses plain HTTP is left exactly as it is', async () => {
    const bucket = 'reports-ssl-done-111122223333';
    await s3().send(new CreateBucketCommand({ Bucket: bucket }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        readerStatement(bucket),
        {
          Sid: 'OnlyTls',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    await s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    const { event, id } = s3Dot5Finding(bucket, '000000000053');

    await h.put(event);

    expect(await readPolicy(bucket)).toEqual(policy);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutBucketPolicy', 'skipped'],
    ]);
  });
});
