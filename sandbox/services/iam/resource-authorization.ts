import type { ConditionContext } from './policy-conditions.ts';
import { evaluatePolicies, type PolicyDecision, type PolicyPrincipal } from './policy-evaluation.ts';

/** The resource policy of a resource whose type can have one, as its service keeps it. */
export interface ResourcePolicy {
  /** The policy document (JSON text); `undefined` when the resource has none. */
  readonly document: string | undefined;
  /**
   * A KMS key policy: without it no principal may use the key; identity policies count only
   * where it allows the account (`arn:aws:iam::<account>:root`).
   * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
   */
  readonly required: boolean;
  /** The account that owns the resource. */
  readonly accountId: string;
}

/** One decision about one resource of a request. */
export interface ResourceAuthorizationInput {
  readonly principal: PolicyPrincipal;
  /** The caller's identity policies; `undefined` for an account's root user, allowed everything by IAM. */
  readonly identityPolicies: readonly string[] | undefined;
  readonly action: string;
  /** The resource's ARN, `*`, or `undefined` when the sandbox cannot tell (see `evaluatePolicies`). */
  readonly resource: string | undefined;
  /** `undefined` for a resource of a type that has no resource policies. */
  readonly resourcePolicy: ResourcePolicy | undefined;
  readonly context: ConditionContext;
}

/** Which policy decided a refusal: its message names it, as AWS's do. */
export type AuthorizationOutcome =
  | { readonly decision: 'Allow' }
  | { readonly decision: 'ExplicitDeny'; readonly by: 'identity' | 'resource' }
  | { readonly decision: 'ImplicitDeny'; readonly missing: 'identity' | 'resource' };

/**
 * Decide one resource of a request as IAM does
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
 * - an explicit Deny in the identity or the resource policy wins;
 * - within one account, an Allow in either suffices; a resource-policy statement naming only the
 *   account (`arn:aws:iam::<account>:root`) delegates to identity policies and grants nothing alone
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_resource.html);
 * - across accounts, both must allow (the resource policy naming the caller or its account);
 * - for a KMS key, the key policy must allow, directly or by allowing the account and so letting
 *   the identity policy decide.
 */
export function authorizeResource(input: ResourceAuthorizationInput): AuthorizationOutcome {
  const { principal, action, resource, context, resourcePolicy } = input;
  const identity: PolicyDecision = input.identityPolicies
    ? evaluatePolicies(input.identityPolicies, { action, resource, context })
    : 'Allow';
  if (identity === 'ExplicitDeny') return { decision: 'ExplicitDeny', by: 'identity' };
  if (!resourcePolicy) {
    return identity === 'Allow' ? { decision: 'Allow' } : { decision: 'ImplicitDeny', missing: 'identity' };
  }
  const isRoot = input.identityPolicies === undefined;
  const document = resourcePolicy.document;
  const evaluate = (who: PolicyPrincipal): PolicyDecision =>
    document ? evaluatePolicies([document], { action, resource, context, principal: who }) : 'ImplicitDeny';
  // Statements naming the account cover every principal in it (a Deny so too).
  const asAccount = evaluate(principal);
  if (asAccount === 'ExplicitDeny') return { decision: 'ExplicitDeny', by: 'resource' };
  // ...but grant alone only to the account's root user; others must be named themselves.
  const direct = isRoot ? asAccount : evaluate({ ...principal, accountId: undefined });
  const sameAccount = principal.accountId === resourcePolicy.accountId;
  let allowed: boolean;
  if (resourcePolicy.required)
    allowed = direct === 'Allow' || (asAccount === 'Allow' && identity === 'Allow');
  else if (sameAccount) allowed = identity === 'Allow' || direct === 'Allow';
  else allowed = identity === 'Allow' && asAccount === 'Allow';
  if (allowed) return { decision: 'Allow' };
  const missing = identity === 'Allow' ? 'resource' : 'identity';
  return { decision: 'ImplicitDeny', missing };
}
