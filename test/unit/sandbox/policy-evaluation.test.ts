import { describe, expect, it } from 'vitest';
import {
  conditionContext,
  evaluatePolicies,
  type PolicyDecision,
  type PolicyPrincipal,
} from '#sandbox/services/iam/policy-evaluation.ts';

const SECURITY = '111122223333';
const ORG = 'o-aaaaaaaaaa';

const playbookSession: PolicyPrincipal = {
  arn: `arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook-keys/run-1`,
  principalArn: `arn:aws:iam::${SECURITY}:role/remediation-playbook-keys`,
  accountId: SECURITY,
  type: 'AssumedRole',
};
const alice: PolicyPrincipal = {
  arn: `arn:aws:iam::${SECURITY}:user/alice`,
  principalArn: `arn:aws:iam::${SECURITY}:user/alice`,
  accountId: SECURITY,
  type: 'User',
};
const outsider: PolicyPrincipal = {
  arn: 'arn:aws:iam::999988887777:user/mallory',
  principalArn: 'arn:aws:iam::999988887777:user/mallory',
  accountId: '999988887777',
  type: 'User',
};
const stepFunctions: PolicyPrincipal = {
  arn: 'states.amazonaws.com',
  principalArn: 'states.amazonaws.com',
  type: 'Service',
  service: 'states.amazonaws.com',
};

function trust(statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', ...statement }] });
}

function assume(
  policy: string,
  principal: PolicyPrincipal,
  extra: Record<string, string> = {},
  organizationId: string | undefined = principal.accountId === SECURITY ? ORG : undefined,
): PolicyDecision {
  return evaluatePolicies([policy], {
    action: 'sts:AssumeRole',
    principal,
    context: conditionContext(principal, organizationId, extra),
  });
}

describe('trust policy principals', () => {
  it.each<[string, unknown, PolicyPrincipal, PolicyDecision]>([
    ['"*" admits anyone', '*', outsider, 'Allow'],
    ['{AWS: "*"} admits anyone', { AWS: '*' }, outsider, 'Allow'],
    ['a user ARN admits that user', { AWS: alice.arn }, alice, 'Allow'],
    ['a user ARN admits no one else', { AWS: alice.arn }, outsider, 'ImplicitDeny'],
    ['a role ARN admits its sessions', { AWS: playbookSession.principalArn }, playbookSession, 'Allow'],
    ['a session ARN admits that session', { AWS: playbookSession.arn }, playbookSession, 'Allow'],
    ['an account id admits its principals', { AWS: SECURITY }, alice, 'Allow'],
    [
      'an account root ARN admits its sessions',
      { AWS: `arn:aws:iam::${SECURITY}:root` },
      playbookSession,
      'Allow',
    ],
    [
      'an account admits no other account',
      { AWS: `arn:aws:iam::${SECURITY}:root` },
      outsider,
      'ImplicitDeny',
    ],
    ['a list admits any of its entries', { AWS: [alice.arn, outsider.arn] }, outsider, 'Allow'],
    ['a service admits that service', { Service: 'states.amazonaws.com' }, stepFunctions, 'Allow'],
    ['a service admits no user', { Service: 'states.amazonaws.com' }, alice, 'ImplicitDeny'],
    [
      'a regional service name admits the service',
      { Service: 'states.eu-west-1.amazonaws.com' },
      stepFunctions,
      'Allow',
    ],
    ['another service admits no other', { Service: 'lambda.amazonaws.com' }, stepFunctions, 'ImplicitDeny'],
    ['an account admits no service', { AWS: SECURITY }, stepFunctions, 'ImplicitDeny'],
  ])('%s', (_case, principal, caller, expected) => {
    expect(assume(trust({ Effect: 'Allow', Principal: principal }), caller)).toBe(expected);
  });
});

describe('actions', () => {
  it.each<[string, unknown, PolicyDecision]>([
    ['exact', 'sts:AssumeRole', 'Allow'],
    ['any case', 'STS:assumerole', 'Allow'],
    ['* wildcard', 'sts:Assume*', 'Allow'],
    ['? wildcard', 'sts:AssumeRol?', 'Allow'],
    ['everything', '*', 'Allow'],
    ['another action', 'sts:AssumeRoleWithSAML', 'ImplicitDeny'],
    ['in a list', ['sts:TagSession', 'sts:AssumeRole'], 'Allow'],
  ])('%s', (_case, action, expected) => {
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: action }] });

    expect(assume(policy, alice)).toBe(expected);
  });

  it('reads NotAction as every action but those', () => {
    const policy = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: '*', NotAction: 'iam:*' }],
    });

    expect(assume(policy, alice)).toBe('Allow');
  });
});

describe('conditions', () => {
  const inOrg = { Effect: 'Allow', Principal: '*' };
  it.each<[string, Record<string, unknown>, PolicyPrincipal, Record<string, string>, PolicyDecision]>([
    ['org id met', { StringEquals: { 'aws:PrincipalOrgID': ORG } }, alice, {}, 'Allow'],
    [
      'org id unmet (another org)',
      { StringEquals: { 'aws:PrincipalOrgID': 'o-bbbbbbbbbb' } },
      alice,
      {},
      'ImplicitDeny',
    ],
    ['org id absent', { StringEquals: { 'aws:PrincipalOrgID': ORG } }, outsider, {}, 'ImplicitDeny'],
    ['key names any case', { StringEquals: { 'AWS:principalorgid': ORG } }, alice, {}, 'Allow'],
    [
      'external id met',
      { StringEquals: { 'sts:ExternalId': 'x-1' } },
      alice,
      { 'sts:ExternalId': 'x-1' },
      'Allow',
    ],
    [
      'external id unmet',
      { StringEquals: { 'sts:ExternalId': 'x-1' } },
      alice,
      { 'sts:ExternalId': 'x-2' },
      'ImplicitDeny',
    ],
    ['external id missing', { StringEquals: { 'sts:ExternalId': 'x-1' } }, alice, {}, 'ImplicitDeny'],
    [
      'values are case-sensitive',
      { StringEquals: { 'sts:ExternalId': 'X-1' } },
      alice,
      { 'sts:ExternalId': 'x-1' },
      'ImplicitDeny',
    ],
    [
      'IfExists passes a missing key',
      { StringEqualsIfExists: { 'sts:ExternalId': 'x-1' } },
      alice,
      {},
      'Allow',
    ],
    [
      'IfExists still checks a present key',
      { StringEqualsIfExists: { 'sts:ExternalId': 'x-1' } },
      alice,
      { 'sts:ExternalId': 'no' },
      'ImplicitDeny',
    ],
    [
      'StringNotEquals on a missing key holds',
      { StringNotEquals: { 'sts:ExternalId': 'x-1' } },
      alice,
      {},
      'Allow',
    ],
    [
      'StringNotEquals on an excluded value fails',
      { StringNotEquals: { 'aws:PrincipalAccount': SECURITY } },
      alice,
      {},
      'ImplicitDeny',
    ],
    [
      'StringLike',
      { StringLike: { 'aws:PrincipalArn': '*:role/remediation-playbook-*' } },
      playbookSession,
      {},
      'Allow',
    ],
    [
      'StringNotLike',
      { StringNotLike: { 'aws:PrincipalArn': '*:role/remediation-*' } },
      playbookSession,
      {},
      'ImplicitDeny',
    ],
    [
      'ArnLike on the role of a session',
      { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${SECURITY}:role/remediation-playbook-*` } },
      playbookSession,
      {},
      'Allow',
    ],
    [
      'ArnLike does not match a user',
      { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${SECURITY}:role/remediation-playbook-*` } },
      alice,
      {},
      'ImplicitDeny',
    ],
    [
      'ArnEquals takes wildcards like ArnLike',
      { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/remediation-playbook-keys' } },
      playbookSession,
      {},
      'Allow',
    ],
    [
      'ArnNotLike',
      { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } },
      playbookSession,
      {},
      'Allow',
    ],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': alice.arn } }, alice, {}, 'ImplicitDeny'],
    [
      'any of several values',
      { StringEquals: { 'aws:PrincipalAccount': ['444455556666', SECURITY] } },
      alice,
      {},
      'Allow',
    ],
    [
      'every key of an operator',
      { StringEquals: { 'aws:PrincipalAccount': SECURITY, 'aws:PrincipalType': 'AssumedRole' } },
      alice,
      {},
      'ImplicitDeny',
    ],
    [
      'aws:PrincipalType of a session',
      { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } },
      playbookSession,
      {},
      'Allow',
    ],
    ['Bool', { Bool: { 'aws:PrincipalIsAWSService': 'true' } }, stepFunctions, {}, 'Allow'],
    ['Bool false', { Bool: { 'aws:PrincipalIsAWSService': 'true' } }, alice, {}, 'ImplicitDeny'],
    [
      'source account of a service',
      { StringEquals: { 'aws:SourceAccount': SECURITY } },
      stepFunctions,
      { 'aws:SourceAccount': SECURITY },
      'Allow',
    ],
    [
      'source ARN of a service',
      { ArnLike: { 'aws:SourceArn': `arn:aws:states:*:${SECURITY}:stateMachine:*` } },
      stepFunctions,
      { 'aws:SourceArn': `arn:aws:states:us-east-1:${SECURITY}:stateMachine:keys` },
      'Allow',
    ],
    ['Null true on a missing key', { Null: { 'sts:ExternalId': 'true' } }, alice, {}, 'Allow'],
    [
      'ForAnyValue on a missing key fails',
      { 'ForAnyValue:StringEquals': { 'sts:ExternalId': 'x' } },
      alice,
      {},
      'ImplicitDeny',
    ],
    [
      'ForAllValues on a missing key holds',
      { 'ForAllValues:StringEquals': { 'sts:ExternalId': 'x' } },
      alice,
      {},
      'Allow',
    ],
    [
      'an unknown operator: the statement does not apply',
      { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
      alice,
      {},
      'ImplicitDeny',
    ],
  ])('%s', (_case, condition, caller, extra, expected) => {
    expect(assume(trust({ ...inOrg, Condition: condition }), caller, extra)).toBe(expected);
  });
});

describe('decisions', () => {
  it('lets an explicit Deny win over an Allow', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: { AWS: SECURITY }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'sts:*' },
      ],
    });

    expect(assume(policy, alice)).toBe('ExplicitDeny');
    expect(assume(policy, playbookSession)).toBe('Allow');
  });

  it('does not apply a Deny whose operator IAM does not know (IAM would not store it)', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Condition: { DateSoundsLike: { 'aws:CurrentTime': '2999-01-01' } },
        },
      ],
    });

    expect(assume(policy, alice)).toBe('Allow');
  });

  it('applies a Date condition Deny (aws:CurrentTime before a date to come)', () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Condition: { DateLessThan: { 'aws:CurrentTime': '2999-01-01' } },
        },
      ],
    });

    expect(assume(policy, alice)).toBe('ExplicitDeny');
  });

  it('holds identity policies (no Principal) to the action alone', () => {
    const policies = [
      JSON.stringify({
        Statement: {
          Effect: 'Allow',
          Action: ['ec2:Describe*', 'iam:UpdateAccessKey'],
          Resource: 'arn:aws:iam::*:user/*',
        },
      }),
      JSON.stringify({ Statement: { Effect: 'Deny', Action: 'ec2:DescribeSnapshots', Resource: '*' } }),
    ];
    const decide = (action: string) =>
      evaluatePolicies(policies, { action, context: conditionContext(playbookSession, ORG) });

    expect(decide('iam:UpdateAccessKey')).toBe('Allow');
    expect(decide('ec2:DescribeInstances')).toBe('Allow');
    expect(decide('ec2:DescribeSnapshots')).toBe('ExplicitDeny');
    expect(decide('iam:DeleteAccessKey')).toBe('ImplicitDeny');
  });

  it('does not let a Deny on named resources refuse the whole action', () => {
    const policies = [
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 'iam:DeleteRole',
            Resource: 'arn:aws:iam::*:role/RemediationExecutionRole',
          },
        ],
      }),
    ];

    expect(
      evaluatePolicies(policies, {
        action: 'iam:DeleteRole',
        context: conditionContext(playbookSession, ORG),
      }),
    ).toBe('Allow');
  });

  it('applies Resource and NotResource to a known resource, as IAM matches ARNs (case-sensitively)', () => {
    const policies = [
      JSON.stringify({
        Statement: [
          { Effect: 'Allow', Action: 'iam:*', Resource: 'arn:aws:iam::*:user/*' },
          {
            Effect: 'Deny',
            Action: 'iam:*',
            Resource: ['arn:aws:iam::*:user/break-glass*', 'arn:aws:iam::*:user/*/break-glass*'],
          },
          { Effect: 'Deny', Action: 'iam:TagUser', NotResource: 'arn:aws:iam::111122223333:user/*' },
        ],
      }),
    ];
    const decide = (action: string, resource: string) =>
      evaluatePolicies(policies, { action, resource, context: conditionContext(playbookSession, ORG) });

    expect(decide('iam:PutUserPolicy', 'arn:aws:iam::444455556666:user/break-glass')).toBe('ExplicitDeny');
    expect(decide('iam:PutUserPolicy', 'arn:aws:iam::444455556666:user/emergency/break-glass')).toBe(
      'ExplicitDeny',
    );
    // Resource ARNs match case-sensitively: the Deny names only the spelling it lists.
    expect(decide('iam:PutUserPolicy', 'arn:aws:iam::444455556666:user/BREAK-GLASS')).toBe('Allow');
    expect(decide('iam:PutUserPolicy', 'arn:aws:iam::444455556666:user/alice')).toBe('Allow');
    expect(decide('iam:PutRolePolicy', 'arn:aws:iam::444455556666:role/alice')).toBe('ImplicitDeny');
    expect(decide('iam:TagUser', 'arn:aws:iam::444455556666:user/alice')).toBe('ExplicitDeny');
    expect(decide('iam:TagUser', 'arn:aws:iam::111122223333:user/alice')).toBe('Allow');
  });

  it('grants nothing with no policy', () => {
    expect(evaluatePolicies([], { action: 'iam:GetUser', context: new Map() })).toBe('ImplicitDeny');
  });
});
