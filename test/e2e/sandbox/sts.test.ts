import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StsService } from '#sandbox/services/sts.ts';

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
server.register(iamService);
server.register(stsService);
server.authorizer = stsService;
let endpoint: string;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const defaultKeys: Keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

function stsClient(credentials: Keys = defaultKeys, maxAttempts?: number): STSClient {
  return new STSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts });
}

function iamClient(credentials: Keys = defaultKeys): IAMClient {
  return new IAMClient({ endpoint, region: 'us-east-1', credentials });
}

const trustSandboxAccount = JSON.stringify({
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:root` },
      Action: 'sts:AssumeRole',
    },
  ],
});

/** Keys that act in the member account 444455556666, where the roles to assume are created. */
const memberKeys: Keys = { accessKeyId: 'AKIAMEMBER0000000001', secretAccessKey: 'sandbox-secret' };
server.addAccessKey(memberKeys, '444455556666');

/** Create a role in the member account that the sandbox account may assume, allowed `actions`. */
async function memberRole(roleName: string, actions: string[], path = '/'): Promise<string> {
  const iam = iamClient(memberKeys);
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, Path: path, AssumeRolePolicyDocument: trustSandboxAccount }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'work',
      PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
    }),
  );
  return Role!.Arn!;
}

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('STS GetCallerIdentity', () => {
  it('names the sandbox user of the default account for a key IAM did not issue', async () => {
    const identity = await stsClient().send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe(SANDBOX_ACCOUNT_ID);
    expect(identity.Arn).toBe(`arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/sandbox`);
    expect(identity.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  it('names the IAM user that owns the signing key', async () => {
    const iam = iamClient();
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }));

    const identity = await stsClient({
      accessKeyId: AccessKey!.AccessKeyId!,
      secretAccessKey: AccessKey!.SecretAccessKey!,
    }).send(new GetCallerIdentityCommand({}));

    expect(identity).toMatchObject({ Account: SANDBOX_ACCOUNT_ID, Arn: User?.Arn, UserId: User?.UserId });
  });

  it('refuses a key that has been made inactive', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'leaked' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'leaked' }));
    const leakedKeys = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await stsClient(leakedKeys).send(new GetCallerIdentityCommand({}));

    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'leaked',
        AccessKeyId: AccessKey?.AccessKeyId,
        Status: 'Inactive',
      }),
    );
    const refused = stsClient(leakedKeys).send(new GetCallerIdentityCommand({}));

    await expect(refused).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('surfaces an injected AccessDenied fault', async () => {
    server.faults.add({ service: 'sts', operation: 'GetCallerIdentity', code: 'AccessDenied', times: 1 });

    const denied = stsClient(defaultKeys, 1).send(new GetCallerIdentityCommand({}));

    await expect(denied).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(stsClient().send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: SANDBOX_ACCOUNT_ID,
    });
  });
});

describe('STS AssumeRole', () => {
  it('issues temporary ASIA credentials that act in the role’s account', async () => {
    const roleArn = await memberRole('RemediationExecution', ['iam:CreateUser'], '/remediation/');
    const requestedAt = Date.now();

    const assumed = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'playbook', DurationSeconds: 900 }),
    );
    const credentials = assumed.Credentials!;
    const sessionKeys = {
      accessKeyId: credentials.AccessKeyId!,
      secretAccessKey: credentials.SecretAccessKey!,
      sessionToken: credentials.SessionToken!,
    };
    const identity = await stsClient(sessionKeys).send(new GetCallerIdentityCommand({}));
    const created = await iamClient(sessionKeys).send(new CreateUserCommand({ UserName: 'made-by-role' }));

    expect(credentials.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials.SessionToken?.length).toBeGreaterThan(100);
    // Expiration is DurationSeconds after issue: between the request and now, plus 900 s.
    expect(credentials.Expiration!.getTime()).toBeGreaterThanOrEqual(requestedAt + 900_000);
    expect(credentials.Expiration!.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::444455556666:assumed-role/RemediationExecution/playbook',
    );
    expect(identity).toMatchObject({
      Account: '444455556666',
      Arn: 'arn:aws:sts::444455556666:assumed-role/RemediationExecution/playbook',
      UserId: assumed.AssumedRoleUser?.AssumedRoleId,
    });
    expect(roleArn).toBe('arn:aws:iam::444455556666:role/remediation/RemediationExecution');
    expect(created.User?.Arn).toBe('arn:aws:iam::444455556666:user/made-by-role');
  });

  it('uses the id and session limit of a role IAM knows', async () => {
    const { Role } = await iamClient().send(
      new CreateRoleCommand({ RoleName: 'responder', AssumeRolePolicyDocument: trustSandboxAccount }),
    );

    const assumed = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: 'oncall' }),
    );
    const tooLong = stsClient().send(
      new AssumeRoleCommand({ RoleArn: Role?.Arn, RoleSessionName: 'oncall', DurationSeconds: 7200 }),
    );

    expect(assumed.AssumedRoleUser?.AssumedRoleId).toBe(`${Role?.RoleId}:oncall`);
    await expect(tooLong).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it.each([
    ['a malformed role ARN', 'arn:aws:iam::123:role/x', 'session'],
    ['a session name with spaces', 'arn:aws:iam::444455556666:role/x', 'has spaces'],
  ])('rejects %s with ValidationError', async (_case, roleArn, sessionName) => {
    const assume = stsClient().send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }),
    );

    await expect(assume).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('lets the demo look up what a session key stands for', async () => {
    const roleArn = await memberRole('Auditor', ['iam:Get*']);
    const assumed = await stsClient().send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'audit' }),
    );

    const session = stsService.session(assumed.Credentials!.AccessKeyId!);
    const me = iamClient({
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    }).send(new GetUserCommand({}));

    expect(session).toMatchObject({ accountId: '444455556666', roleName: 'Auditor', sessionName: 'audit' });
    // A role session is not an IAM user: GetUser without a name needs one.
    await expect(me).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
