import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetInstanceProfileCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListUsersCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { formCall } from './signed-request.ts';

const server = new SandboxServer();
const iam = new IamService();
server.register(iam);
let endpoint: string;
let client: IAMClient;
const call = (params: Record<string, string>) =>
  formCall(endpoint, 'iam', { Version: '2010-05-08', ...params });

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  client = new IAMClient({ endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
});
afterAll(() => server.close());

describe('IAM, read and written from the SDK model', () => {
  it('round-trips tags, nested lists, numbers, dates and paging through a real client', async () => {
    await client.send(new CreateUserCommand({ UserName: 'ana', Tags: [{ Key: 'team', Value: 'sec' }] }));
    await client.send(new CreateUserCommand({ UserName: 'bo', Path: '/ops/' }));
    await client.send(
      new TagUserCommand({
        UserName: 'ana',
        Tags: [
          { Key: 'team', Value: 'payments' },
          { Key: 'tier', Value: '1' },
        ],
      }),
    );
    await client.send(new UntagUserCommand({ UserName: 'ana', TagKeys: ['tier'] }));
    await client.send(
      new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200 }),
    );
    await client.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-profile' }));
    await client.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-profile', RoleName: 'web' }),
    );
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
    });
    await client.send(
      new PutRolePolicyCommand({ RoleName: 'web', PolicyName: 'deny', PolicyDocument: policy }),
    );

    const firstPage = await client.send(new ListUsersCommand({ MaxItems: 1 }));
    const secondPage = await client.send(new ListUsersCommand({ Marker: firstPage.Marker }));
    const { Tags } = await client.send(new ListUserTagsCommand({ UserName: 'ana' }));
    const { InstanceProfile } = await client.send(
      new GetInstanceProfileCommand({ InstanceProfileName: 'web-profile' }),
    );
    const { PolicyDocument } = await client.send(
      new GetRolePolicyCommand({ RoleName: 'web', PolicyName: 'deny' }),
    );

    expect(firstPage.Users?.map((u) => u.UserName)).toEqual(['ana']);
    expect(firstPage.IsTruncated).toBe(true);
    expect(secondPage.Users?.map((u) => [u.UserName, u.Path])).toEqual([['bo', '/ops/']]);
    expect(secondPage.IsTruncated).toBe(false);
    expect(secondPage.Users?.[0]?.CreateDate).toBeInstanceOf(Date);
    expect(Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    expect(InstanceProfile?.Roles?.map((r) => [r.RoleName, r.MaxSessionDuration])).toEqual([['web', 7200]]);
    expect(JSON.parse(decodeURIComponent(PolicyDocument ?? ''))).toEqual(JSON.parse(policy));
  });

  it('refuses an unknown parameter with ValidationError and creates nothing', async () => {
    const answer = await call({ Action: 'CreateUser', UserName: 'typo', 'Tag.member.1.Key': 'team' });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("'Tag'");
    expect(iam.user(SANDBOX_ACCOUNT_ID, 'typo')).toBeUndefined();
  });

  it('refuses a missing required parameter with ValidationError naming the member', async () => {
    const answer = await call({ Action: 'CreateRole', RoleName: 'no-trust' });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain(
      "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses a value of the wrong type with ValidationError', async () => {
    const answer = await call({
      Action: 'CreateRole',
      RoleName: 'long-sessions',
      AssumeRolePolicyDocument: TRUST,
      MaxSessionDuration: 'all-day',
    });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("Value 'all-day' at 'maxSessionDuration' failed to satisfy constraint");
  });

  it('refuses a value outside the enum with ValidationError', async () => {
    await call({ Action: 'CreateUser', UserName: 'carla' });
    const answer = await call({
      Action: 'UpdateAccessKey',
      UserName: 'carla',
      AccessKeyId: 'AKIA0000',
      Status: 'Off',
    });

    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain('Member must satisfy enum value set: [Active, Expired, Inactive]');
  });
});
