import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';

const ORG = 'o-a1b2c3d4e5';
const SECURITY = '111122223333';
/** The account and region of the shell that synthesizes: a user's credentials, never a member's. */
const SHELL = { CDK_DEFAULT_ACCOUNT: '999988887777', CDK_DEFAULT_REGION: 'ap-southeast-2' };
const ACCOUNT_ID = /(?<!\d)\d{12}(?!\d)/g;
const REGION_NAME = /\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|eusc)-[a-z]+-\d\b/g;

/** Build the app as `cdk synth` does in a shell with credentials: CDK_DEFAULT_* set in the environment. */
function synthesizedWithCredentials(context: Record<string, unknown>): ReturnType<typeof buildApp> {
  const saved = { ...process.env };
  Object.assign(process.env, SHELL);
  try {
    return buildApp(new App({ context }));
  } finally {
    for (const key of Object.keys(SHELL)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

type Json = { Parameters?: Record<string, unknown>; Rules?: Record<string, unknown>; Resources: object };
const templateOf = (stack: Stack | undefined): Json => {
  if (!stack) throw new Error('stack not synthesized');
  return Template.fromStack(stack).toJSON() as Json;
};
const found = (text: string, pattern: RegExp) => [...new Set(text.match(pattern) ?? [])].sort();

/** The bus ARN each forwarding rule targets, by rule, with tokens kept as JSON. */
function forwardingTargets(template: Json): Record<string, string> {
  return Object.fromEntries(
    Object.entries(
      template.Resources as Record<string, { Type: string; Properties: { Targets: { Arn: unknown }[] } }>,
    )
      .filter(([, r]) => r.Type === 'AWS::Events::Rule')
      .map(([id, r]) => [id.replace(/[A-F0-9]{8}$/, ''), JSON.stringify(r.Properties.Targets[0]?.Arn)]),
  );
}

describe('member templates synthesized in a shell with credentials (StackSets deploys them everywhere)', () => {
  const built = synthesizedWithCredentials({
    organizationId: ORG,
    securityAccountId: SECURITY,
    regions: 'us-east-1,eu-west-1',
  });

  it.each([
    // The role's trust names the security account's playbook roles of every configured region.
    ['AutoRemediationMember', built.member, ['eu-west-1', 'us-east-1']],
    // us-east-1 only as the destination of the global-service events (delivered there only).
    ['AutoRemediationMemberRegion', built.memberRegion, ['us-east-1']],
  ])(
    '%s names no account but the security account, and no region of the shell',
    (_name, stack, regions) => {
      const text = JSON.stringify(templateOf(stack));
      // The member's own account and region come from AWS::AccountId / AWS::Region where it lands.
      expect(found(text, ACCOUNT_ID)).toEqual([SECURITY]);
      expect(found(text, REGION_NAME)).toEqual(regions);
      expect(text).not.toContain(SHELL.CDK_DEFAULT_ACCOUNT);
      expect(text).not.toContain(SHELL.CDK_DEFAULT_REGION);
      // The first template read synthesizes the whole app, its Lambda bundles included.
    },
    120_000,
  );

  it.each([
    ['AutoRemediationMember', built.member],
    ['AutoRemediationMemberRegion', built.memberRegion],
  ])('%s needs no CDK bootstrap: no bootstrap-version parameter or rule', (_name, stack) => {
    const template = templateOf(stack);
    expect(Object.keys(template.Parameters ?? {})).toEqual([]);
    expect(Object.keys(template.Rules ?? {})).toEqual([]);
  });

  it('forwards to the security bus of the region the member stack is deployed in', () => {
    const targets = forwardingTargets(templateOf(built.memberRegion));
    for (const rule of ['ForwardCloudTrailDrift', 'ForwardConfigCompliance']) {
      expect(targets[rule], rule).toContain('"Ref":"AWS::Region"');
      expect(targets[rule], rule).toContain(`:${SECURITY}:event-bus/remediation-findings`);
    }
  });
});

describe('a security stack outside us-east-1 (global-service events arrive in us-east-1 only)', () => {
  const built = synthesizedWithCredentials({
    organizationId: ORG,
    securityAccountId: SECURITY,
    regions: 'eu-west-1,ap-northeast-1',
  });

  it("forwards members' root activity to the first listed region, the rest to their own region", () => {
    for (const stack of [built.member, built.memberRegion]) {
      const targets = forwardingTargets(templateOf(stack));
      expect(targets.ForwardRootActivity).toContain(
        `:events:eu-west-1:${SECURITY}:event-bus/remediation-findings`,
      );
      expect(targets.ForwardCloudTrailDrift).toContain('"Ref":"AWS::Region"');
    }
  });

  it("adds a us-east-1 stack, environment-agnostic, bringing the account's own root activity over", () => {
    const template = templateOf(built.globalEvents);
    const text = JSON.stringify(template);
    expect(found(text, ACCOUNT_ID)).toEqual([]);
    expect(found(text, REGION_NAME)).toEqual(['eu-west-1', 'us-east-1']);
    expect(Object.keys(template.Parameters ?? {})).toEqual([]);
    expect(forwardingTargets(template)).toEqual({
      ForwardRootActivity: expect.stringMatching(
        /:events:eu-west-1:",\{"Ref":"AWS::AccountId"\},":event-bus\/default"/,
      ),
    });
    // CloudFormation refuses it anywhere but us-east-1, where its rule would never match.
    expect(JSON.stringify(template.Rules)).toContain('{"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]}');
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s reports nothing unacknowledged on the us-east-1 stack', (_name, pack) => {
    const report = pack().validateScope(built.globalEvents as Stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('adds no us-east-1 stack when the security stack runs there', () => {
    const inUsEast1 = synthesizedWithCredentials({ regions: 'eu-west-1,us-east-1' });
    expect(inUsEast1.globalEvents).toBeUndefined();
  });
});
