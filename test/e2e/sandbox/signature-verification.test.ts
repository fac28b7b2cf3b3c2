import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListUsersCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signIdentityProof } from '#cli/approvals/identity-proof.ts';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { StsService } from '#sandbox/services/sts.ts';
import { APPROVAL_HEADER, verifyIdentityProof } from '#shared/approvals/identity-proof.ts';

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
for (const service of [
  iamService,
  stsService,
  new Ec2Service(),
  new S3Service(),
  new StepFunctionsService(),
  new LambdaService(),
]) {
  server.register(service);
}
let endpoint: string;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

const config = (credentials: SandboxCredentials) => ({
  endpoint,
  region: 'us-east-1',
  credentials,
  // One attempt: the SDK retries what looks like clock skew, and the refusal is what is tested.
  maxAttempts: 1,
});

/** One cheap read per protocol, as each service's own SDK client signs it. */
const CALLS = {
  iam: (c: SandboxCredentials) => new IAMClient(config(c)).send(new ListUsersCommand({})),
  sts: (c: SandboxCredentials) => new STSClient(config(c)).send(new GetCallerIdentityCommand({})),
  ec2: (c: SandboxCredentials) => new EC2Client(config(c)).send(new DescribeInstancesCommand({})),
  states: (c: SandboxCredentials) => new SFNClient(config(c)).send(new ListStateMachinesCommand({})),
  lambda: (c: SandboxCredentials) => new LambdaClient(config(c)).send(new ListFunctionsCommand({})),
  s3: (c: SandboxCredentials) =>
    new S3Client({ ...config(c), forcePathStyle: true }).send(new ListBucketsCommand({})),
};
type Service = keyof typeof CALLS;

/** Sign a request with the SDK's signer (optionally changing it afterwards) and send it. */
async function sendSigned(input: {
  service: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  credentials?: SandboxCredentials;
  signingDate?: Date;
  tamper?: (signed: { headers: Record<string, string>; body?: string }) => void;
}): Promise<{ status: number; text: string }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: input.service,
    region: 'us-east-1',
    credentials: input.credentials ?? SANDBOX_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: input.service !== 's3',
  });
  const signed = await signer.sign(
    {
      method: input.body === undefined ? 'GET' : 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: input.path ?? '/',
      query: input.query ?? {},
      headers: { host: url.host, ...input.headers },
      body: input.body,
    },
    { signingDate: input.signingDate },
  );
  const request = { headers: { ...signed.headers } as Record<string, string>, body: input.body };
  input.tamper?.(request);
  const target = new URL(input.path ?? '/', endpoint);
  for (const [k, v] of Object.entries(input.query ?? {})) target.searchParams.set(k, v);
  const response = await fetch(target, {
    method: input.body === undefined ? 'GET' : 'POST',
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
const LIST_USERS = 'Action=ListUsers&Version=2010-05-08';

describe('SigV4 signatures are verified', () => {
  it('serves a request signed with the default credentials, and refuses it once a signed header is changed', async () => {
    const send = (tamper?: (r: { headers: Record<string, string> }) => void) =>
      sendSigned({
        service: 'iam',
        headers: { ...FORM, 'x-request-purpose': 'list users' },
        body: LIST_USERS,
        tamper,
      });

    const intact = await send();
    const changed = await send((r) => {
      r.headers['x-request-purpose'] = 'delete users';
    });

    expect(intact.status).toBe(200);
    expect(changed.status).toBe(403);
    expect(changed.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('refuses a request whose body was changed after signing', async () => {
    const changed = await sendSigned({
      service: 'iam',
      headers: FORM,
      body: LIST_USERS,
      tamper: (r) => {
        r.body = 'Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fadmin%2F';
      },
    });

    expect(changed.status).toBe(403);
    expect(changed.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it.each<[Service, string, number]>([
    ['iam', 'SignatureDoesNotMatch', 403],
    ['sts', 'SignatureDoesNotMatch', 403],
    ['ec2', 'AuthFailure', 401],
    ['states', 'InvalidSignatureException', 400],
    ['lambda', 'InvalidSignatureException', 403],
    ['s3', 'SignatureDoesNotMatch', 403],
  ])('%s refuses the default key signed with a wrong secret: %s', async (service, name, status) => {
    const call = CALLS[service]({ accessKeyId: SANDBOX_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' });

    await expect(call).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
  });

  it.each<[Service, string, number]>([
    ['iam', 'InvalidClientTokenId', 403],
    ['sts', 'InvalidClientTokenId', 403],
    ['ec2', 'AuthFailure', 401],
    ['states', 'UnrecognizedClientException', 400],
    ['lambda', 'UnrecognizedClientException', 403],
    ['s3', 'InvalidAccessKeyId', 403],
  ])('%s refuses a key id no one issued: %s', async (service, name, status) => {
    const call = CALLS[service]({ accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'sandbox-secret' });

    await expect(call).rejects.toMatchObject({ name, $metadata: { httpStatusCode: status } });
  });

  it('refuses an IAM user key set Inactive on every service, and serves it again once Active', async () => {
    const admin = new IAMClient(config(SANDBOX_CREDENTIALS));
    await admin.send(new CreateUserCommand({ UserName: 'paused' }));
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: 'paused' }));
    const key = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const setStatus = (Status: 'Active' | 'Inactive') =>
      admin.send(new UpdateAccessKeyCommand({ UserName: 'paused', AccessKeyId: key.accessKeyId, Status }));

    const active = await CALLS.sts(key);
    await setStatus('Inactive');
    const refused = await Promise.allSettled([CALLS.sts(key), CALLS.ec2(key), CALLS.states(key)]);
    await setStatus('Active');
    const again = await CALLS.ec2(key);

    expect(active.Arn).toBe('arn:aws:iam::111122223333:user/paused');
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'served'))).toEqual([
      'InvalidClientTokenId',
      'AuthFailure',
      'UnrecognizedClientException',
    ]);
    expect(again.Reservations).toEqual([]);
  });

  it('holds a session key to its own token and refuses it once the session has expired', async () => {
    const admin = new IAMClient(config(SANDBOX_CREDENTIALS));
    await admin.send(
      new CreateRoleCommand({
        RoleName: 'Brief',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: 'arn:aws:iam::111122223333:root' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    const { Credentials } = await new STSClient(config(SANDBOX_CREDENTIALS)).send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::111122223333:role/Brief',
        RoleSessionName: 'short',
        DurationSeconds: 900,
      }),
    );
    const session = {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };

    const served = await CALLS.sts(session);
    await expect(CALLS.sts({ ...session, sessionToken: undefined })).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    await expect(
      CALLS.states({ ...session, sessionToken: `${session.sessionToken.slice(0, -4)}AAAA` }),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    // Sixteen minutes on, for the client (which signs with that date) and the sandbox alike.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 16 * 60_000);
    const expired = await Promise.allSettled([CALLS.sts(session), CALLS.states(session), CALLS.s3(session)]);

    expect(served.Arn).toBe('arn:aws:sts::111122223333:assumed-role/Brief/short');
    expect(expired.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'served'))).toEqual([
      'ExpiredToken',
      'ExpiredTokenException',
      'ExpiredToken',
    ]);
  });

  it('refuses a signature dated more than 15 minutes ago', async () => {
    const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);

    const sts = await sendSigned({
      service: 'sts',
      headers: FORM,
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      signingDate: twentyMinutesAgo,
    });
    const s3 = await sendSigned({
      service: 's3',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      signingDate: twentyMinutesAgo,
    });

    expect([sts.status, s3.status]).toEqual([403, 403]);
    expect(sts.text).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired/);
    expect(s3.text).toContain('<Code>RequestTimeTooSkewed</Code>');
  });

  it('refuses unsigned requests with each protocol’s MissingAuthenticationToken (S3: AccessDenied)', async () => {
    const sts = await fetch(endpoint, {
      method: 'POST',
      headers: FORM,
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    const sfn = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.ListStateMachines',
      },
      body: '{}',
    });
    const s3 = await fetch(`${endpoint}/some-bucket`);

    expect([sts.status, sfn.status, s3.status]).toEqual([403, 400, 403]);
    expect(await sts.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(sfn.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await s3.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('accepts a presigned GetCallerIdentity URL and refuses it once a parameter is changed', async () => {
    const url = new URL(endpoint);
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      sha256: Hash.bind(null, 'sha256'),
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: url.host },
      },
      { expiresIn: 300 },
    );
    const target = new URL('/', endpoint);
    for (const [k, v] of Object.entries(presigned.query ?? {})) target.searchParams.set(k, String(v));
    const altered = new URL(target);
    altered.searchParams.set('Version', '2011-06-16');

    const served = await fetch(target);
    const refused = await fetch(altered);

    expect(served.status).toBe(200);
    expect(await served.text()).toContain('<Arn>arn:aws:iam::111122223333:user/sandbox</Arn>');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('a forged or altered identity proof is refused by STS itself', async () => {
    const now = new Date();
    const proof = await signIdentityProof({
      purpose: 'apr-0123456789abcdef:deny',
      region: 'us-east-1',
      credentials: SANDBOX_CREDENTIALS,
      endpoint,
    });
    // Changed after signing: the header the decision function checks now says approve.
    const altered = {
      ...proof,
      headers: { ...proof.headers, [APPROVAL_HEADER]: 'apr-0123456789abcdef:approve' },
    };
    const forged = await signIdentityProof({
      purpose: 'apr-0123456789abcdef:approve',
      region: 'us-east-1',
      credentials: { accessKeyId: SANDBOX_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' },
      endpoint,
    });
    const check = (p: typeof proof, purpose: string) =>
      verifyIdentityProof(p, purpose, { configuredEndpoint: endpoint, now });

    const genuine = await check(proof, 'apr-0123456789abcdef:deny');

    expect(genuine).toBe('arn:aws:iam::111122223333:user/sandbox');
    await expect(check(altered, 'apr-0123456789abcdef:approve')).rejects.toThrow(
      'STS did not accept the proof: SignatureDoesNotMatch',
    );
    await expect(check(forged, 'apr-0123456789abcdef:approve')).rejects.toThrow(
      'STS did not accept the proof: SignatureDoesNotMatch',
    );
  });
});
