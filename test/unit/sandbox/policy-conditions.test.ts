import { describe, expect, it } from 'vitest';
import { type ConditionContext, conditionsHold } from '#sandbox/services/iam/policy-conditions.ts';
import {
  conditionContext,
  evaluatePolicies,
  type PolicyPrincipal,
} from '#sandbox/services/iam/policy-evaluation.ts';
import { checkPolicyDocument } from '#sandbox/services/iam/validation.ts';

/** A request context holding `key` (lower-cased, as IAM reads key names) with `value`. */
const having = (key: string, value: string | boolean | string[]): ConditionContext =>
  new Map([[key.toLowerCase(), value]]);
const none: ConditionContext = new Map();

/** [operator, policy value(s), context value (undefined: the key is missing), expected] */
type Row = [string, string | string[], string | boolean | string[] | undefined, boolean];

function holds(operator: string, key: string, policy: string | string[], value: Row[2]): boolean | undefined {
  return conditionsHold({ [operator]: { [key]: policy } }, value === undefined ? none : having(key, value));
}

describe('String operators', () => {
  it.each<Row>([
    ['StringEquals', 'alice', 'alice', true],
    ['StringEquals', 'alice', 'Alice', false],
    ['StringEquals', ['bob', 'alice'], 'alice', true],
    ['StringEquals', 'alice', undefined, false],
    ['StringNotEquals', 'alice', 'bob', true],
    ['StringNotEquals', ['bob', 'alice'], 'alice', false],
    ['StringNotEquals', 'alice', undefined, true],
    ['StringEqualsIgnoreCase', 'ALICE', 'alice', true],
    ['StringNotEqualsIgnoreCase', 'ALICE', 'alice', false],
    ['StringLike', 'ali*', 'alice', true],
    ['StringLike', 'al?ce', 'alice', true],
    ['StringLike', 'bo*', 'alice', false],
    ['StringNotLike', 'bo*', 'alice', true],
    ['StringNotLike', 'bo*', undefined, true],
    ['StringEqualsIfExists', 'alice', undefined, true],
    ['StringEqualsIfExists', 'alice', 'bob', false],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:username', policy, value)).toBe(expected);
  });
});

describe('Numeric operators', () => {
  it.each<Row>([
    ['NumericEquals', '10', '10', true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericEquals', '10', 'ten', false],
    ['NumericNotEquals', '10', '11', true],
    ['NumericNotEquals', '10', '10', false],
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericGreaterThan', '10', '11', true],
    ['NumericGreaterThan', '10', '9.5', false],
    ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericLessThan', '10', undefined, false],
    ['NumericNotEquals', '10', undefined, true],
    ['NumericLessThanIfExists', '10', undefined, true],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 's3:max-keys', policy, value)).toBe(expected);
  });
});

describe('Date operators', () => {
  it.each<Row>([
    ['DateLessThan', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59.999Z', true],
    ['DateLessThan', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', false],
    ['DateLessThan', '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:00.499Z', true],
    ['DateLessThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z', true],
    ['DateGreaterThan', '2026-01-01', '2026-01-01T00:00:01Z', true],
    ['DateGreaterThanEquals', '2026-01-01T00:00:00Z', '2025-06-01T00:00:00Z', false],
    ['DateEquals', '2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00Z', true],
    ['DateNotEquals', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', true],
    // Epoch seconds on the policy side.
    ['DateGreaterThan', '1767225600', '2026-01-01T00:00:01Z', true],
    ['DateLessThan', 'not a date', '2026-01-01T00:00:00Z', false],
    // A missing key: false, except negated and IfExists forms.
    ['DateLessThan', '2999-01-01T00:00:00Z', undefined, false],
    ['DateNotEquals', '2999-01-01T00:00:00Z', undefined, true],
    ['DateLessThanIfExists', '2999-01-01T00:00:00Z', undefined, true],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:TokenIssueTime', policy, value)).toBe(expected);
  });
});

describe('Bool, Binary and Null', () => {
  it.each<Row>([
    ['Bool', 'true', true, true],
    ['Bool', 'TRUE', true, true],
    ['Bool', 'false', true, false],
    ['Bool', 'false', undefined, false],
    ['BoolIfExists', 'false', undefined, true],
    ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=', true],
    ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'b3RoZXI=', false],
    ['Null', 'true', undefined, true],
    ['Null', 'true', true, false],
    ['Null', 'false', true, true],
    ['Null', 'false', undefined, false],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:MultiFactorAuthPresent', policy, value)).toBe(expected);
  });
});

describe('IP address operators', () => {
  it.each<Row>([
    ['IpAddress', '127.0.0.0/8', '127.0.0.1', true],
    ['IpAddress', '203.0.113.0/24', '127.0.0.1', false],
    ['IpAddress', '127.0.0.1', '127.0.0.1', true],
    ['IpAddress', ['203.0.113.0/24', '10.0.0.0/8'], '10.1.2.3', true],
    ['IpAddress', '2001:db8::/32', '2001:db8::1', true],
    ['IpAddress', '2001:db8::/32', '127.0.0.1', false],
    ['IpAddress', 'not-a-cidr', '127.0.0.1', false],
    ['NotIpAddress', '203.0.113.0/24', '127.0.0.1', true],
    ['NotIpAddress', '127.0.0.0/8', '127.0.0.1', false],
    ['IpAddress', '127.0.0.0/8', undefined, false],
    ['NotIpAddress', '127.0.0.0/8', undefined, true],
    ['IpAddressIfExists', '203.0.113.0/24', undefined, true],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:SourceIp', policy, value)).toBe(expected);
  });
});

describe('ARN operators', () => {
  const role = 'arn:aws:iam::111122223333:role/ops/remediation-playbook';
  it.each<Row>([
    ['ArnEquals', role, role, true],
    ['ArnLike', 'arn:aws:iam::111122223333:role/*', role, true],
    ['ArnLike', 'arn:aws:iam::*:role/ops/*', role, true],
    ['ArnLike', 'arn:aws:iam::444455556666:role/*', role, false],
    ['ArnNotLike', 'arn:aws:iam::444455556666:role/*', role, true],
    ['ArnNotEquals', role, role, false],
    ['ArnLike', 'arn:aws:iam::111122223333:role/*', 'not an arn', false],
    ['ArnLike', 'arn:aws:iam::111122223333:role/*', undefined, false],
    ['ArnNotLike', 'arn:aws:iam::111122223333:role/*', undefined, true],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:PrincipalArn', policy, value)).toBe(expected);
  });
});

describe('set qualifiers on a multivalued key', () => {
  it.each<Row>([
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], false],
    ['ForAllValues:StringEquals', ['a'], [], true],
    ['ForAllValues:StringEquals', ['a'], undefined, true],
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'b'], true],
    ['ForAnyValue:StringEquals', ['a'], ['c'], false],
    ['ForAnyValue:StringEquals', ['a'], undefined, false],
    ['ForAnyValue:StringLike', ['team-*'], ['owner', 'team-red'], true],
    ['ForAllValues:StringNotEquals', ['secret'], ['a', 'b'], true],
    ['ForAllValues:StringNotEquals', ['secret'], ['a', 'secret'], false],
  ])('%s %j on %j → %s', (operator, policy, value, expected) => {
    expect(holds(operator, 'aws:TagKeys', policy, value)).toBe(expected);
  });
});

describe('a condition block', () => {
  it('needs every operator and every key to hold (AND)', () => {
    const context: ConditionContext = new Map<string, string | boolean>([
      ['aws:sourceip', '127.0.0.1'],
      ['aws:securetransport', true],
    ]);
    const block = (cidr: string) => ({
      IpAddress: { 'aws:SourceIp': cidr },
      Bool: { 'aws:SecureTransport': 'true' },
    });

    expect(conditionsHold(block('127.0.0.0/8'), context)).toBe(true);
    expect(conditionsHold(block('10.0.0.0/8'), context)).toBe(false);
  });

  it('answers undefined for an operator IAM does not know, which IAM refuses to store', () => {
    expect(conditionsHold({ DateSoundsLike: { 'aws:CurrentTime': 'x' } }, none)).toBeUndefined();
    const document = JSON.stringify({
      Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateSoundsLike: { k: 'v' } } },
    });
    expect(() => checkPolicyDocument(document, 'identity')).toThrow(
      expect.objectContaining({ code: 'MalformedPolicyDocument' }),
    );
  });
});

describe('sessions revoked by aws:TokenIssueTime', () => {
  const user = (issuedAt?: Date): PolicyPrincipal => ({
    arn: 'arn:aws:iam::111122223333:user/alice',
    principalArn: 'arn:aws:iam::111122223333:user/alice',
    accountId: '111122223333',
    type: 'User',
    session: issuedAt && { issuedAt, mfaAuthenticated: false },
  });
  const containedAt = '2026-03-01T12:00:00.000Z';
  const policies = [
    JSON.stringify({ Statement: { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' } }),
    JSON.stringify({
      Statement: {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': containedAt } },
      },
    }),
  ];
  const decide = (caller: PolicyPrincipal) =>
    evaluatePolicies(policies, {
      action: 's3:ListAllMyBuckets',
      context: conditionContext(caller, undefined),
    });

  it('refuses a session issued before the deny, with the explicit Deny', () => {
    expect(decide(user(new Date('2026-03-01T11:59:59.999Z')))).toBe('ExplicitDeny');
  });

  it('allows a session issued after it', () => {
    expect(decide(user(new Date('2026-03-01T12:00:00.001Z')))).toBe('Allow');
  });

  it('does not touch a long-term key, which carries no aws:TokenIssueTime', () => {
    const context = conditionContext(user(), undefined);
    expect(context.has('aws:tokenissuetime')).toBe(false);
    expect(context.has('aws:multifactorauthpresent')).toBe(false);
    expect(decide(user())).toBe('Allow');
  });
});
