import { matchesWildcard } from '#shared/policy/wildcard.ts';
import { conditionContext, evaluatePolicies, type PolicyPrincipal } from '../iam/policy-evaluation.ts';

/** One statement of an event bus's resource-based policy, as PutPermission or CloudFormation stores it. */
export interface BusPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Who is putting events on the bus, and what the policy's condition keys see of them. */
export interface PutEventsRequester {
  /** The account the events come from. */
  accountId: string;
  /** Its organization (`aws:PrincipalOrgID`), if it belongs to one. */
  organizationId?: string;
  /** The rule forwarding the events (`aws:SourceArn`), when a rule target delivers them. */
  sourceArn?: string;
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);

/**
 * Whether an event bus admits PutEvents from another account: its own account always may;
 * another needs a statement on this bus that allows it (principal, action and conditions, as the
 * sandbox's IAM evaluates a resource-based policy) and none that denies it. The account puts the
 * events as itself: its root is the principal, and `aws:SourceAccount`/`aws:SourceArn` name the
 * forwarding rule's account and ARN.
 */
export function busAllowsPutEvents(
  busArn: string,
  statements: readonly BusPolicyStatement[],
  requester: PutEventsRequester,
): boolean {
  if (busArn.split(':')[4] === requester.accountId) return true;
  const onThisBus = statements.filter((s) => {
    const resources = list(s.Resource);
    return resources.length === 0 || resources.some((r) => matchesWildcard(busArn, r));
  });
  const root = `arn:aws:iam::${requester.accountId}:root`;
  const principal: PolicyPrincipal = {
    arn: root,
    principalArn: root,
    accountId: requester.accountId,
    type: 'Account',
  };
  const decision = evaluatePolicies([JSON.stringify({ Statement: onThisBus })], {
    action: 'events:PutEvents',
    principal,
    context: conditionContext(principal, requester.organizationId, {
      'aws:SourceAccount': requester.accountId,
      'aws:SourceArn': requester.sourceArn,
    }),
  });
  return decision === 'Allow';
}
