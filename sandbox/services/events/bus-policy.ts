import { matchesWildcard } from '#shared/policy/wildcard.ts';

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

/** Principal `*`, `{ "AWS": "*" }`, an account id or `arn:aws:iam::<account>:root` (or a list of them). */
function principalMatches(principal: unknown, accountId: string): boolean {
  if (principal === '*') return true;
  const aws = list((principal as { AWS?: unknown } | undefined)?.AWS);
  return aws.some((p) => p === '*' || p === accountId || p === `arn:aws:iam::${accountId}:root`);
}

/** The operators a bus policy's conditions use; a statement with any other does not apply. */
const OPERATORS: Record<string, { test: (value: string, pattern: string) => boolean; negated: boolean }> = {
  StringEquals: { test: (v, p) => v === p, negated: false },
  StringNotEquals: { test: (v, p) => v === p, negated: true },
  StringLike: { test: matchesWildcard, negated: false },
  StringNotLike: { test: matchesWildcard, negated: true },
  ArnEquals: { test: matchesWildcard, negated: false },
  ArnLike: { test: matchesWildcard, negated: false },
};

function conditionKeyValue(key: string, requester: PutEventsRequester): string | undefined {
  switch (key.toLowerCase()) {
    case 'aws:principalorgid':
      return requester.organizationId;
    case 'aws:principalaccount':
    case 'aws:sourceaccount':
      return requester.accountId;
    case 'aws:sourcearn':
      return requester.sourceArn;
    default:
      return undefined;
  }
}

/** Whether every condition holds; `undefined` when an operator is unknown (the statement is ignored). */
function conditionsHold(condition: BusPolicyStatement['Condition'], requester: PutEventsRequester) {
  for (const [operatorName, keys] of Object.entries(condition ?? {})) {
    const operator = OPERATORS[operatorName];
    if (!operator) return undefined;
    for (const [key, patterns] of Object.entries(keys)) {
      const value = conditionKeyValue(key, requester);
      // A key the request does not carry fails a positive condition and satisfies a negated one.
      const matched = value !== undefined && list(patterns).some((p) => operator.test(value, p));
      if (matched === operator.negated) return false;
    }
  }
  return true;
}

function applies(statement: BusPolicyStatement, busArn: string, requester: PutEventsRequester): boolean {
  const actions = list(statement.Action);
  const resources = list(statement.Resource);
  return (
    principalMatches(statement.Principal, requester.accountId) &&
    actions.some((a) => matchesWildcard('events:PutEvents', a)) &&
    (resources.length === 0 || resources.some((r) => matchesWildcard(busArn, r))) &&
    conditionsHold(statement.Condition, requester) === true
  );
}

/**
 * Whether an event bus admits PutEvents from another account: its own account always may;
 * another needs a statement that allows it (principal, action, resource and conditions all
 * matching) and none that denies it, as IAM evaluates a resource-based policy.
 */
export function busAllowsPutEvents(
  busArn: string,
  statements: readonly BusPolicyStatement[],
  requester: PutEventsRequester,
): boolean {
  if (busArn.split(':')[4] === requester.accountId) return true;
  const matching = statements.filter((s) => applies(s, busArn, requester));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}
