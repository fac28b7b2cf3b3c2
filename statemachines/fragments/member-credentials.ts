import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Construct context key under which the infrastructure tells a playbook where, in its execution
 * input, the role to act as is: set on the playbook's scope when the stack protects an
 * organization, absent in a single account.
 */
export const MEMBER_ROLE_CONTEXT = 'remediation:memberRoleArnPath';

/** Where classify puts the member role of the finding's account (see functions/classify/route.ts). */
export const TARGET_ROLE_ARN_PATH = '$.target.roleArn';

/**
 * The task `Credentials` of a call on the finding's resources: in an organization, Step Functions
 * assumes the `RemediationExecutionRole` of the finding's own account for the call, so every
 * change happens in that account, as that role. Calls on the product's own resources (audit
 * trail, topic, claims, follow-ups) never take credentials: they stay in the security account.
 */
export function memberCredentials(scope: IConstruct): sfn.Credentials | undefined {
  const path = scope.node.tryGetContext(MEMBER_ROLE_CONTEXT) as string | undefined;
  return path ? { role: sfn.TaskRole.fromRoleArnJsonPath(path) } : undefined;
}

/**
 * A Map's item selector, plus the execution's `target` in an organization: the tasks inside the
 * iteration take their credentials from `$.target.roleArn`, and an iteration sees only its item.
 */
export function withTarget(scope: IConstruct, selector: Record<string, unknown>): Record<string, unknown> {
  return scope.node.tryGetContext(MEMBER_ROLE_CONTEXT) === undefined
    ? selector
    : { ...selector, 'target.$': '$.target' };
}
