import { request } from 'node:http';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { S3ControlService } from '#sandbox/services/s3-control.ts';
import { restCall } from './signed-request.ts';

const server = new SandboxServer();
const s3 = new S3Service();
const control = new S3ControlService();
server.register(s3);
server.register(control);
let endpoint: string;
const PATH = '/v20180820/configuration/publicAccessBlock';
const XMLNS = 'xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"';

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());

/**
 * A signed GET of the configuration with its own `Host` header (fetch would replace it), as a
 * client addressing `{AccountId}.s3-control.<region>.amazonaws.com` sends it.
 */
async function signedGetWithHost(
  host: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { port } = new URL(endpoint);
  const signed = await new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  }).sign({ method: 'GET', protocol: 'http:', hostname: host, path: PATH, headers: { host, ...headers } });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'GET', path: PATH, headers: signed.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A signed S3 Control PUT of the account's configuration, as the SDK would never send it. */
const putBlock = (
  body: string,
  headers: Record<string, string> = { 'x-amz-account-id': SANDBOX_ACCOUNT_ID },
) => restCall(endpoint, { service: 's3', method: 'PUT', path: PATH, headers, body });

describe('REST-XML (S3 Control), read and written from its own SDK model', () => {
  it('refuses a setting of the wrong type with MalformedXML and keeps no configuration', async () => {
    const answer = await putBlock(
      `<PublicAccessBlockConfiguration ${XMLNS}><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>`,
    );

    expect([answer.status, answer.code]).toEqual([400, 'MalformedXML']);
    expect(control.accountBlock(SANDBOX_ACCOUNT_ID)).toBeUndefined();
  });

  it('refuses an element the schema does not have with MalformedXML', async () => {
    const answer = await putBlock(
      `<PublicAccessBlockConfiguration ${XMLNS}><BlockPublicAcl>true</BlockPublicAcl></PublicAccessBlockConfiguration>`,
    );

    expect([answer.status, answer.code]).toEqual([400, 'MalformedXML']);
    expect(control.accountBlock(SANDBOX_ACCOUNT_ID)).toBeUndefined();
  });

  it('writes the configuration from the output shape, in its namespace', async () => {
    await putBlock(
      `<PublicAccessBlockConfiguration ${XMLNS}><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
    );
    const answer = await restCall(endpoint, {
      service: 's3',
      method: 'GET',
      path: PATH,
      headers: { 'x-amz-account-id': SANDBOX_ACCOUNT_ID },
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`<PublicAccessBlockConfiguration ${XMLNS}>`);
    expect(answer.body).toContain('<RestrictPublicBuckets>true</RestrictPublicBuckets>');
    expect(answer.body).toContain('<BlockPublicAcls>false</BlockPublicAcls>');
  });

  it('takes the account from the host prefix, and refuses a header that names another', async () => {
    const get = (headers: Record<string, string>) =>
      signedGetWithHost(`${SANDBOX_ACCOUNT_ID}.s3-control.us-east-1.amazonaws.com`, headers);

    const byHost = await get({});
    const disagreeing = await get({ 'x-amz-account-id': '444455556666' });

    expect(byHost.status).toBe(200);
    expect(byHost.body).toContain('<RestrictPublicBuckets>true</RestrictPublicBuckets>');
    expect([disagreeing.status, /<Code>(\w+)/.exec(disagreeing.body)?.[1]]).toEqual([400, 'InvalidRequest']);
  });

  it('leaves a bucket named like the API version to S3', async () => {
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await client.send(new CreateBucketCommand({ Bucket: 'v20180820' }));
    await client.send(
      new PutObjectCommand({ Bucket: 'v20180820', Key: 'configuration/publicAccessBlock', Body: 'x' }),
    );
    client.destroy();

    expect(s3.bucket('v20180820')?.objects?.has('configuration/publicAccessBlock')).toBe(true);
    expect(server.calls.at(-1)).toMatchObject({ service: 's3', operation: 'PutObject' });
  });
});
