import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StsService } from '#sandbox/services/sts.ts';

const SECURITY = '111122223333';
const MEMBER = '444455556666';
const OUTSIDER = '777788889999';

const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({
  iam: iamService,
  organizationOf: (account) => server.organizations.organizationOf(account),
});
server.register(iamService);
server.register(stsService);
server.authorizer = stsService;
server.organizations.add('o-aaaaaaaaaa', [SECURITY, MEMBER]);
server.organizations.add('o-bbbbbbbbbb', [OUTSIDER]);
let endpoint: string;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
/** The sandbox's default keys act as `arn:aws:iam::111122223333:user/sandbox`. */
const securityKeys: Keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const memberKeys: Keys = { accessKeyId: 'AKIAMEMBER0000000001', secretAccessKey: 'sandbox-secret' };
const outsiderKeys: Keys = { accessKeyId: 'AKIAOUTSIDER00000001', secretAccessKey: 'sandbox-secret' };
server.addAccessKey(memberKeys, MEMBER);
server.addAccessKey(outsiderKeys, OUTSIDER);

const sts = (credentials: Keys) =>
  new STSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
const iam = (credentials: Keys) => new IAMClient({ endpoint, region: 'us-east-1', credentials });

/** Create `roleName` in the account `keys` act in, trusted by `statements`; returns its ARN. */
async function role(
  keys: Keys,
  roleName: string,
  statements: object[],
  actions: string[] = [],
): Promise<string> {
  const document = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const { Role } = await iam(keys).send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: document }),
  );
  if (actions.length > 0) {
    await iam(keys).send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'work',
        PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }),
    );
  }
  return Role!.Arn!;
}

const allow = (principal: unknown, condition?: object) => ({
  Effect: 'Allow',
  Principal: principal,
  Action: 'sts:AssumeRole',
  ...(condition ? { Condition: condition } : {}),
});

async function assume(keys: Keys, roleArn: string, extra: { ExternalId?: string } = {}) {
  const { Credentials } = await sts(keys).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ...extra }),
  );
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

function denied(caller: string, roleArn: string) {
  return {
    name: 'AccessDenied',
    message: `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    $metadata: { httpStatusCode: 403 },
  };
}

const securityUser = `arn:aws:iam::${SECURITY}:user/sandbox`;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('AssumeRole against trust policies', () => {
  it('refuses a role that does not exist, in AWS words', async () => {
    const missing = `arn:aws:iam::${MEMBER}:role/RemediationExecutionRole`;

    await expect(assume(securityKeys, missing)).rejects.toMatchObject(denied(securityUser, missing));
  });

  it('refuses a caller the trust policy does not name', async () => {
    const roleArn = await role(memberKeys, 'trusts-alice', [
      allow({ AWS: `arn:aws:iam::${SECURITY}:user/alice` }),
    ]);

    await expect(assume(securityKeys, roleArn)).rejects.toMatchObject(denied(securityUser, roleArn));
  });

  it('admits every principal of an account its root ARN names, and only those', async () => {
    const roleArn = await role(memberKeys, 'trusts-security', [
      allow({ AWS: `arn:aws:iam::${SECURITY}:root` }),
    ]);

    const session = await assume(securityKeys, roleArn);
    const identity = await sts(session).send(new GetCallerIdentityCommand({}));

    expect(identity.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/trusts-security/test`);
    await expect(assume(outsiderKeys, roleArn)).rejects.toMatchObject(
      denied(`arn:aws:iam::${OUTSIDER}:user/sandbox`, roleArn),
    );
  });

  it('admits callers of the organization aws:PrincipalOrgID names, not of another', async () => {
    const roleArn = await role(memberKeys, 'org-only', [
      allow('*', { StringEquals: { 'aws:PrincipalOrgID': 'o-aaaaaaaaaa' } }),
    ]);

    await expect(assume(securityKeys, roleArn)).resolves.toHaveProperty('accessKeyId');
    await expect(assume(outsiderKeys, roleArn)).rejects.toMatchObject(
      denied(`arn:aws:iam::${OUTSIDER}:user/sandbox`, roleArn),
    );
  });

  it('asks for the external id the trust policy names', async () => {
    const roleArn = await role(memberKeys, 'vendor', [
      allow({ AWS: SECURITY }, { StringEquals: { 'sts:ExternalId': 'remediation-7f3a' } }),
    ]);

    await expect(assume(securityKeys, roleArn, { ExternalId: 'remediation-7f3a' })).resolves.toHaveProperty(
      'accessKeyId',
    );
    await expect(assume(securityKeys, roleArn, { ExternalId: 'guess' })).rejects.toMatchObject(
      denied(securityUser, roleArn),
    );
    await expect(assume(securityKeys, roleArn)).rejects.toMatchObject(denied(securityUser, roleArn));
  });

  it('admits only playbook roles when ArnLike names them on aws:PrincipalArn', async () => {
    const selfTrust = [allow({ AWS: `arn:aws:iam::${SECURITY}:root` })];
    const playbookRole = await role(securityKeys, 'remediation-playbook-keys', selfTrust, ['sts:AssumeRole']);
    const otherRole = await role(securityKeys, 'reporting', selfTrust, ['sts:AssumeRole']);
    const memberRole = await role(memberKeys, 'playbooks-only', [
      allow(
        { AWS: `arn:aws:iam::${SECURITY}:root` },
        { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${SECURITY}:role/remediation-playbook-*` } },
      ),
    ]);
    const playbook = await assume(securityKeys, playbookRole);
    const reporting = await assume(securityKeys, otherRole);

    await expect(assume(playbook, memberRole)).resolves.toHaveProperty('accessKeyId');
    await expect(assume(reporting, memberRole)).rejects.toMatchObject(
      denied(`arn:aws:sts::${SECURITY}:assumed-role/reporting/test`, memberRole),
    );
  });

  it('lets an explicit Deny win over an Allow', async () => {
    const roleArn = await role(memberKeys, 'deny-outsiders', [
      allow('*'),
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:AssumeRole',
        Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-aaaaaaaaaa' } },
      },
    ]);

    await expect(assume(securityKeys, roleArn)).resolves.toHaveProperty('accessKeyId');
    await expect(assume(outsiderKeys, roleArn)).rejects.toMatchObject(
      denied(`arn:aws:iam::${OUTSIDER}:user/sandbox`, roleArn),
    );
  });
});
