import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  ListUsersCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { S3Service } from '#sandbox/services/s3.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { StsService } from '#sandbox/services/sts.ts';

const MEMBER = '444455556666';
const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
for (const service of [
  iamService,
  stsService,
  new Ec2Service(),
  new S3Service(),
  new StepFunctionsService(),
]) {
  server.register(service);
}
server.authorizer = stsService;
let endpoint: string;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const defaultKeys: Keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const memberKeys: Keys = { accessKeyId: 'AKIAMEMBER0000000001', secretAccessKey: 'sandbox-secret' };
server.addAccessKey(memberKeys, MEMBER);
const config = (credentials: Keys) => ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

/** A session of a member-account role whose only policy allows `actions`. */
async function sessionAllowed(roleName: string, actions: string[]): Promise<Keys> {
  const iam = new IAMClient(config(memberKeys));
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
  const { Credentials } = await new STSClient(config(defaultKeys)).send(
    new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'playbook' }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

const sessionArn = (roleName: string) => `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/playbook`;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('a role session is held to its role’s identity policies', () => {
  it('refuses an IAM action the role lacks with AccessDenied naming it', async () => {
    const session = await sessionAllowed('keys-reader', ['iam:List*']);
    const iam = new IAMClient(config(session));

    const update = iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000001',
        Status: 'Inactive',
      }),
    );

    await expect(update).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${sessionArn('keys-reader')} is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::${MEMBER}:user/alice because no identity-based policy allows the iam:UpdateAccessKey action`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(iam.send(new ListUsersCommand({}))).resolves.toHaveProperty('Users');
  });

  it('lets the role do what its policy allows, in its account, logged as the session', async () => {
    const session = await sessionAllowed('user-maker', ['iam:CreateUser']);
    const from = server.calls.length;

    const created = await new IAMClient(config(session)).send(new CreateUserCommand({ UserName: 'made' }));

    expect(created.User?.Arn).toBe(`arn:aws:iam::${MEMBER}:user/made`);
    expect(server.calls.slice(from)).toMatchObject([
      {
        service: 'iam',
        operation: 'CreateUser',
        status: 200,
        accountId: MEMBER,
        principalArn: sessionArn('user-maker'),
      },
    ]);
  });

  it('refuses an EC2 action with UnauthorizedOperation', async () => {
    const session = await sessionAllowed('no-ec2', ['iam:*']);

    const describe = new EC2Client(config(session)).send(new DescribeInstancesCommand({}));

    await expect(describe).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
      message: `You are not authorized to perform this operation. User: ${sessionArn('no-ec2')} is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('names S3 actions as IAM does (PutPublicAccessBlock needs s3:PutBucketPublicAccessBlock)', async () => {
    const session = await sessionAllowed('bucket-maker', ['s3:CreateBucket']);
    const s3 = new S3Client({ ...config(session), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'member-logs' }));

    const block = s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: 'member-logs',
        PublicAccessBlockConfiguration: { BlockPublicAcls: true },
      }),
    );

    await expect(block).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${sessionArn('bucket-maker')} is not authorized to perform: s3:PutBucketPublicAccessBlock because no identity-based policy allows the s3:PutBucketPublicAccessBlock action`,
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses a JSON-protocol action with AccessDeniedException (400)', async () => {
    const session = await sessionAllowed('no-states', ['states:Describe*']);

    const list = new SFNClient(config(session)).send(new ListStateMachinesCommand({}));

    await expect(list).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${sessionArn('no-states')} is not authorized to perform: states:ListStateMachines on resource: * because no identity-based policy allows the states:ListStateMachines action`,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('reports an explicit deny as such', async () => {
    const session = await sessionAllowed('denied-keys', ['iam:*']);
    await new IAMClient(config(memberKeys)).send(
      new PutRolePolicyCommand({
        RoleName: 'denied-keys',
        PolicyName: 'guard',
        PolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Deny', Action: 'iam:UpdateAccessKey', Resource: '*' }],
        }),
      }),
    );

    const update = new IAMClient(config(session)).send(
      new UpdateAccessKeyCommand({
        UserName: 'bob',
        AccessKeyId: 'AKIABOB0000000000001',
        Status: 'Inactive',
      }),
    );

    await expect(update).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${sessionArn('denied-keys')} is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::${MEMBER}:user/bob with an explicit deny in an identity-based policy`,
    });
  });

  it('needs no permission for GetCallerIdentity; the sandbox’s own credentials act as the root user', async () => {
    const session = await sessionAllowed('nothing-else', ['iam:GetUser']);

    const identity = await new STSClient(config(session)).send(new GetCallerIdentityCommand({}));
    const listed = await new IAMClient(config(defaultKeys)).send(new ListUsersCommand({}));

    expect(identity.Arn).toBe(sessionArn('nothing-else'));
    expect(listed.Users).toBeDefined();
  });
});
