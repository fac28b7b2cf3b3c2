import { describe, expect, it } from 'vitest';
import { type ConditionContext, conditionsHold } from '#sandbox/services/iam/policy-conditions.ts';
import { conditionContext, evaluatePolicies } from '#sandbox/services/iam/policy-evaluation.ts';
import { matchesWildcard } from '#shared/policy/wildcard.ts';
import { actionMatches } from './helpers.ts';
import {
  identityStatements,
  list,
  type ResolvedStack,
  resolvedStacks,
  type Statement,
} from './outside/assemblies.ts';

/**
 * The calls each role must be able to make, and those it must not, decided from the synthesized
 * policies of both modes as IAM decides them for one request: an action, a resource ARN and the
 * request's condition keys (the sandbox's IAM evaluation does not look at resources, so this
 * file does).
 */
const all = resolvedStacks();
const stacks = all.filter((s) => !s.label.includes('Member'));
/** In an organization, the member role makes the calls on a finding's resources (task Credentials). */
const memberStack = all.find((s) => s.label === 'organization/AutoRemediationMember');

/** The identity-policy statements of the roles whose policies' logical ids match `role`. */
function statementsOf(stack: ResolvedStack, role: RegExp): Statement[] {
  return identityStatements(stack)
    .filter(({ where }) => role.test(where.slice(stack.label.length + 1)))
    .map(({ statement }) => statement);
}

/** Whether `statements` allow `action` on `resource` in `context`, and no Deny among them applies. */
function allows(
  statements: Statement[],
  action: string,
  resource: string,
  context: Record<string, string | boolean> = {},
) {
  const keys: ConditionContext = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  const applies = (s: Statement) =>
    list(s.Action).some((a) => actionMatches(a, action)) &&
    list(s.Resource).some((r) => matchesWildcard(resource, r)) &&
    conditionsHold(s.Condition, keys) === true;
  const matching = statements.filter(applies);
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

describe.each(stacks.map((s) => [s.label, s] as const))('%s', (_label, stack) => {
  const org = stack.label.startsWith('organization/');
  const { accountId: account, region } = stack;
  /** The account whose resources the member-side calls act on. */
  const target = org && memberStack ? memberStack.accountId : account;
  const playbookRole = (name: string) =>
    new RegExp(`^Playbook${name.replaceAll('-', '')}(StateMachine)?Role`);
  /** The statements of the role that calls a playbook's member-side actions. */
  const callerOf = (name: string) =>
    org && memberStack
      ? statementsOf(memberStack, /^PlaybookActions/)
      : statementsOf(stack, playbookRole(name));
  const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
  const key = `arn:aws:kms:${region}:${target}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  it('quarantine may keep a volume on termination: ModifyInstanceAttribute is authorized on the volume too', () => {
    const role = callerOf('quarantine-instance');
    expect(
      allows(
        role,
        'ec2:ModifyInstanceAttribute',
        `arn:aws:ec2:${region}:${target}:volume/vol-0123456789abcdef0`,
      ),
    ).toBe(true);
  });

  it('re-image may use customer managed keys of encrypted volumes and images, through EC2 only', () => {
    const role = callerOf('snapshot-and-reimage');
    expect(allows(role, 'kms:CreateGrant', key, { ...viaEc2, 'kms:GrantIsForAWSResource': true })).toBe(true);
    for (const action of [
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ])
      expect(allows(role, action, key, viaEc2), action).toBe(true);
    // Not directly, and no grant for something other than an AWS resource.
    expect(allows(role, 'kms:Decrypt', key)).toBe(false);
    expect(allows(role, 'kms:Decrypt', key, { 'kms:ViaService': `lambda.${region}.amazonaws.com` })).toBe(
      false,
    );
    expect(allows(role, 'kms:CreateGrant', key, { ...viaEc2, 'kms:GrantIsForAWSResource': false })).toBe(
      false,
    );
  });

  it('re-image may tag the interfaces a launch template tags, only while launching', () => {
    const role = callerOf('snapshot-and-reimage');
    const eni = `arn:aws:ec2:${region}:${target}:network-interface/eni-0123456789abcdef0`;
    expect(allows(role, 'ec2:CreateTags', eni, { 'ec2:CreateAction': 'RunInstances' })).toBe(true);
    expect(allows(role, 'ec2:CreateTags', eni)).toBe(false);
  });

  it('the approval functions read the link secret and nothing more of it', () => {
    for (const fn of ['ApprovalsDecision', 'ApprovalsRequest']) {
      const role = statementsOf(stack, new RegExp(`^${fn}Role`));
      const secrets = role.flatMap((s) => list(s.Resource)).filter((r) => r.includes(':secretsmanager:'));
      expect(secrets.length, fn).toBeGreaterThan(0);
      const actual = secrets[0] as string;
      expect(allows(role, 'secretsmanager:GetSecretValue', actual), fn).toBe(true);
      expect(allows(role, 'secretsmanager:DescribeSecret', actual), fn).toBe(false);
    }
  });

  it('classify only sends to its dead-letter queue', () => {
    const role = statementsOf(stack, /^ClassifyRole/);
    const queues = role.flatMap((s) => list(s.Resource)).filter((r) => r.includes(':sqs:'));
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) {
      expect(allows(role, 'sqs:SendMessage', queue)).toBe(true);
      expect(allows(role, 'sqs:GetQueueAttributes', queue)).toBe(false);
      expect(allows(role, 'sqs:GetQueueUrl', queue)).toBe(false);
    }
  });

  it('state machine roles trust Step Functions only for state machines of their own account and region', () => {
    const trusts = Object.entries(stack.template.Resources).filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Role' &&
        JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('states.amazonaws.com'),
    );
    expect(trusts.length).toBeGreaterThan(0);
    const states = {
      arn: 'states.amazonaws.com',
      principalArn: 'states.amazonaws.com',
      type: 'Service',
      service: 'states.amazonaws.com',
    } as const;
    const assume = (document: unknown, sourceAccount: string, sourceArn: string) =>
      evaluatePolicies([JSON.stringify(document)], {
        action: 'sts:AssumeRole',
        principal: states,
        context: conditionContext(states, undefined, {
          'aws:SourceAccount': sourceAccount,
          'aws:SourceArn': sourceArn,
        }),
      });
    for (const [id, role] of trusts) {
      const document = role.Properties?.AssumeRolePolicyDocument;
      const own = `arn:aws:states:${region}:${account}:stateMachine:remediation-x`;
      expect(assume(document, account, own), id).toBe('Allow');
      expect(
        assume(document, '999999999999', `arn:aws:states:${region}:999999999999:stateMachine:x`),
        id,
      ).toBe('ImplicitDeny');
    }
  });
});
