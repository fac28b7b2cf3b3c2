import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from './helpers.ts';

let synth: ReturnType<typeof synthesize>;
beforeAll(() => {
  synth = synthesize({ notificationEmail: 'secops@example.com' });
}, 120_000);

describe('cdk-nag', () => {
  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s pack reports nothing unacknowledged', (_name, pack) => {
    const report = pack().validateScope(synth.app);
    const violations = report.violations.map(
      (v) =>
        `${v.ruleName}: ${v.description} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
    );
    expect(violations).toEqual([]);
  });

  it('stays clean once the stack has a concrete environment (as under cdk deploy)', () => {
    // The CDK CLI sets these from the profile (us-east-1 when it has none), so rendered ARNs
    // carry a literal region and account instead of the pseudo-parameter tokens.
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '111122223333';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    try {
      const pinned = synthesize();
      expect(pinned.stack.region).toBe('eu-west-1');
      for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
        const report = pack.validateScope(pinned.app);
        expect(report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.length}`)).toEqual([]);
      }
    } finally {
      for (const [key, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }, 120_000);

  it('acknowledges nothing without a reason', () => {
    const acks = synth.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(40);
  });
});
