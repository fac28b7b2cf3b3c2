import {
  CreateBucketCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { restCall } from './signed-request.ts';

const server = new SandboxServer();
server.register(new S3Service());
let endpoint: string;
let s3: S3Client;
const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'wire-bucket' }));
});
afterAll(() => server.close());

/** A signed PUT of `body` to `/bucket` with the given subresource (`publicAccessBlock`), if any. */
const put = (path: string, body: string, subresource?: string) =>
  restCall(endpoint, {
    service: 's3',
    method: 'PUT',
    path,
    body,
    query: subresource ? { [subresource]: '' } : {},
  });

describe('REST-XML (S3), read and written from the SDK model', () => {
  it('round-trips XML payloads, headers and lists through a real client', async () => {
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'eu-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    await s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'eu-bucket',
        PublicAccessBlockConfiguration: { BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'wire-bucket',
        Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] }),
      }),
    );
    const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'eu-bucket' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'eu-bucket' }));
    const status = await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'wire-bucket' }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));

    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(head.BucketRegion).toBe('eu-west-1');
    expect(status.PolicyStatus?.IsPublic).toBe(true);
    expect(Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['eu-bucket', 'eu-west-1'],
      ['wire-bucket', 'us-east-1'],
    ]);
    expect(Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
  });

  it('refuses an element the schema does not have with MalformedXML', async () => {
    const answer = await put(
      '/wire-bucket',
      `<PublicAccessBlockConfiguration ${XMLNS}><BlockPublicAcls>true</BlockPublicAcls><BlockEverything>true</BlockEverything></PublicAccessBlockConfiguration>`,
      'publicAccessBlock',
    );
    expect([answer.status, answer.code]).toEqual([400, 'MalformedXML']);
  });

  it('refuses a request without the body it requires with MissingRequestBodyError', async () => {
    const answer = await put('/wire-bucket', '', 'publicAccessBlock');
    expect([answer.status, answer.code]).toEqual([400, 'MissingRequestBodyError']);
  });

  it('refuses a value of the wrong type with MalformedXML, leaving the configuration as it was', async () => {
    const answer = await put(
      '/wire-bucket',
      `<PublicAccessBlockConfiguration ${XMLNS}><BlockPublicPolicy>yes</BlockPublicPolicy></PublicAccessBlockConfiguration>`,
      'publicAccessBlock',
    );
    expect([answer.status, answer.code]).toEqual([400, 'MalformedXML']);
    await expect(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'wire-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
    });
  });

  it('refuses a value outside the enum with InvalidArgument', async () => {
    const answer = await put(
      '/mars-bucket',
      `<CreateBucketConfiguration ${XMLNS}><LocationConstraint>mars-north-1</LocationConstraint></CreateBucketConfiguration>`,
    );
    expect([answer.status, answer.code]).toEqual([400, 'InvalidArgument']);
    expect(answer.message).toContain('mars-north-1');
  });

  it('answers a request it does not implement with 501 NotImplemented', async () => {
    const answer = await restCall(endpoint, {
      service: 's3',
      method: 'GET',
      path: '/wire-bucket',
      query: { versioning: '' },
    });
    expect([answer.status, answer.code]).toEqual([501, 'NotImplemented']);
  });
});
