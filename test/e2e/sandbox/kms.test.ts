import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GenerateMacCommand,
  InvalidKeyUsageException,
  KMSClient,
  KMSInvalidMacException,
  NotFoundException,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { KmsService } from '#sandbox/services/kms.ts';
import { StsService } from '#sandbox/services/sts.ts';

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
for (const service of [iamService, stsService, new KmsService()]) server.register(service);
server.authorizer = stsService;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const admin: Keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
let endpoint: string;
const config = (credentials: Keys) => ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const message = new TextEncoder().encode('audit record digest');

/** A role session whose only policy allows `actions`. */
async function sessionAllowed(roleName: string, actions: string[]): Promise<Keys> {
  const iam = new IAMClient(config(admin));
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'work',
      PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
    }),
  );
  iam.destroy();
  const sts = new STSClient(config(admin));
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: 'test' }),
  );
  sts.destroy();
  return {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken as string,
  };
}

let kms: KMSClient;
let keyArn: string;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  kms = new KMSClient(config(admin));
  const { KeyMetadata } = await kms.send(
    new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'trail' }),
  );
  keyArn = KeyMetadata?.Arn as string;
});
afterAll(async () => {
  kms?.destroy();
  await server.close();
});

describe('sandbox KMS HMAC keys', () => {
  it('creates an HMAC_256 key that DescribeKey reports with its one MAC algorithm, also by alias', async () => {
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/test/trail', TargetKeyId: keyArn }));
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/test/trail' }));
    expect(KeyMetadata).toMatchObject({
      Arn: keyArn,
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      KeyState: 'Enabled',
      MacAlgorithms: ['HMAC_SHA_256'],
    });
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/test/none' }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('verifies a MAC it generated, and refuses a changed message or MAC with KMSInvalidMacException', async () => {
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: 'alias/test/trail', MacAlgorithm: 'HMAC_SHA_256', Message: message }),
    );
    expect(Mac).toHaveLength(32);
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac }),
    );
    expect(verified.MacValid).toBe(true);
    const changed = new TextEncoder().encode('audit record digesT');
    await expect(
      kms.send(new VerifyMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: changed, Mac })),
    ).rejects.toBeInstanceOf(KMSInvalidMacException);
    const forged = new Uint8Array(32).fill(7);
    await expect(
      kms.send(
        new VerifyMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac: forged }),
      ),
    ).rejects.toBeInstanceOf(KMSInvalidMacException);
  });

  it('refuses an algorithm the key does not support, and a MAC with an encryption key', async () => {
    await expect(
      kms.send(new GenerateMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_512', Message: message })),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await expect(
      kms.send(
        new GenerateMacCommand({ KeyId: KeyMetadata?.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: message }),
      ),
    ).rejects.toBeInstanceOf(InvalidKeyUsageException);
  });

  it('holds role sessions to their policies: a verifier may verify but not generate MACs', async () => {
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message }),
    );
    const verifier = new KMSClient(config(await sessionAllowed('Verifier', ['kms:VerifyMac'])));
    const verified = await verifier.send(
      new VerifyMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac }),
    );
    expect(verified.MacValid).toBe(true);
    await expect(
      verifier.send(
        new GenerateMacCommand({ KeyId: keyArn, MacAlgorithm: 'HMAC_SHA_256', Message: message }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/not authorized to perform: kms:GenerateMac/),
    });
    verifier.destroy();
  });
});
