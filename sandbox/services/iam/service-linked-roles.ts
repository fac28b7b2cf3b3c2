import { AwsError } from '../../protocol.ts';
import type { IamAccount, IamRole } from './model.ts';

/**
 * The service-linked roles the sandbox knows, by the service that uses them. GuardDuty's is
 * created by CreateDetector when missing, as its caller
 * (https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html).
 */
export const SERVICE_LINKED_ROLE_NAMES: Readonly<Record<string, string>> = {
  'guardduty.amazonaws.com': 'AWSServiceRoleForAmazonGuardDuty',
};

/** The path of a service-linked role: `/aws-service-role/<service>/`. */
const pathOf = (service: string) => `/aws-service-role/${service}/`;

/** The ARN of `service`'s service-linked role in `accountId`, or undefined for an unknown service. */
export function serviceLinkedRoleArn(accountId: string, service: string): string | undefined {
  const name = Object.hasOwn(SERVICE_LINKED_ROLE_NAMES, service)
    ? SERVICE_LINKED_ROLE_NAMES[service]
    : undefined;
  return name && `arn:aws:iam::${accountId}:role${pathOf(service)}${name}`;
}

/**
 * Create `service`'s service-linked role in the account: trusted by the service only, at its
 * reserved path. IAM refuses a service it has no such role for, and a role that already exists
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html).
 */
export function createServiceLinkedRole(account: IamAccount, service: string, description?: string): IamRole {
  const roleName = Object.hasOwn(SERVICE_LINKED_ROLE_NAMES, service)
    ? SERVICE_LINKED_ROLE_NAMES[service]
    : undefined;
  if (!roleName)
    throw new AwsError(
      'InvalidInput',
      `Service ${service} does not support service-linked roles in the sandbox.`,
    );
  if (account.hasRole(roleName))
    throw new AwsError(
      'InvalidInput',
      `Service role name ${roleName} has been taken in this account, please try a different suffix.`,
    );
  return account.createRole({
    roleName,
    path: pathOf(service),
    assumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
    }),
    description,
    maxSessionDuration: 3600,
    tags: [],
  });
}
