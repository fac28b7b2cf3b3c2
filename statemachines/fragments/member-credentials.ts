import { type aws_iam as iam, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

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

/**
 * An AWS SDK integration task on the finding's resources. Given `Credentials` (an organization),
 * Step Functions makes the call as the role it assumes, so the call's permissions belong to that
 * role (the member role, whose policy the member stack builds from these same states), and the
 * state machine's own role needs only sts:AssumeRole
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-access-cross-acct-resources.html).
 * CDK grants a task's permissions to the state machine's role whatever its credentials; here they
 * are dropped, so a playbook cannot act on the security account's own resources directly.
 */
export class MemberAwsCall extends tasks.CallAwsService {
  constructor(scope: Construct, id: string, props: tasks.CallAwsServiceProps) {
    super(scope, id, props);
    // `taskPolicies` is what CDK registers with the state machine's role when the state is bound.
    if (props.credentials) (this as unknown as { taskPolicies: iam.PolicyStatement[] }).taskPolicies = [];
  }
}
