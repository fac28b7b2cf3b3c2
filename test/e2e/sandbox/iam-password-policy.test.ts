import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  IAMClient,
  NoSuchEntityException,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';

const server = new SandboxServer();
server.register(new IamService());
let iam: IAMClient;

beforeAll(async () => {
  const endpoint = await server.listen({ port: 0 });
  iam = new IAMClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  iam.destroy();
  await server.close();
});

describe('IAM account password policy', () => {
  it('an account without a policy answers NoSuchEntity to Get and Delete', async () => {
    await expect(iam.send(new GetAccountPasswordPolicyCommand({}))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    );
    await expect(iam.send(new DeleteAccountPasswordPolicyCommand({}))).rejects.toThrow(
      /Password Policy with domain name \d{12} cannot be found/,
    );
  });

  it('Update replaces the whole policy: what it leaves out takes its default, and Get leaves out what is unset', async () => {
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 16,
        RequireSymbols: true,
        MaxPasswordAge: 60,
        PasswordReusePrevention: 5,
        HardExpiry: true,
      }),
    );
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 16,
      RequireSymbols: true,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: true,
      MaxPasswordAge: 60,
      PasswordReusePrevention: 5,
      HardExpiry: true,
    });

    await iam.send(new UpdateAccountPasswordPolicyCommand({ RequireNumbers: true }));

    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
      HardExpiry: false,
    });
  });

  it('refuses values outside the documented ranges and keeps the policy', async () => {
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10 }));

    await expect(iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 0 }))).rejects.toThrow(
      /maxPasswordAge' failed to satisfy constraint/,
    );
    await expect(
      iam.send(new UpdateAccountPasswordPolicyCommand({ PasswordReusePrevention: 25 })),
    ).rejects.toThrow(/passwordReusePrevention' failed to satisfy constraint/);

    expect(
      (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength,
    ).toBe(10);
  });

  it('Delete removes the policy', async () => {
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));

    await expect(iam.send(new GetAccountPasswordPolicyCommand({}))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    );
  });
});
