import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { S3_CONTROL_CLIENT_CONFIG } from '#sandbox/s3-control-endpoint.ts';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { S3ControlService } from '#sandbox/services/s3-control.ts';

const server = new SandboxServer();
const s3 = new S3Service();
const control = new S3ControlService();
server.register(s3);
server.register(control);
const OTHER = { accessKeyId: 'AKIAOTHERACCOUNT0001', secretAccessKey: 'other-secret' };
let endpoint: string;
let client: S3ControlClient;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  server.addAccessKey(OTHER, '444455556666');
  client = new S3ControlClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: SANDBOX_CREDENTIALS,
    ...S3_CONTROL_CLIENT_CONFIG,
  });
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const ALL_ON = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

describe('sandbox S3 Control: the account Block Public Access configuration, through the real SDK client', () => {
  it('answers an account without one with the modelled NoSuchPublicAccessBlockConfiguration (404)', async () => {
    const error = await client
      .send(new GetPublicAccessBlockCommand({ AccountId: SANDBOX_ACCOUNT_ID }))
      .catch((e) => e);

    expect(error).toMatchObject({
      name: 'NoSuchPublicAccessBlockConfiguration',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('puts, reads back (a setting left out is off) and deletes the configuration', async () => {
    await client.send(
      new PutPublicAccessBlockCommand({
        AccountId: SANDBOX_ACCOUNT_ID,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      }),
    );
    const read = await client.send(new GetPublicAccessBlockCommand({ AccountId: SANDBOX_ACCOUNT_ID }));
    expect(read.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: true,
    });
    expect(control.accountBlock(SANDBOX_ACCOUNT_ID)).toEqual(read.PublicAccessBlockConfiguration);

    await client.send(new DeletePublicAccessBlockCommand({ AccountId: SANDBOX_ACCOUNT_ID }));
    expect(control.accountBlock(SANDBOX_ACCOUNT_ID)).toBeUndefined();
  });

  it("refuses to read or change another account's configuration (AccessDenied)", async () => {
    const other = new S3ControlClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: OTHER,
      ...S3_CONTROL_CLIENT_CONFIG,
    });
    const error = await other
      .send(
        new PutPublicAccessBlockCommand({
          AccountId: SANDBOX_ACCOUNT_ID,
          PublicAccessBlockConfiguration: ALL_ON,
        }),
      )
      .catch((e) => e);
    other.destroy();

    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(control.accountBlock(SANDBOX_ACCOUNT_ID)).toBeUndefined();
  });

  it('still serves S3 itself on the same endpoint and signing name', async () => {
    const bucketClient = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: SANDBOX_CREDENTIALS,
    });
    await bucketClient.send(new CreateBucketCommand({ Bucket: 'control-and-buckets' }));
    bucketClient.destroy();

    expect(s3.bucket('control-and-buckets')).toBeDefined();
    expect(server.calls.at(-1)).toMatchObject({ service: 's3', operation: 'CreateBucket' });
  });
});
