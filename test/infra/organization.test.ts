import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { PLAYBOOK_NAME_MAX, playbookRoleName } from '#infra/constructs/member-access.ts';
import {
  conditionContext,
  evaluatePolicies,
  type PolicyPrincipal,
} from '#sandbox/services/iam/policy-evaluation.ts';
import { playbookNames } from '#statemachines/registry.ts';
import {
  definitionOf,
  deployedDocument,
  type IamStatement,
  iamStatementsOf,
  statementActions,
} from './helpers.ts';

const ORG = 'o-a1b2c3d4e5';
const SECURITY = '111122223333';
const MEMBER = '444455556666';
const REGION = 'us-east-1';
/**
 * The product's own calls on its tables and topic (audit trail, claims, notifications), which stay
 * in the security account; the member role changes settings of member tables, queues and topics only.
 */
const PRODUCT_DATA_CALLS = /^(dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan)|sns:Publish)$/i;

let app: App;
let security: Template;
let member: Template;
beforeAll(() => {
  app = new App({ context: { organizationId: ORG, securityAccountId: SECURITY } });
  const built = buildApp(app);
  security = Template.fromStack(built.stack);
  if (!built.member) throw new Error('no member stack');
  member = Template.fromStack(built.member);
}, 180_000);

const statementsOf = iamStatementsOf;
const actionsOf = (statements: IamStatement[]) =>
  new Set(statements.filter((s) => s.Effect === 'Allow').flatMap(statementActions));

describe('organization mode: the security account stack', () => {
  it('has a bus only the organization may put events on, with the finding rules on it', () => {
    security.hasResourceProperties('AWS::Events::EventBus', { Name: 'remediation-findings' });
    const policies = Object.values(security.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.Statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
    const onBus = Object.values(security.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventBusName,
    );
    expect(onBus.length).toBeGreaterThanOrEqual(3);
  });

  it('makes every call on a finding resource as the member role from the input, and nothing else', () => {
    for (const name of [...playbookNames, 'undo']) {
      const { States } = definitionOf(
        security,
        name === 'undo' ? 'Undo' : `Playbook${name.replaceAll('-', '')}`,
      );
      const all = Object.values(States).flatMap((s) => [
        s,
        ...Object.values((s as { ItemProcessor?: { States: object } }).ItemProcessor?.States ?? {}),
      ]) as {
        Resource?: string;
        Credentials?: unknown;
      }[];
      for (const state of all.filter((s) => s.Resource?.includes(':aws-sdk:'))) {
        const service = /aws-sdk:(\w+):/.exec(state.Resource ?? '')?.[1] ?? '';
        // The product's own SDK calls are Step Functions' (claims and follow-ups); its audit trail,
        // claims table and topic use the optimized integrations below. DynamoDB, SQS and SNS SDK
        // calls change member tables, queues and topics, as the member role.
        if (service === 'sfn') expect(state.Credentials, state.Resource).toBeUndefined();
        else
          expect(state.Credentials, `${name} ${state.Resource}`).toEqual({ 'RoleArn.$': '$.target.roleArn' });
      }
      for (const state of all.filter((s) => /:::(dynamodb|sns|lambda):/.test(s.Resource ?? '')))
        expect(state.Credentials, state.Resource).toBeUndefined();
      // An iteration sees only its item: a Map whose tasks take credentials must pass the target in.
      for (const map of Object.entries(States) as [
        string,
        { ItemProcessor?: { States: object }; ItemSelector?: object },
      ][]) {
        const inner = Object.values(map[1].ItemProcessor?.States ?? {}) as { Credentials?: unknown }[];
        if (inner.some((s) => s.Credentials))
          expect(map[1].ItemSelector, `${name} ${map[0]}`).toMatchObject({ 'target.$': '$.target' });
      }
    }
  });

  it('gives each playbook role a fixed name with its region and lets it assume only the member role', () => {
    for (const name of [...playbookNames, 'undo']) {
      security.hasResourceProperties('AWS::IAM::Role', {
        RoleName: { 'Fn::Join': ['', [`remediation-playbook-${name}-`, { Ref: 'AWS::Region' }]] },
      });
      if (name !== 'undo')
        security.hasResourceProperties('AWS::StepFunctions::StateMachine', {
          StateMachineName: `remediation-${name}`,
        });
    }
    for (const prefix of ['Playbookquarantineinstance', 'Undo']) {
      const deny = statementsOf(security, prefix).find(
        (s) => s.Effect === 'Deny' && s.Action === 'sts:AssumeRole',
      );
      expect(JSON.stringify(deny?.NotResource), prefix).toContain(':iam::*:role/RemediationExecutionRole');
    }
    const classify = Object.values(security.findResources('AWS::Lambda::Function')).find((f) =>
      /classifies findings/.test(f.Properties.Description),
    );
    expect(JSON.stringify(classify?.Properties.Environment.Variables.MEMBER_ROLE_ARN)).toContain(
      ':iam::{account}:role/RemediationExecutionRole',
    );
  });
});

describe('organization mode: the undo role', () => {
  it('refuses calls on protected principals and on the stack’s own roles, and roles outside the organization', () => {
    // With the overflow managed policies CDK attaches when the inline policy outgrows IAM's quota.
    const policies = Object.entries({
      ...security.findResources('AWS::IAM::Policy'),
      ...security.findResources('AWS::IAM::ManagedPolicy'),
    })
      .filter(([id]) => id.startsWith('UndoRole'))
      .map(([, p]) =>
        deployedDocument(security, p.Properties.PolicyDocument, { account: SECURITY, region: 'us-east-1' }),
      );
    const who: PolicyPrincipal = {
      arn: `arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook-undo-us-east-1/x`,
      principalArn: `arn:aws:iam::${SECURITY}:role/remediation-playbook-undo-us-east-1`,
      accountId: SECURITY,
      type: 'AssumedRole',
    };
    const decide = (action: string, resource: string, resourceOrg?: string) =>
      evaluatePolicies(policies, {
        action,
        resource,
        context: conditionContext(who, ORG, { 'aws:ResourceOrgID': resourceOrg }),
      });

    expect(decide('iam:DeleteUserPolicy', `arn:aws:iam::${SECURITY}:user/emergency/break-glass`)).toBe(
      'ExplicitDeny',
    );
    expect(
      decide('iam:DeleteRolePolicy', `arn:aws:iam::${SECURITY}:role/remediation-playbook-undo-us-east-1`),
    ).toBe('ExplicitDeny');
    const memberRole = `arn:aws:iam::444455556666:role/RemediationExecutionRole`;
    expect(decide('sts:AssumeRole', memberRole, ORG)).toBe('Allow');
    // The same role name in an account outside the organization.
    expect(decide('sts:AssumeRole', memberRole, undefined)).toBe('ExplicitDeny');
    expect(decide('sts:AssumeRole', memberRole, 'o-other000000')).toBe('ExplicitDeny');
  });
});

describe('organization mode: the member stack', () => {
  /** The member role's trust and policies, as deployed into MEMBER in REGION. */
  const memberRole = () => {
    const [role] = Object.values(
      member.findResources('AWS::IAM::Role', { Properties: { RoleName: 'RemediationExecutionRole' } }),
    );
    const policies = Object.values(member.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('RemediationExecutionRole'))
      .map((p) => deployedDocument(member, p.Properties.PolicyDocument, { account: MEMBER, region: REGION }));
    const trust = deployedDocument(member, role?.Properties.AssumeRolePolicyDocument, {
      account: MEMBER,
      region: REGION,
    });
    return { trust, policies };
  };
  const sessionOf = (account: string, roleName: string): PolicyPrincipal => ({
    arn: `arn:aws:sts::${account}:assumed-role/${roleName}/execution`,
    principalArn: `arn:aws:iam::${account}:role/${roleName}`,
    accountId: account,
    type: 'AssumedRole',
  });

  it('trusts exactly the playbook roles of the security account, and only from inside the organization', () => {
    const { trust } = memberRole();
    const assume = (who: PolicyPrincipal, org: string | undefined) =>
      evaluatePolicies([trust], {
        action: 'sts:AssumeRole',
        principal: who,
        context: conditionContext(who, org),
      });

    for (const name of [...playbookNames, 'undo'])
      expect(assume(sessionOf(SECURITY, `remediation-playbook-${name}-${REGION}`), ORG), name).toBe('Allow');
    // The trust names the playbook roles by their fixed name pattern per region (member-stack.ts
    // says why): a role of another region's name, or of no region, is refused.
    expect(assume(sessionOf(SECURITY, 'remediation-playbook-disable-access-key-evil'), ORG)).toBe(
      'ImplicitDeny',
    );
    expect(assume(sessionOf(SECURITY, 'remediation-playbook-disable-access-key-eu-west-1'), ORG)).toBe(
      'ImplicitDeny',
    );
    expect(assume(sessionOf(SECURITY, `ci-deployer-${REGION}`), ORG)).toBe('ImplicitDeny');
    // The right name, but the security account outside the organization, or another account.
    const playbook = `remediation-playbook-disable-access-key-${REGION}`;
    expect(assume(sessionOf(SECURITY, playbook), 'o-other000000')).toBe('ImplicitDeny');
    expect(assume(sessionOf(MEMBER, playbook), ORG)).toBe('ImplicitDeny');
  });

  it("keeps its trust within IAM's default 2,048 characters however many playbooks there are, and every playbook role name within 64", () => {
    const { trust } = memberRole();
    // IAM counts the policy without white space.
    expect(JSON.stringify(trust).length).toBeLessThan(2048);
    for (const name of [...playbookNames, 'undo']) {
      expect(name.length, name).toBeLessThanOrEqual(PLAYBOOK_NAME_MAX);
      expect(playbookRoleName(name, 'ap-southeast-4').length, name).toBeLessThanOrEqual(64);
    }
  });

  it('refuses, as the member role itself, any call on a protected principal or on the product’s own roles', () => {
    const { policies } = memberRole();
    const who = sessionOf(MEMBER, 'RemediationExecutionRole');
    const decide = (action: string, resource: string) =>
      evaluatePolicies(policies, {
        action,
        resource,
        context: conditionContext(who, ORG, { 'iam:PassedToService': 'ec2.amazonaws.com' }),
      });
    const user = (name: string) => `arn:aws:iam::${MEMBER}:user/${name}`;
    const role = (name: string) => `arn:aws:iam::${MEMBER}:role/${name}`;

    // A playbook call against a break-glass user: at the root path, under a path, in capitals.
    for (const target of ['break-glass', 'emergency/break-glass', 'BREAK-GLASS-ADMIN']) {
      expect(decide('iam:UpdateAccessKey', user(target)), target).toBe('ExplicitDeny');
      expect(decide('iam:PutUserPolicy', user(target)), target).toBe('ExplicitDeny');
    }
    // Never on itself (which would raise its own permissions), nor passing itself to EC2.
    expect(decide('iam:PutRolePolicy', role('RemediationExecutionRole'))).toBe('ExplicitDeny');
    expect(decide('iam:PassRole', role('RemediationExecutionRole'))).toBe('ExplicitDeny');
    // What the playbooks are for still works.
    expect(decide('iam:UpdateAccessKey', user('ci-deployer'))).toBe('Allow');
    expect(decide('iam:PutRolePolicy', role('web-instance'))).toBe('Allow');
    expect(decide('iam:PassRole', role('web-instance'))).toBe('Allow');
  });

  it('holds the actions the playbooks call on member resources, which the security account roles do not', () => {
    // What the playbooks and the undo call through Step Functions' SDK integrations, as IAM names
    // it (Step Functions' own calls stay in the security account): every such call is made as
    // this role (task Credentials).
    const called = new Set<string>();
    for (const name of [...playbookNames, 'undo']) {
      const { States } = definitionOf(
        security,
        name === 'undo' ? 'Undo' : `Playbook${name.replaceAll('-', '')}`,
      );
      const text = JSON.stringify(States);
      for (const [, service, action] of text.matchAll(/aws-sdk:(\w+):(\w+)/g))
        if (service !== 'sfn')
          called.add(
            `${service === 'elasticloadbalancingv2' ? 'elasticloadbalancing' : service}:${action}`.toLowerCase(),
          );
    }
    // The services of those calls (S3 Control's are authorized as s3:…): the member-side services.
    const memberServices = new Set([...called].map((a) => a.split(':')[0]?.replace(/^s3control$/, 's3')));
    const ofMemberService = (action: string) => memberServices.has(action.split(':')[0]?.toLowerCase());
    // Not empty and not everything: the services the shipped playbooks change resources of.
    expect([...memberServices]).toEqual(expect.arrayContaining(['ec2', 'iam', 's3', 'rds', 'lambda']));
    expect(memberServices.has('sts')).toBe(false);
    // The playbooks' and undo's roles in the security account keep none of them, so they cannot
    // act on the security account's own resources (KMS: the security account's own keys, as today).
    const securitySide = actionsOf([
      ...statementsOf(security, 'Playbook'),
      ...statementsOf(security, 'Undo'),
    ]);
    expect(
      [...securitySide].filter(
        (a) =>
          ofMemberService(a) &&
          !a.toLowerCase().startsWith('kms:') &&
          a !== 'lambda:InvokeFunction' &&
          !PRODUCT_DATA_CALLS.test(a),
      ),
    ).toEqual([]);
    // S3's Block Public Access calls are authorized as s3:*BucketPublicAccessBlock, S3 Control's
    // (the account's) as s3:*AccountPublicAccessBlock.
    const granted = new Set(
      [...actionsOf(statementsOf(member, 'PlaybookActions'))].map((a) => a.toLowerCase()),
    );
    const s3 = (a: string) =>
      a.replace(
        /^(s3|s3control):(get|put|delete)publicaccessblock$/,
        (_, service, verb) =>
          `s3:${verb === 'get' ? 'get' : 'put'}${service === 's3' ? 'bucket' : 'account'}publicaccessblock`,
      );
    expect([...called].map(s3).filter((a) => !granted.has(a))).toEqual([]);
    // Besides, only what EC2 needs along with them: tagging on create, passing a role, customer managed keys.
    expect([...granted].filter((a) => !ofMemberService(a) && !a.startsWith('kms:'))).toEqual([]);
    // One role for every region: no regional resource is pinned to the region the stack was deployed in.
    const resources = statementsOf(member, 'PlaybookActions').flatMap((st) => [st.Resource].flat());
    expect(JSON.stringify(resources)).not.toContain('AWS::Region');
    expect(JSON.stringify(resources)).toMatch(/:ec2:\*:/);
    expect(
      [...granted].some(
        (a) => /^(sts|states):/.test(a) || PRODUCT_DATA_CALLS.test(a) || a === 'lambda:invokefunction',
      ),
    ).toBe(false);
  });

  it('is a template StackSets can deploy to accounts not bootstrapped for CDK: no parameters, no assets', () => {
    const template = member.toJSON() as { Parameters?: object; Rules?: object };
    expect(template.Parameters ?? {}).toEqual({});
    expect(template.Rules ?? {}).toEqual({});
    expect(JSON.stringify(template)).not.toMatch(/cdk-hnb659fds|AssetParameters|S3Key/);
  });

  it('forwards drift, defence-evasion, data-sharing, Config and Malware Protection scan-result events to the security account bus, with a dead-letter queue', () => {
    const rules = Object.values(member.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(6);
    // A member's trail weakened or recorder stopped reaches the playbooks that restore them.
    const patterns = rules.map((rule) => JSON.stringify(rule.Properties.EventPattern));
    for (const call of [
      'PutEventSelectors',
      'UpdateTrail',
      'UpdateDetector',
      'StopConfigurationRecorder',
      'DeleteFlowLogs',
      'GuardDuty Malware Protection Object Scan Result',
    ])
      expect(
        patterns.some((p) => p.includes(`"${call}"`)),
        call,
      ).toBe(true);
    for (const rule of rules) {
      expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toContain(
        `:${SECURITY}:event-bus/remediation-findings`,
      );
      expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    }
  });
});

describe('organization mode: cdk-nag', () => {
  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports nothing unacknowledged on either stack', (_name, pack) => {
    const report = pack().validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
      ),
    ).toEqual([]);
  });
});

describe('organization mode: several regions', () => {
  let regional: Template;
  let memberRegion: Template;
  beforeAll(() => {
    const built = buildApp(
      new App({
        context: { organizationId: ORG, securityAccountId: SECURITY, regions: 'us-east-1,eu-west-1' },
      }),
    );
    regional = Template.fromStack(built.stack);
    if (!built.memberRegion) throw new Error('no member region stack');
    memberRegion = Template.fromStack(built.memberRegion);
  }, 180_000);

  it('tells the classifier the regions and lets it start only its own playbooks there', () => {
    const classify = Object.entries(regional.findResources('AWS::Lambda::Function')).find(([, f]) =>
      /classifies findings/.test(f.Properties.Description),
    );
    expect(classify?.[1].Properties.Environment.Variables.PLAYBOOK_REGIONS).toBe('us-east-1,eu-west-1');
    const starts = statementsOf(regional, 'ClassifyRole')
      .filter((s) => s.Action === 'states:StartExecution')
      .map((s) => JSON.stringify(s.Resource));
    const crossRegion = starts.filter((r) => r.includes('stateMachine:remediation-*'));
    // The stack is environment-agnostic, so its own region is a token: both listed regions are granted.
    expect(crossRegion.join()).toContain(':states:eu-west-1:');
    expect(crossRegion.join()).toContain(':states:us-east-1:');
    expect(crossRegion.join()).not.toContain(':states:*:');
  });

  it("deploys the forwarding rules, and no role, in a member account's further regions", () => {
    // Only the role EventBridge forwards with (events:PutEvents on the security bus), shared by the rules.
    const roles = Object.values(memberRegion.findResources('AWS::IAM::Role'));
    expect(roles.map((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal)).toEqual([
      { Service: 'events.amazonaws.com' },
    ]);
    expect(Object.keys(memberRegion.findResources('AWS::Events::Rule'))).toHaveLength(6);
  });

  it('refuses a region list that is not region names', () => {
    expect(() =>
      buildApp(
        new App({
          context: { organizationId: ORG, securityAccountId: SECURITY, regions: 'us-east-1,Paris' },
        }),
      ),
    ).toThrow(/regions.*expected region names/s);
  });
});
