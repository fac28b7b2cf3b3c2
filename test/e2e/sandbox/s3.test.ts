import { request } from 'node:http';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { S3Service } from '#sandbox/services/s3.ts';

const server = new SandboxServer();
const s3Service = new S3Service();
server.register(s3Service);
let endpoint: string;

function s3Client(accessKeyId = 'AKIAIOSFODNN7EXAMPLE'): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    // The sandbox is one host: buckets go in the path, not in a DNS name.
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey: 'sandbox-secret' },
  });
}

const allBlocked = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  });
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('S3 buckets', () => {
  it('creates a bucket that HeadBucket and ListBuckets see', async () => {
    const s3 = s3Client();

    await s3.send(new CreateBucketCommand({ Bucket: 'evidence-bucket' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'evidence-bucket' }));
    const listed = await s3.send(new ListBucketsCommand({}));

    expect(head.BucketRegion).toBe('us-east-1');
    expect(listed.Buckets).toContainEqual(
      expect.objectContaining({ Name: 'evidence-bucket', CreationDate: expect.any(Date) }),
    );
    expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 404 NotFound to HeadBucket and NoSuchBucket to other calls for an unknown bucket', async () => {
    const s3 = s3Client();

    await expect(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new GetPublicAccessBlockCommand({ Bucket: 'no-such-bucket' })),
    ).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('refuses an invalid bucket name and a name another account owns', async () => {
    server.addAccessKey(
      { accessKeyId: 'AKIAOTHERACCOUNT0002', secretAccessKey: 'sandbox-secret' },
      '444455556666',
    );
    await s3Client().send(new CreateBucketCommand({ Bucket: 'taken-bucket' }));

    const invalid = s3Client().send(new CreateBucketCommand({ Bucket: 'Upper_Case' }));
    const taken = s3Client('AKIAOTHERACCOUNT0002').send(new CreateBucketCommand({ Bucket: 'taken-bucket' }));

    // Both calls are in flight at once: mark the later one handled so its rejection is not reported
    // as unhandled while the first is awaited; the expectation below still checks it.
    taken.catch(() => undefined);
    await expect(invalid).rejects.toMatchObject({ name: 'InvalidBucketName' });
    await expect(taken).rejects.toMatchObject({
      name: 'BucketAlreadyExists',
      $metadata: { httpStatusCode: 409 },
    });
  });
});

describe('S3 Block Public Access', () => {
  it('has no configuration until one is put, and none after it is deleted', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'pab-bucket' }));

    const before = s3.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }));
    await expect(before).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      $metadata: { httpStatusCode: 404 },
    });
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'pab-bucket',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
      }),
    );
    const stored = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'pab-bucket' }));

    expect(stored.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'pab-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
    });
  });

  it('reads the same bucket through a virtual-hosted request', async () => {
    await s3Client().send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
    await s3Client().send(
      new PutPublicAccessBlockCommand({ Bucket: 'vhost-bucket', PublicAccessBlockConfiguration: allBlocked }),
    );

    const { status, body } = await rawS3Get(
      `vhost-bucket.localhost:${new URL(endpoint).port}`,
      '/?publicAccessBlock',
    );

    expect(status).toBe(200);
    expect(body).toContain('<RestrictPublicBuckets>true</RestrictPublicBuckets>');
  });
});

describe('S3 bucket policy', () => {
  it('reports a public policy as public until Block Public Access restricts it', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'made-public' }));

    await s3.send(
      new PutBucketPolicyCommand({ Bucket: 'made-public', Policy: publicReadPolicy('made-public') }),
    );
    const stored = await s3.send(new GetBucketPolicyCommand({ Bucket: 'made-public' }));
    const exposed = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'made-public' }));
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: 'made-public', PublicAccessBlockConfiguration: allBlocked }),
    );
    const blocked = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'made-public' }));

    expect(stored.Policy).toBe(publicReadPolicy('made-public'));
    expect(exposed.PolicyStatus?.IsPublic).toBe(true);
    expect(blocked.PolicyStatus?.IsPublic).toBe(false);
  });

  it('does not count a policy limited to one account as public', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'private-policy' }));
    const policy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*' }],
    });

    await s3.send(new PutBucketPolicyCommand({ Bucket: 'private-policy', Policy: policy }));
    const status = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'private-policy' }));

    expect(status.PolicyStatus?.IsPublic).toBe(false);
  });

  it('refuses a public policy with AccessDenied once BlockPublicPolicy is on', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'guarded' }));
    await s3.send(
      new PutPublicAccessBlockCommand({ Bucket: 'guarded', PublicAccessBlockConfiguration: allBlocked }),
    );

    const put = s3.send(
      new PutBucketPolicyCommand({ Bucket: 'guarded', Policy: publicReadPolicy('guarded') }),
    );

    await expect(put).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(s3Service.bucket('guarded')?.policy).toBeUndefined();
  });

  it('rejects a policy that is not JSON with MalformedPolicy', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'typo-policy' }));

    const put = s3.send(new PutBucketPolicyCommand({ Bucket: 'typo-policy', Policy: '{"Statement": [' }));

    await expect(put).rejects.toMatchObject({ name: 'MalformedPolicy', $metadata: { httpStatusCode: 400 } });
  });

  it('deletes the policy, after which it is NoSuchBucketPolicy', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'policy-removed' }));
    await s3.send(
      new PutBucketPolicyCommand({ Bucket: 'policy-removed', Policy: publicReadPolicy('policy-removed') }),
    );

    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'policy-removed' }));

    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'policy-removed' }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('surfaces an injected fault on PutPublicAccessBlock, then applies it', async () => {
    const s3 = s3Client();
    await s3.send(new CreateBucketCommand({ Bucket: 'flaky-pab' }));
    server.faults.add({
      service: 's3',
      operation: 'PutPublicAccessBlock',
      code: 'SlowDown',
      status: 503,
      times: 1,
    });
    const put = new PutPublicAccessBlockCommand({
      Bucket: 'flaky-pab',
      PublicAccessBlockConfiguration: allBlocked,
    });

    await expect(s3.send(put)).rejects.toMatchObject({
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    expect(s3Service.bucket('flaky-pab')?.publicAccessBlock).toBeUndefined();
    await s3.send(put);

    expect(s3Service.bucket('flaky-pab')?.publicAccessBlock).toEqual(allBlocked);
  });
});

/** A GET to a virtual-hosted bucket name, signed with the default credentials as an S3 client would. */
async function rawS3Get(host: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  const [pathname = '/', search = ''] = path.split('?');
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: host,
    path: pathname,
    query: Object.fromEntries(new URLSearchParams(search)),
    headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers: signed.headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}
