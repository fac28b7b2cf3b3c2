import { CreateRoleCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import type { StackHarness } from './harness.ts';

const ACCOUNT = '111122223333';

/**
 * The path of the roles IAM Identity Center creates for its permission sets, each named
 * `AWSReservedSSO_<permission set>_<id>`: the name is what the playbooks leave alone.
 */
export const IDENTITY_CENTER_PATH = '/aws-reserved/sso.amazonaws.com/';

/** The ARN of role `roleName` under `path` in the sandbox account. */
export const roleArn = (path: string, roleName: string) => `arn:aws:iam::${ACCOUNT}:role${path}${roleName}`;

/** The ARN of the IAM Identity Center role `roleName` (`AWSReservedSSO_...`). */
export const identityCenterRoleArn = (roleName: string) => roleArn(IDENTITY_CENTER_PATH, roleName);

/** Create role `roleName` under `path` that `service` may assume; its ARN. */
export async function createServiceRole(
  h: StackHarness,
  role: { roleName: string; path: string; service: string },
): Promise<string> {
  await h.sandbox.clients.iam.send(
    new CreateRoleCommand({
      RoleName: role.roleName,
      Path: role.path,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: role.service }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  return roleArn(role.path, role.roleName);
}

/** Create the IAM Identity Center role `roleName` (`AWSReservedSSO_...`) that `service` may assume; its ARN. */
export const createIdentityCenterRole = (h: StackHarness, roleName: string, service: string) =>
  createServiceRole(h, { roleName, path: IDENTITY_CENTER_PATH, service });

/** The names of the role's inline policies. */
export const inlinePolicyNames = async (h: StackHarness, roleName: string) =>
  (await h.sandbox.clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
