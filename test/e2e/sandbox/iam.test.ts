import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListInstanceProfilesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';

const server = new SandboxServer();
const iamService = new IamService();
server.register(iamService);
let endpoint: string;

function iamClient(
  accessKeyId = 'AKIAIOSFODNN7EXAMPLE',
  options: { maxAttempts?: number; secretAccessKey?: string } = {},
): IAMClient {
  const { secretAccessKey = 'sandbox-secret', ...rest } = options;
  return new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    ...rest,
  });
}

const denyAll = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
});
const ec2Trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('IAM users', () => {
  it('creates a user that GetUser and ListUsers then describe', async () => {
    const iam = iamClient();

    const created = await iam.send(
      new CreateUserCommand({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'payments' }] }),
    );
    const fetched = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    const listed = await iam.send(new ListUsersCommand({}));

    expect(created.User?.Arn).toBe(`arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/alice`);
    expect(created.User?.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
    expect(fetched.User).toMatchObject({ UserName: 'alice', UserId: created.User?.UserId, Path: '/' });
    expect(fetched.User?.CreateDate).toBeInstanceOf(Date);
    expect(fetched.User?.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
    expect(listed.Users?.map((u) => u.UserName)).toContain('alice');
  });

  it('refuses a second user whose name differs only in case', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));

    const duplicate = iam.send(new CreateUserCommand({ UserName: 'BOB' }));

    await expect(duplicate).rejects.toMatchObject({
      name: 'EntityAlreadyExistsException',
      $metadata: { httpStatusCode: 409 },
    });
  });

  it('answers NoSuchEntity (404) for an unknown user', async () => {
    const missing = iamClient().send(new GetUserCommand({ UserName: 'nobody' }));

    await expect(missing).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      message: 'The user with name nobody cannot be found.',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('tags, untags and lists user tags', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }] }));

    await iam.send(
      new TagUserCommand({
        UserName: 'tagged',
        Tags: [
          { Key: 'a', Value: '2' },
          { Key: 'remediation:quarantined', Value: 'true' },
        ],
      }),
    );
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['a'] }));
    const tags = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));

    expect(tags.Tags).toEqual([{ Key: 'remediation:quarantined', Value: 'true' }]);
    expect(tags.IsTruncated).toBe(false);
  });

  it('pages ListUsers with MaxItems and Marker', async () => {
    const iam = iamClient();
    for (const name of ['page-1', 'page-2', 'page-3'])
      await iam.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));

    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    const second = await iam.send(
      new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }),
    );

    expect(first.Users?.map((u) => u.UserName)).toEqual(['page-1', 'page-2']);
    expect(first.IsTruncated).toBe(true);
    expect(second.Users?.map((u) => u.UserName)).toEqual(['page-3']);
    expect(second.IsTruncated).toBe(false);
    expect(second.Users?.[0]?.Arn).toBe(`arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/paged/page-3`);
  });

  it('will not delete a user that still has access keys, then deletes it once they are gone', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'leaving' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'leaving' }));

    const refused = iam.send(new DeleteUserCommand({ UserName: 'leaving' }));
    await expect(refused).rejects.toMatchObject({ name: 'DeleteConflictException' });
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'leaving', AccessKeyId: AccessKey?.AccessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: 'leaving' }));

    await expect(iam.send(new GetUserCommand({ UserName: 'leaving' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });

  it('keeps each account separate', async () => {
    server.addAccessKey(
      { accessKeyId: 'AKIAOTHERACCOUNT0001', secretAccessKey: 'sandbox-secret' },
      '444455556666',
    );
    const otherAccount = iamClient('AKIAOTHERACCOUNT0001');

    await otherAccount.send(new CreateUserCommand({ UserName: 'alice' }));
    const user = await otherAccount.send(new GetUserCommand({ UserName: 'alice' }));

    expect(user.User?.Arn).toBe('arn:aws:iam::444455556666:user/alice');
    expect(iamService.user(SANDBOX_ACCOUNT_ID, 'alice')?.arn).toBe(
      `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:user/alice`,
    );
  });
});

describe('IAM access keys', () => {
  it('issues AKIA keys with a secret, listed per user with status and creation date', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'keyholder' }));

    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'keyholder' }));
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'keyholder' }));

    expect(AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
    expect(AccessKey?.SecretAccessKey).toHaveLength(40);
    expect(AccessKey?.Status).toBe('Active');
    expect(listed.AccessKeyMetadata).toEqual([
      {
        UserName: 'keyholder',
        AccessKeyId: AccessKey?.AccessKeyId,
        Status: 'Active',
        CreateDate: expect.any(Date),
      },
    ]);
  });

  it('deactivates exactly the named key and leaves the other one active', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'leaky' }));
    const leaked = (await iam.send(new CreateAccessKeyCommand({ UserName: 'leaky' }))).AccessKey!;
    const other = (await iam.send(new CreateAccessKeyCommand({ UserName: 'leaky' }))).AccessKey!;

    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'leaky', AccessKeyId: leaked.AccessKeyId, Status: 'Inactive' }),
    );
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'leaky' }));

    const statusById = Object.fromEntries(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status]));
    expect(statusById).toEqual({ [leaked.AccessKeyId!]: 'Inactive', [other.AccessKeyId!]: 'Active' });
    expect(iamService.accessKey(SANDBOX_ACCOUNT_ID, leaked.AccessKeyId!)?.status).toBe('Inactive');
  });

  it('refuses a third key with LimitExceeded', async () => {
    // The SDK retries LimitExceededException as throttling; one attempt shows the answer.
    const iam = iamClient('AKIAIOSFODNN7EXAMPLE', { maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'two-keys' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }));

    const third = iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' }));

    await expect(third).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
    });
  });

  it('answers NoSuchEntity when updating an unknown key or a key of another user', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'owner' }));
    await iam.send(new CreateUserCommand({ UserName: 'stranger' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'owner' }));

    const othersKey = iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'stranger',
        AccessKeyId: AccessKey?.AccessKeyId,
        Status: 'Inactive',
      }),
    );
    const unknownKey = iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'owner',
        AccessKeyId: 'AKIA0000000000000000',
        Status: 'Inactive',
      }),
    );

    // Both calls are in flight at once: mark the later one handled so its rejection is not reported
    // as unhandled while the first is awaited; the expectation below still checks it.
    unknownKey.catch(() => undefined);
    await expect(othersKey).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(unknownKey).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(iamService.accessKey(SANDBOX_ACCOUNT_ID, AccessKey!.AccessKeyId!)?.status).toBe('Active');
  });

  it('rejects a status other than Active or Inactive with ValidationError', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'status-typo' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'status-typo' }));

    const update = iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'status-typo',
        AccessKeyId: AccessKey?.AccessKeyId,
        Status: 'Disabled' as 'Inactive',
      }),
    );

    await expect(update).rejects.toMatchObject({
      name: 'ValidationError',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('reports when a key was last used, and refuses requests signed with it once inactive', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'signer' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'signer' }))).AccessKey!;
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));

    const asSigner = iamClient(key.AccessKeyId, { secretAccessKey: key.SecretAccessKey });
    const me = await asSigner.send(new GetUserCommand({}));
    const after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    await iam.send(
      new UpdateAccessKeyCommand({ UserName: 'signer', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }),
    );
    const refused = asSigner.send(new ListUsersCommand({}));

    expect(before.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    expect(me.User?.UserName).toBe('signer');
    expect(after.UserName).toBe('signer');
    expect(after.AccessKeyLastUsed).toMatchObject({ ServiceName: 'iam', Region: 'us-east-1' });
    expect(after.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    await expect(refused).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses requests signed with a deleted key', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'rotated' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'rotated' }))).AccessKey!;

    await iam.send(new DeleteAccessKeyCommand({ UserName: 'rotated', AccessKeyId: key.AccessKeyId }));
    const refused = iamClient(key.AccessKeyId, { secretAccessKey: key.SecretAccessKey }).send(
      new GetUserCommand({}),
    );

    await expect(refused).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    expect(iamService.user(SANDBOX_ACCOUNT_ID, 'rotated')?.accessKeyIds).toEqual([]);
  });

  it('surfaces an injected Throttling fault once, then succeeds', async () => {
    const iam = iamClient('AKIAIOSFODNN7EXAMPLE', { maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'throttled' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'throttled' }));
    const update = new UpdateAccessKeyCommand({
      UserName: 'throttled',
      AccessKeyId: AccessKey?.AccessKeyId,
      Status: 'Inactive',
    });
    server.faults.add({ service: 'iam', operation: 'UpdateAccessKey', code: 'Throttling', times: 1 });

    await expect(iam.send(update)).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    expect(iamService.accessKey(SANDBOX_ACCOUNT_ID, AccessKey!.AccessKeyId!)?.status).toBe('Active');
    await iam.send(update);

    expect(iamService.accessKey(SANDBOX_ACCOUNT_ID, AccessKey!.AccessKeyId!)?.status).toBe('Inactive');
  });
});

describe('IAM inline policies', () => {
  it('stores a user policy and returns it URL-encoded, as AWS does', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'contained' }));

    await iam.send(
      new PutUserPolicyCommand({ UserName: 'contained', PolicyName: 'deny-all', PolicyDocument: denyAll }),
    );
    const fetched = await iam.send(
      new GetUserPolicyCommand({ UserName: 'contained', PolicyName: 'deny-all' }),
    );
    const names = await iam.send(new ListUserPoliciesCommand({ UserName: 'contained' }));

    expect(fetched.PolicyDocument).toBe(encodeURIComponent(denyAll));
    expect(JSON.parse(decodeURIComponent(fetched.PolicyDocument!))).toEqual(JSON.parse(denyAll));
    expect(names.PolicyNames).toEqual(['deny-all']);
  });

  it('deletes a user policy, after which it is NoSuchEntity', async () => {
    const iam = iamClient();
    await iam.send(new CreateUserCommand({ UserName: 'released' }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'released', PolicyName: 'deny-all', PolicyDocument: denyAll }),
    );

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'released', PolicyName: 'deny-all' }));

    const names = await iam.send(new ListUserPoliciesCommand({ UserName: 'released' }));
    expect(names.PolicyNames).toEqual([]);
    await expect(
      iam.send(new GetUserPolicyCommand({ UserName: 'released', PolicyName: 'deny-all' })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it.each([
    ['invalid JSON', '{"Statement": ['],
    ['no statement', '{"Version":"2012-10-17"}'],
    ['a principal in an identity policy', ec2Trust],
  ])('rejects %s with MalformedPolicyDocument', async (_case, document) => {
    const iam = iamClient();
    const userName = `malformed-${Math.random().toString(36).slice(2)}`;
    await iam.send(new CreateUserCommand({ UserName: userName }));

    const put = iam.send(
      new PutUserPolicyCommand({ UserName: userName, PolicyName: 'p', PolicyDocument: document }),
    );

    await expect(put).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(iamService.user(SANDBOX_ACCOUNT_ID, userName)?.policies).toEqual({});
  });
});

describe('IAM roles and instance profiles', () => {
  it('creates a role whose trust policy, inline policies and tags read back', async () => {
    const iam = iamClient();
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: ec2Trust }),
    );

    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'web', PolicyName: 'revoke-older', PolicyDocument: denyAll }),
    );
    await iam.send(new TagRoleCommand({ RoleName: 'web', Tags: [{ Key: 'quarantined', Value: 'true' }] }));
    const role = await iam.send(new GetRoleCommand({ RoleName: 'web' }));
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'web', PolicyName: 'revoke-older' }));
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: 'web' }));

    expect(created.Role?.Arn).toBe(`arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/web`);
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(
      JSON.parse(ec2Trust),
    );
    expect(role.Role?.Tags).toEqual([{ Key: 'quarantined', Value: 'true' }]);
    expect(role.Role?.MaxSessionDuration).toBe(3600);
    expect(decodeURIComponent(policy.PolicyDocument!)).toBe(denyAll);
    expect(names.PolicyNames).toEqual(['revoke-older']);
  });

  it('lists roles by path prefix, in name order, a page at a time', async () => {
    const iam = iamClient();
    for (const [name, path] of [
      ['svc-b', '/service/'],
      ['svc-a', '/service/'],
    ] as const)
      await iam.send(
        new CreateRoleCommand({ RoleName: name, Path: path, AssumeRolePolicyDocument: ec2Trust }),
      );

    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/service/', MaxItems: 1 }));
    const rest = await iam.send(new ListRolesCommand({ PathPrefix: '/service/', Marker: first.Marker }));

    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['svc-a']);
    expect(first.IsTruncated).toBe(true);
    expect(rest.Roles?.map((r) => [r.RoleName, r.Arn])).toEqual([
      ['svc-b', `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:role/service/svc-b`],
    ]);
    expect(rest.IsTruncated).toBe(false);
  });

  it('rejects a trust policy that is not JSON', async () => {
    const create = iamClient().send(
      new CreateRoleCommand({ RoleName: 'broken', AssumeRolePolicyDocument: 'nope' }),
    );

    await expect(create).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
  });

  it('puts one role in an instance profile and refuses a second', async () => {
    const iam = iamClient('AKIAIOSFODNN7EXAMPLE', { maxAttempts: 1 });
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: ec2Trust }));
    await iam.send(new CreateRoleCommand({ RoleName: 'app-2', AssumeRolePolicyDocument: ec2Trust }));
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'app-profile' }));

    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app' }),
    );
    // Settled into a value at once: its rejection must not go unhandled while the reads below run.
    const second = iam
      .send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'app-profile', RoleName: 'app-2' }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'app-profile' }));
    const listed = await iam.send(new ListInstanceProfilesCommand({}));

    expect(await second).toMatchObject({ name: 'LimitExceededException' });
    expect(created.InstanceProfile?.Arn).toBe(
      `arn:aws:iam::${SANDBOX_ACCOUNT_ID}:instance-profile/app-profile`,
    );
    expect(created.InstanceProfile?.Roles).toEqual([]);
    expect(profile.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual(['app']);
    expect(listed.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(['app-profile']);
  });

  it('answers NoSuchEntity for an unknown role or instance profile', async () => {
    const iam = iamClient();

    await expect(iam.send(new GetRoleCommand({ RoleName: 'ghost' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
    await expect(
      iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ghost' })),
    ).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });
});
