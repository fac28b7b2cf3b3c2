import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StsService } from '#sandbox/services/sts.ts';

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
server.register(iamService);
server.register(stsService);
server.authorizer = stsService;
const keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
let endpoint: string;
let iam: IAMClient;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  iam = new IAMClient({ endpoint, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
});

afterAll(async () => {
  iam.destroy();
  await server.close();
});

const allowListUsers = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }],
});

async function roleSession(roleName: string) {
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::111122223333:role/${roleName}`,
      RoleSessionName: 'reader',
    }),
  );
  return new IAMClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId as string,
      secretAccessKey: Credentials?.SecretAccessKey as string,
      sessionToken: Credentials?.SessionToken as string,
    },
  });
}

describe('IAM customer managed policies', () => {
  it('an attached managed policy allows what it says, and stops allowing it once detached', async () => {
    const session = await roleSession('managed-reader');
    await expect(session.send(new ListUsersCommand({}))).rejects.toThrow(
      /not authorized to perform: iam:ListUsers/,
    );
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'list-users', PolicyDocument: allowListUsers }),
    );
    expect(Policy?.Arn).toBe('arn:aws:iam::111122223333:policy/list-users');
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-reader', PolicyArn: Policy?.Arn }));
    await expect(session.send(new ListUsersCommand({}))).resolves.toBeDefined();
    const { AttachedPolicies } = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'managed-reader' }),
    );
    expect(AttachedPolicies).toEqual([{ PolicyName: 'list-users', PolicyArn: Policy?.Arn }]);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'managed-reader', PolicyArn: Policy?.Arn }));
    await expect(session.send(new ListUsersCommand({}))).rejects.toThrow(/not authorized/);
    session.destroy();
  });

  it("refuses a document over IAM's 6,144 characters and an 11th policy on one role", async () => {
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:ListUsers',
          Resource: `arn:aws:iam::111122223333:user/${'x'.repeat(6_200)}`,
        },
      ],
    });
    await expect(
      iam.send(new CreatePolicyCommand({ PolicyName: 'too-big', PolicyDocument: big })),
    ).rejects.toThrow(/PolicySize/);
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'many-policies',
        AssumeRolePolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    for (let i = 1; i <= 11; i++) {
      const { Policy } = await iam.send(
        new CreatePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: allowListUsers }),
      );
      const attach = iam.send(
        new AttachRolePolicyCommand({ RoleName: 'many-policies', PolicyArn: Policy?.Arn }),
      );
      if (i <= 10) await attach;
      else await expect(attach).rejects.toThrow(/PoliciesPerRole/);
    }
  });
});
