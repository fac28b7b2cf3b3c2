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

  it('acknowledges nothing without a reason', () => {
    const acks = synth.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(40);
  });
});
