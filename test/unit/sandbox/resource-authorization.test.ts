import { describe, expect, it } from 'vitest';
import { conditionContext, type PolicyPrincipal } from '#sandbox/services/iam/policy-evaluation.ts';
import { authorizeResource, type ResourcePolicy } from '#sandbox/services/iam/resource-authorization.ts';
import {
  defaultKeyPolicy,
  permissionStatement,
  ResourcePolicyStore,
} from '#sandbox/services/iam/resource-policies.ts';
import {
  assertEventBridgeMayInvoke,
  ServiceInvocationDeniedError,
} from '#sandbox/services/iam/service-invocation.ts';

const HOME = '111122223333';
const OTHER = '444455556666';
const TOPIC = `arn:aws:sns:us-east-1:${HOME}:alerts`;
const KEY = `arn:aws:kms:us-east-1:${HOME}:key/k-1`;

function session(account: string, role: string): PolicyPrincipal {
  return {
    arn: `arn:aws:sts::${account}:assumed-role/${role}/run`,
    principalArn: `arn:aws:iam::${account}:role/${role}`,
    accountId: account,
    type: 'AssumedRole',
  };
}
const notifier = session(HOME, 'notifier');
const outsider = session(OTHER, 'notifier');

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string, Resource: string) => policy({ Effect: 'Allow', Action, Resource });

function decide(input: {
  principal: PolicyPrincipal;
  identity?: readonly string[];
  action: string;
  resource: string;
  resourcePolicy?: ResourcePolicy;
}) {
  return authorizeResource({
    principal: input.principal,
    identityPolicies: input.identity ?? [],
    action: input.action,
    resource: input.resource,
    resourcePolicy: input.resourcePolicy,
    context: conditionContext(input.principal, undefined),
  }).decision;
}

const topicPolicy = (document: string, accountId = HOME): ResourcePolicy => ({
  document,
  required: false,
  accountId,
});

describe('identity and resource policies together', () => {
  it('allows a call in the same account that only the resource policy allows, naming the caller', async () => {
    const grant = topicPolicy(
      policy({
        Effect: 'Allow',
        Principal: { AWS: notifier.principalArn },
        Action: 'sns:Publish',
        Resource: TOPIC,
      }),
    );
    expect(
      decide({ principal: notifier, action: 'sns:Publish', resource: TOPIC, resourcePolicy: grant }),
    ).toBe('Allow');
  });

  it('does not let a statement naming only the account grant alone: it delegates to identity policies', async () => {
    const delegate = topicPolicy(
      policy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${HOME}:root` },
        Action: 'sns:Publish',
        Resource: TOPIC,
      }),
    );
    expect(
      decide({ principal: notifier, action: 'sns:Publish', resource: TOPIC, resourcePolicy: delegate }),
    ).toBe('ImplicitDeny');
    expect(
      decide({
        principal: notifier,
        identity: [allow('sns:Publish', TOPIC)],
        action: 'sns:Publish',
        resource: TOPIC,
        resourcePolicy: delegate,
      }),
    ).toBe('Allow');
  });

  it('refuses a call the identity policy allows when the resource policy denies it', async () => {
    const deny = topicPolicy(
      policy({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC }),
    );
    expect(
      decide({
        principal: notifier,
        identity: [allow('sns:Publish', '*')],
        action: 'sns:Publish',
        resource: TOPIC,
        resourcePolicy: deny,
      }),
    ).toBe('ExplicitDeny');
  });

  it('needs both policies across accounts', async () => {
    const grantOther = topicPolicy(
      policy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        Action: 'sns:Publish',
        Resource: TOPIC,
      }),
    );
    const identity = [allow('sns:Publish', TOPIC)];
    expect(decide({ principal: outsider, identity, action: 'sns:Publish', resource: TOPIC })).toBe('Allow');
    expect(
      decide({
        principal: outsider,
        identity,
        action: 'sns:Publish',
        resource: TOPIC,
        resourcePolicy: topicPolicy(policy()),
      }),
    ).toBe('ImplicitDeny');
    expect(
      decide({ principal: outsider, action: 'sns:Publish', resource: TOPIC, resourcePolicy: grantOther }),
    ).toBe('ImplicitDeny');
    expect(
      decide({
        principal: outsider,
        identity,
        action: 'sns:Publish',
        resource: TOPIC,
        resourcePolicy: grantOther,
      }),
    ).toBe('Allow');
  });

  it('refuses a KMS key whose key policy does not delegate to the account, whatever the identity policy', async () => {
    const identity = [allow('kms:GenerateMac', '*')];
    const closed: ResourcePolicy = {
      document: policy({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${HOME}:role/key-admin` },
        Action: 'kms:*',
        Resource: '*',
      }),
      required: true,
      accountId: HOME,
    };
    expect(
      decide({
        principal: notifier,
        identity,
        action: 'kms:GenerateMac',
        resource: KEY,
        resourcePolicy: closed,
      }),
    ).toBe('ImplicitDeny');
    const delegating: ResourcePolicy = { document: defaultKeyPolicy(HOME), required: true, accountId: HOME };
    expect(
      decide({
        principal: notifier,
        identity,
        action: 'kms:GenerateMac',
        resource: KEY,
        resourcePolicy: delegating,
      }),
    ).toBe('Allow');
    expect(
      decide({ principal: notifier, action: 'kms:GenerateMac', resource: KEY, resourcePolicy: delegating }),
    ).toBe('ImplicitDeny');
  });

  it('holds an account root user to a resource policy: its Deny and a KMS key policy that leaves the account out', async () => {
    const root: PolicyPrincipal = { ...notifier, type: 'User', arn: `arn:aws:iam::${HOME}:root` };
    const refuse = (resourcePolicy: ResourcePolicy, action: string, resource: string) =>
      authorizeResource({
        principal: root,
        identityPolicies: undefined,
        action,
        resource,
        resourcePolicy,
        context: conditionContext(root, undefined),
      }).decision;
    const deny = topicPolicy(
      policy({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC }),
    );
    expect(refuse(deny, 'sns:Publish', TOPIC)).toBe('ExplicitDeny');
    const closed: ResourcePolicy = { document: policy(), required: true, accountId: HOME };
    expect(refuse(closed, 'kms:GenerateMac', KEY)).toBe('ImplicitDeny');
    expect(refuse({ ...closed, document: defaultKeyPolicy(HOME) }, 'kms:GenerateMac', KEY)).toBe('Allow');
  });
});

describe('an AWS service calling a resource', () => {
  const fn = `arn:aws:lambda:us-east-1:${HOME}:function:classify`;
  const rule = { arn: `arn:aws:events:us-east-1:${HOME}:rule/guardduty`, accountId: HOME };

  it('lets EventBridge invoke a function only for the rule its permission names', () => {
    const store = new ResourcePolicyStore();
    expect(() => assertEventBridgeMayInvoke(store, fn, rule)).toThrow(ServiceInvocationDeniedError);
    store.addPermission(
      fn,
      permissionStatement({
        sid: 'rule',
        functionArn: fn,
        action: 'lambda:InvokeFunction',
        principal: 'events.amazonaws.com',
        sourceArn: rule.arn,
      }),
    );
    expect(() => assertEventBridgeMayInvoke(store, fn, rule)).not.toThrow();
    expect(() =>
      assertEventBridgeMayInvoke(store, fn, { ...rule, arn: `arn:aws:events:us-east-1:${HOME}:rule/other` }),
    ).toThrow(/does not let events.amazonaws.com invoke it/);
  });
});
