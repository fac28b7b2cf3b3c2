import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { THREAT_READ_DENY_SID } from '#shared/bucket-policy/threat-read-deny.ts';
import { scanFindingId } from '#shared/findings/guardduty-malware-scan.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
let s3: S3Client;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-malware');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  s3 = new S3Client({ ...config, forcePathStyle: true, maxAttempts: 1 });
}, 120_000);
afterAll(async () => {
  desk?.close();
  s3?.destroy();
  await h?.stop();
});

/** An upload as GuardDuty Malware Protection leaves it: tagged with the scan result. */
async function upload(bucket: string, key: string, result: 'THREATS_FOUND' | 'NO_THREATS_FOUND') {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `contents of ${key}`,
      Tagging: `GuardDutyMalwareScanStatus=${result}`,
    }),
  );
}
const read = async (bucket: string, key: string) =>
  await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
const statements = async (bucket: string) =>
  JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}').Statement as {
    Sid?: string;
  }[];

/** The scan-result event AWS documents (monitor-with-eventbridge-s3-malware-protection.html). */
function scanResult(bucket: string, key: string, versionId: string) {
  return {
    version: '0',
    id: '7a1b2c3d-1111-4222-8333-444455556666',
    source: 'aws.guardduty',
    'detail-type': 'GuardDuty Malware Protection Object Scan Result',
    account: '111122223333',
    time: '2026-12-06T02:10:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:guardduty:us-east-1:111122223333:malware-protection-plan/b4c7f464ab3a4EXAMPLE'],
    detail: {
      schemaVersion: '1.0',
      scanStatus: 'COMPLETED',
      resourceType: 'S3_OBJECT',
      s3ObjectDetails: {
        bucketName: bucket,
        objectKey: key,
        eTag: '0ee5d3a1a9d5f6ad8e0a7f4c2EXAMPLE',
        versionId,
        s3Throttled: false,
      },
      scanResultDetails: {
        scanResultStatus: 'THREATS_FOUND',
        threats: [{ name: 'EICAR-Test-File (not a virus)' }],
      },
    },
  };
}

describe('deny-threat-object-reads, end to end through the sandbox', () => {
  it('a scan result of THREATS_FOUND makes tagged objects unreadable, clean ones readable, other statements kept; undo removes only its statement', async () => {
    const bucket = 'uploads-malware-e2e';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const existing = {
      Sid: 'ReadForTheApp',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
    };
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [existing] }),
      }),
    );
    await upload(bucket, 'invoice.pdf.exe', 'THREATS_FOUND');
    await upload(bucket, 'invoice.pdf', 'NO_THREATS_FOUND');
    expect(await read(bucket, 'invoice.pdf.exe')).toBe('contents of invoice.pdf.exe');

    await h.put(scanResult(bucket, 'invoice.pdf.exe', 'v1'));
    const id = scanFindingId(bucket, 'invoice.pdf.exe', 'v1');

    await expect(read(bucket, 'invoice.pdf.exe')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await read(bucket, 'invoice.pdf')).toBe('contents of invoice.pdf');
    expect((await statements(bucket)).map((s) => s.Sid)).toEqual(['ReadForTheApp', THREAT_READ_DENY_SID]);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutBucketPolicy', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    // Another upload found malicious: the statement is there, nothing is put twice.
    await h.put(scanResult(bucket, 'invoice.pdf.exe', 'v2'));
    const again = scanFindingId(bucket, 'invoice.pdf.exe', 'v2');
    expect((await h.history(again)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutBucketPolicy', 'skipped'],
    ]);
    expect((await statements(bucket)).filter((s) => s.Sid === THREAT_READ_DENY_SID)).toHaveLength(1);

    // A statement added after the run stays through the undo.
    const later = { ...existing, Sid: 'AddedLater' };
    const current = JSON.parse(
      (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy ?? '{}',
    );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ ...current, Statement: [...current.Statement, later] }),
      }),
    );
    const { ended } = await desk.approved(id, { reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect((await statements(bucket)).map((s) => s.Sid)).toEqual(['ReadForTheApp', 'AddedLater']);
    expect(await read(bucket, 'invoice.pdf.exe')).toBe('contents of invoice.pdf.exe');
  });

  it('a bucket without a policy gets one holding only the statement, and undo deletes it', async () => {
    const bucket = 'uploads-no-policy-e2e';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await upload(bucket, 'payload.bin', 'THREATS_FOUND');
    const id = scanFindingId(bucket, 'payload.bin', 'v1');

    await h.put(scanResult(bucket, 'payload.bin', 'v1'));

    await expect(read(bucket, 'payload.bin')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await statements(bucket)).map((s) => s.Sid)).toEqual([THREAT_READ_DENY_SID]);
    const { ended } = await desk.approved(id, { reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
    });
    expect(await read(bucket, 'payload.bin')).toBe('contents of payload.bin');
  });
});
