import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { SSL_ONLY_SID, sslOnlyStatement } from '#shared/bucket-policy/ssl-only-policy.ts';
import { THREAT_READ_DENY_SID, threatReadDenyStatement } from '#shared/bucket-policy/threat-read-deny.ts';
import { scanFindingId } from '#shared/findings/guardduty-malware-scan.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

/**
 * Two playbooks add a statement to a bucket policy (require-bucket-ssl, deny-threat-object-reads):
 * the undo of each takes out its own statement, by the Sid its plan carries, and leaves the other
 * playbook's statement and the bucket's own statement in force.
 */
let h: StackHarness;
let desk: UndoDesk;
let s3: S3Client;
/** A client whose requests stand for ones made without TLS (the sandbox reads X-Forwarded-Proto). */
let plainHttp: S3Client;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-bucket-policies');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  s3 = new S3Client({ ...config, forcePathStyle: true, maxAttempts: 1 });
  plainHttp = new S3Client({ ...config, forcePathStyle: true, maxAttempts: 1 });
  plainHttp.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-forwarded-proto'] = 'http';
      return next(args);
    },
    { step: 'build', name: 'plainHttpTransport' },
  );
}, 120_000);
afterAll(async () => {
  desk?.close();
  s3?.destroy();
  plainHttp?.destroy();
  await h?.stop();
});

const ACCOUNT = '111122223333';
const sids = async (Bucket: string) =>
  (
    JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy ?? '{}').Statement as {
      Sid?: string;
    }[]
  ).map((s) => s.Sid);
/** What a user sees of the three statements: plain HTTP refused? the malware object readable? */
async function inForce(Bucket: string) {
  const plainHttpRefused = await plainHttp.send(new HeadBucketCommand({ Bucket })).then(
    () => false,
    (error) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403,
  );
  const malwareReadable = await s3.send(new GetObjectCommand({ Bucket, Key: 'payload.exe' })).then(
    () => true,
    (error) => ((error as Error).name === 'AccessDenied' ? false : Promise.reject(error)),
  );
  return { plainHttpRefused, malwareReadable };
}

/** A bucket with its own statement, one other playbook's statement, and an object tagged as malware. */
async function bucketWith(Bucket: string, otherPlaybooks: object) {
  await s3.send(new CreateBucketCommand({ Bucket }));
  const own = {
    Sid: 'ReportsReader',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${Bucket}/*`,
  };
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [own, otherPlaybooks] }),
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket,
      Key: 'payload.exe',
      Body: 'x',
      Tagging: 'GuardDutyMalwareScanStatus=THREATS_FOUND',
    }),
  );
}

/** `remediate undo` of the playbook execution of `findingId`, approved, until it ends. */
async function undoApproved(findingId: string) {
  const { ended } = await desk.approved(findingId, { reason: 'test' });
  expect(ended.status).toBe('SUCCEEDED');
}

/** Security Hub's S3.5 control finding about `bucket`, FAILED. */
function s3Dot5Finding(bucket: string) {
  const id = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/S3.5/finding/0f1e2d3c-4b5a-4697-8877-000000000061`;
  const UpdatedAt = '2026-12-06T05:06:02.311Z';
  const finding = {
    Id: id,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    GeneratorId: 'security-control/S3.5',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    Title: 'S3 general purpose buckets should require requests to use SSL',
    Region: 'us-east-1',
    CreatedAt: UpdatedAt,
    UpdatedAt,
    Severity: { Label: 'MEDIUM' },
    Resources: [{ Type: 'AwsS3Bucket', Id: `arn:aws:s3:::${bucket}`, Region: 'us-east-1' }],
    Compliance: { Status: 'FAILED', SecurityControlId: 'S3.5' },
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
  };
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: { findings: [finding] },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { event, id: `${id}/${UpdatedAt}` };
}

/** GuardDuty Malware Protection for S3's scan result of THREATS_FOUND (monitor-with-eventbridge-s3-malware-protection.html). */
function scanResult(bucket: string, key: string) {
  const event = {
    version: '0',
    id: '7a1b2c3d-1111-4222-8333-444455556661',
    source: 'aws.guardduty',
    'detail-type': 'GuardDuty Malware Protection Object Scan Result',
    account: ACCOUNT,
    time: '2026-12-06T05:10:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:guardduty:us-east-1:${ACCOUNT}:malware-protection-plan/b4c7f464ab3a4EXAMPLE`],
    detail: {
      schemaVersion: '1.0',
      scanStatus: 'COMPLETED',
      resourceType: 'S3_OBJECT',
      s3ObjectDetails: {
        bucketName: bucket,
        objectKey: key,
        eTag: 'e1',
        versionId: 'v1',
        s3Throttled: false,
      },
      scanResultDetails: {
        scanResultStatus: 'THREATS_FOUND',
        threats: [{ name: 'EICAR-Test-File (not a virus)' }],
      },
    },
  };
  return { event, id: scanFindingId(bucket, key, 'v1') };
}

describe('undo of a bucket-policy statement, end to end through the sandbox', () => {
  it('undo of require-bucket-ssl removes its statement only: the threat-read deny and the bucket’s own statement stay in force', async () => {
    const bucket = 'undo-ssl-keeps-threat-deny';
    await bucketWith(bucket, threatReadDenyStatement(`arn:aws:s3:::${bucket}/*`));
    const { event, id } = s3Dot5Finding(bucket);

    await h.put(event);
    expect(await sids(bucket)).toEqual(['ReportsReader', THREAT_READ_DENY_SID, SSL_ONLY_SID]);
    expect(await inForce(bucket)).toEqual({ plainHttpRefused: true, malwareReadable: false });

    await undoApproved(id);

    expect(await sids(bucket)).toEqual(['ReportsReader', THREAT_READ_DENY_SID]);
    expect(await inForce(bucket)).toEqual({ plainHttpRefused: false, malwareReadable: false });
  });

  it('undo of deny-threat-object-reads removes its statement only: the SSL-only deny and the bucket’s own statement stay in force', async () => {
    const bucket = 'undo-threat-keeps-ssl-deny';
    await bucketWith(bucket, sslOnlyStatement(bucket));
    const { event, id } = scanResult(bucket, 'payload.exe');

    await h.put(event);
    expect(await sids(bucket)).toEqual(['ReportsReader', SSL_ONLY_SID, THREAT_READ_DENY_SID]);
    expect(await inForce(bucket)).toEqual({ plainHttpRefused: true, malwareReadable: false });

    await undoApproved(id);

    expect(await sids(bucket)).toEqual(['ReportsReader', SSL_ONLY_SID]);
    expect(await inForce(bucket)).toEqual({ plainHttpRefused: true, malwareReadable: true });
  });
});
