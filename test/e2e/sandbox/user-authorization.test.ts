import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { StsService } from '#sandbox/services/sts.ts';

const ACCOUNT = '111122223333';
const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
for (const service of [iamService, stsService, new S3Service()]) server.register(service);
server.authorizer = stsService;
let endpoint: string;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const rootKeys: Keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const config = (credentials: Keys) => ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const root = () => new IAMClient(config(rootKeys));
const listBuckets = (keys: Keys) =>
  new S3Client({ ...config(keys), forcePathStyle: true }).send(new ListBucketsCommand({}));
const sessionOf = async (keys: Keys): Promise<Keys> => {
  const { Credentials } = await new STSClient(config(keys)).send(new GetSessionTokenCommand({}));
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
};

/** A user with one access key and, when given, an inline policy `allow` of `actions`. */
async function userWithKey(userName: string, statements: unknown[] = []): Promise<Keys> {
  await root().send(new CreateUserCommand({ UserName: userName }));
  if (statements.length) {
    await root().send(
      new PutUserPolicyCommand({
        UserName: userName,
        PolicyName: 'work',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  }
  const { AccessKey } = await root().send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}
const allowListBuckets = { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' };

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe("an IAM user's long-term key is held to the user's policies", () => {
  it('refuses what no policy of the user allows, and allows what one does', async () => {
    const keys = await userWithKey('erin');

    await expect(listBuckets(keys)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/erin is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`,
      $metadata: { httpStatusCode: 403 },
    });
    await root().send(
      new PutUserPolicyCommand({
        UserName: 'erin',
        PolicyName: 'list',
        PolicyDocument: JSON.stringify({ Statement: [allowListBuckets] }),
      }),
    );
    await expect(listBuckets(keys)).resolves.toHaveProperty('Buckets');
  });

  it('evaluates aws:SourceIp (the loopback the sandbox listens on) in an IpAddress condition', async () => {
    const fromLoopback = await userWithKey('frank', [
      { ...allowListBuckets, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
    ]);
    const fromOffice = await userWithKey('grace', [
      { ...allowListBuckets, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
    ]);

    await expect(listBuckets(fromLoopback)).resolves.toHaveProperty('Buckets');
    await expect(listBuckets(fromOffice)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a deactivated key on every service, in each service’s words', async () => {
    const keys = await userWithKey('heidi', [
      allowListBuckets,
      { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' },
    ]);
    await expect(listBuckets(keys)).resolves.toHaveProperty('Buckets');

    await root().send(
      new UpdateAccessKeyCommand({ UserName: 'heidi', AccessKeyId: keys.accessKeyId, Status: 'Inactive' }),
    );

    await expect(listBuckets(keys)).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(new IAMClient(config(keys)).send(new GetUserCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });
});

describe('GetSessionToken credentials', () => {
  it("act as the user, with the user's policies, until a Deny on aws:TokenIssueTime revokes them", async () => {
    const keys = await userWithKey('ivan', [allowListBuckets]);
    const before = await sessionOf(keys);
    await expect(listBuckets(before)).resolves.toHaveProperty('Buckets');
    const identity = await new STSClient(config(before)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ivan`);

    const revokedAt = new Date().toISOString();
    await root().send(
      new PutUserPolicyCommand({
        UserName: 'ivan',
        PolicyName: 'revoke-older-sessions',
        PolicyDocument: JSON.stringify({
          Statement: [
            {
              Effect: 'Deny',
              Action: '*',
              Resource: '*',
              Condition: { DateLessThan: { 'aws:TokenIssueTime': revokedAt } },
            },
          ],
        }),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));

    await expect(listBuckets(before)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT}:user/ivan is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in an identity-based policy`,
    });
    // The long-term key carries no aws:TokenIssueTime: the Deny does not touch it...
    await expect(listBuckets(keys)).resolves.toHaveProperty('Buckets');
    // ...and a session issued after the Deny works, even once the key that asked for it is Inactive.
    const after = await sessionOf(keys);
    await root().send(
      new UpdateAccessKeyCommand({ UserName: 'ivan', AccessKeyId: keys.accessKeyId, Status: 'Inactive' }),
    );
    await expect(listBuckets(after)).resolves.toHaveProperty('Buckets');
  });

  it('need no permission, may not be asked for with temporary credentials, and cannot call IAM without MFA', async () => {
    const keys = await userWithKey('judy', [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }]);
    const session = await sessionOf(keys);

    await expect(sessionOf(session)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Cannot call GetSessionToken with session credentials',
    });
    await expect(new IAMClient(config(keys)).send(new GetUserCommand({}))).resolves.toHaveProperty('User');
    await expect(new IAMClient(config(session)).send(new GetUserCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});
