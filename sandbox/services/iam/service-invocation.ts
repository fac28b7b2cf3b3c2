import { conditionContext, evaluatePolicies, type PolicyPrincipal } from './policy-evaluation.ts';
import type { ResourcePolicyStore } from './resource-policies.ts';

/** One call an AWS service makes to a resource on behalf of another (EventBridge invoking a function). */
export interface ServiceInvocation {
  /** The service principal, `events.amazonaws.com`. */
  readonly service: string;
  /** `lambda:InvokeFunction` */
  readonly action: string;
  /** The ARN of the resource called. */
  readonly resource: string;
  /** What the service acts for (`aws:SourceArn`, the rule) and its account (`aws:SourceAccount`). */
  readonly sourceArn: string;
  readonly sourceAccount: string;
}

/**
 * Whether the resource's policy lets the service make the call. A service principal has no
 * identity policy: only the resource-based policy can allow it, as `AWS::Lambda::Permission`
 * does for EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions).
 */
export function serviceMayInvoke(
  policies: Pick<ResourcePolicyStore, 'policyOf'>,
  call: ServiceInvocation,
): boolean {
  const document = policies.policyOf(call.resource)?.document;
  if (!document) return false;
  const principal: PolicyPrincipal = {
    arn: call.service,
    principalArn: call.service,
    type: 'Service',
    service: call.service,
  };
  const context = conditionContext(principal, undefined, {
    'aws:SourceArn': call.sourceArn,
    'aws:SourceAccount': call.sourceAccount,
  });
  return (
    evaluatePolicies([document], { action: call.action, resource: call.resource, context, principal }) ===
    'Allow'
  );
}

/** Raised when a resource's policy does not let an AWS service call it. */
export class ServiceInvocationDeniedError extends Error {
  override name = 'AccessDeniedException';
}

/**
 * Throw unless `functionArn`'s policy lets EventBridge invoke it for `rule` (an
 * `AWS::Lambda::Permission` for `events.amazonaws.com` with the rule as `SourceArn`); the
 * delivery then fails, and EventBridge's retries and dead-letter queue apply.
 */
export function assertEventBridgeMayInvoke(
  policies: Pick<ResourcePolicyStore, 'policyOf'>,
  functionArn: string,
  rule: { readonly arn: string; readonly accountId: string },
): void {
  const call = {
    service: 'events.amazonaws.com',
    action: 'lambda:InvokeFunction',
    resource: functionArn,
    sourceArn: rule.arn,
    sourceAccount: rule.accountId,
  };
  if (!serviceMayInvoke(policies, call)) {
    throw new ServiceInvocationDeniedError(
      `the policy of ${functionArn} does not let events.amazonaws.com invoke it for ${rule.arn}`,
    );
  }
}
