import { describe, expect, it } from 'vitest';
import { severityFromScore } from '#shared/findings/finding.ts';
import { type EvaluationContext, evaluatePolicy } from '#shared/policy/evaluate.ts';
import { parsePolicy } from '#shared/policy/load.ts';
import { makeFinding } from './make-finding.ts';

const ctx: EvaluationContext = { now: new Date('2024-06-01T12:00:00Z'), recentAutoActions: 0 };

/** A version-1 policy whose `rules:` section is `rules` (YAML), plus optional other sections. */
function policyWith(rules: string, extra = '') {
  return parsePolicy(`version: 1\n${extra}\nrules:\n${rules}`);
}

const keyRule = `
  - id: leaked-keys
    match: { type: 'UnauthorizedAccess:IAMUser/*', resource: AccessKey, minSeverity: Medium }
    playbook: disable-access-key
    mode: auto
`;

describe('evaluatePolicy: rules', () => {
  it('routes to the first matching rule, not a later one', () => {
    // Arrange
    const policy = policyWith(`${keyRule}
  - id: everything
    match: {}
    mode: notify
`);
    // Act
    const decision = evaluatePolicy(policy, makeFinding(), ctx);
    // Assert
    expect(decision).toMatchObject({
      outcome: 'routed',
      ruleId: 'leaked-keys',
      playbook: 'disable-access-key',
      mode: 'auto',
    });
  });

  it('lets an earlier catch-all rule shadow a later specific one', () => {
    const policy = policyWith(`
  - id: everything
    match: {}
    mode: notify
${keyRule}`);
    const decision = evaluatePolicy(policy, makeFinding(), ctx);
    expect(decision).toMatchObject({ outcome: 'routed', ruleId: 'everything', mode: 'notify' });
    expect(decision).not.toHaveProperty('playbook');
  });

  it('skips a finding no rule matches and says so', () => {
    const policy = policyWith(keyRule);
    const decision = evaluatePolicy(policy, makeFinding({ type: 'Recon:EC2/PortProbeUnprotectedPort' }), ctx);
    expect(decision.outcome).toBe('skipped');
    expect(decision.reason).toContain('no rule matches');
  });

  it.each(['auto', 'approve', 'dry-run'] as const)('routes %s rules with their playbook', (mode) => {
    const policy = policyWith(`
  - id: r
    match: {}
    playbook: disable-access-key
    mode: ${mode}
`);
    expect(evaluatePolicy(policy, makeFinding(), ctx)).toMatchObject({
      outcome: 'routed',
      mode,
      playbook: 'disable-access-key',
    });
  });

  it('uses defaults.mode and defaults.approval when a rule omits them', () => {
    const policy = policyWith(
      `
  - id: r
    match: {}
    playbook: disable-access-key
`,
      'defaults: { mode: approve, approval: { timeoutMinutes: 15, onTimeout: proceed } }',
    );
    expect(evaluatePolicy(policy, makeFinding(), ctx)).toMatchObject({
      mode: 'approve',
      approval: { timeoutMinutes: 15, onTimeout: 'proceed' },
    });
  });

  it("hands the rule's params and approval settings to the playbook", () => {
    const policy = policyWith(
      `
  - id: r
    match: {}
    playbook: disable-access-key
    mode: approve
    approval: { timeoutMinutes: 5 }
    params: { tagKey: quarantined }
`,
      'defaults: { approval: { onTimeout: proceed } }',
    );
    expect(evaluatePolicy(policy, makeFinding(), ctx)).toMatchObject({
      approval: { timeoutMinutes: 5, onTimeout: 'proceed' },
      params: { tagKey: 'quarantined' },
    });
  });

  it.each([
    ['source', '{ source: [cloudtrail, config] }', false],
    ['source', '{ source: guardduty }', true],
    ['type list', "{ type: ['Recon:*', 'UnauthorizedAccess:IAMUser/Instance*'] }", true],
    ['resource', '{ resource: Instance }', false],
    ['accounts', "{ accounts: ['999999999999'] }", false],
    ['accounts', "{ accounts: ['111122223333'] }", true],
    ['regions', "{ regions: ['us-*'] }", false],
    ['regions', "{ regions: ['eu-*'] }", true],
    ['tags', '{ tags: { team: "*" } }', false],
    ['principals', "{ principals: ['arn:aws:iam::*:user/alice'] }", true],
    ['principals', "{ principals: ['arn:aws:iam::*:user/bob'] }", false],
  ])('matches on %s: %s → %s', (_field, match, routed) => {
    const policy = policyWith(`
  - id: r
    match: ${match}
    mode: notify
`);
    expect(evaluatePolicy(policy, makeFinding(), ctx).outcome).toBe(routed ? 'routed' : 'skipped');
  });
});

describe('evaluatePolicy: Security Hub controls', () => {
  const controlRule = `
  - id: ssh-control
    match: { source: securityhub, resource: SecurityGroup, controls: [EC2.13, EC2.14] }
    playbook: revoke-open-ingress
    mode: auto
`;
  const groupFinding = (control?: string) =>
    makeFinding({
      source: 'securityhub',
      type: 'Software and Configuration Checks/Industry and Regulatory Standards',
      resource: { kind: 'SecurityGroup', groupId: 'sg-0a1b2c3d4e5f60718', addedRules: [] },
      ...(control && { control }),
    });

  it('routes a finding of a control the rule names', () => {
    const decision = evaluatePolicy(policyWith(controlRule), groupFinding('EC2.14'), ctx);

    expect(decision).toMatchObject({
      outcome: 'routed',
      ruleId: 'ssh-control',
      playbook: 'revoke-open-ingress',
    });
  });

  it.each([
    ['another control', 'EC2.19'],
    ['no control at all', undefined],
  ])('does not match a finding of %s', (_what, control) => {
    const decision = evaluatePolicy(policyWith(controlRule), groupFinding(control), ctx);

    expect(decision.outcome).toBe('skipped');
  });

  it('refuses a control id that is not one', () => {
    expect(() =>
      policyWith(`
  - id: bad
    match: { controls: ["2.2"] }
    mode: notify
`),
    ).toThrow(/expected a Security Hub control id such as EC2.13 or S3.8/);
  });
});

describe('evaluatePolicy: severity', () => {
  const highRule = `
  - id: high-only
    match: { minSeverity: High }
    mode: notify
`;

  it.each([
    [3.9, 'Low', 'skipped'],
    [4, 'Medium', 'routed'],
  ] as const)('compares minSeverity Medium against the band floor: %s %s → %s', (score, label, outcome) => {
    const policy = policyWith(`
  - id: medium
    match: { minSeverity: Medium }
    mode: notify
`);
    const decision = evaluatePolicy(policy, makeFinding({ severity: severityFromScore(score) }), ctx);
    expect(decision).toMatchObject({ outcome, severity: { score, label } });
  });

  it('raises production resources by the adjustment and recomputes the label', () => {
    const policy = policyWith(
      highRule,
      'severity: { adjustments: [ { id: production, when: { tags: { environment: production } }, add: 2 } ] }',
    );
    const plain = evaluatePolicy(policy, makeFinding(), ctx);
    const production = evaluatePolicy(
      policy,
      makeFinding({ resourceTags: { environment: 'production' } }),
      ctx,
    );
    expect(plain).toMatchObject({ outcome: 'skipped', severity: { score: 5, label: 'Medium' } });
    expect(production).toMatchObject({ outcome: 'routed', severity: { score: 7, label: 'High' } });
    expect(production.reason).toContain('production');
  });

  it('caps the adjusted score at 10', () => {
    const policy = policyWith(
      highRule,
      'severity: { adjustments: [ { id: prod, when: { accounts: ["111122223333"] }, add: 3 } ] }',
    );
    const decision = evaluatePolicy(policy, makeFinding({ severity: severityFromScore(8.5) }), ctx);
    expect(decision.severity).toEqual({ score: 10, label: 'Critical' });
  });
});

describe('evaluatePolicy: samples', () => {
  const autoRule = `
  - id: r
    match: {}
    playbook: disable-access-key
    mode: auto
`;

  it('runs AWS sample findings as dry-run by default, never auto', () => {
    const decision = evaluatePolicy(policyWith(autoRule), makeFinding({ sample: true }), ctx);
    expect(decision).toMatchObject({ outcome: 'routed', mode: 'dry-run', playbook: 'disable-access-key' });
    expect(decision.reason).toContain('sample');
  });

  it('does not send notifications for samples either: the notify decision is recorded as a skip', () => {
    const policy = policyWith('  - id: r\n    match: {}\n    mode: notify\n');
    const decision = evaluatePolicy(policy, makeFinding({ sample: true }), ctx);
    expect(decision).toMatchObject({ outcome: 'skipped', ruleId: 'r' });
    expect(decision.reason).toContain('would notify');
  });

  it('skips samples when the policy says samples: skip', () => {
    const decision = evaluatePolicy(
      policyWith(autoRule, 'samples: skip'),
      makeFinding({ sample: true }),
      ctx,
    );
    expect(decision.outcome).toBe('skipped');
    expect(decision.reason).toContain('sample');
  });
});

describe('evaluatePolicy: samples that no rule takes', () => {
  it('says the skipped finding is a sample', () => {
    const policy = policyWith('  - id: r\n    match: { resource: Instance }\n    mode: notify\n');
    const decision = evaluatePolicy(policy, makeFinding({ sample: true }), ctx);
    expect(decision.outcome).toBe('skipped');
    expect(decision.reason).toMatch(/^AWS-generated sample finding; no rule matches/);
  });
});

describe('evaluatePolicy: notify only', () => {
  const policy = policyWith(keyRule);
  const own = { ...ctx, ownScope: { accountId: '111122223333', region: 'eu-west-1' } };

  it('acts on a finding about its own account and region', () => {
    expect(evaluatePolicy(policy, makeFinding(), own)).toMatchObject({ outcome: 'routed', mode: 'auto' });
  });

  it.each([
    ['account', { accountId: '999999999999' }, 'about account 999999999999'],
    ['region', { region: 'us-west-2' }, 'about region "us-west-2"'],
  ])(
    'notifies a finding about another %s, without a playbook, saying what it would have run',
    (_w, about, why) => {
      const decision = evaluatePolicy(policy, makeFinding(about), own);

      expect(decision).toEqual({
        outcome: 'routed',
        mode: 'notify',
        severity: expect.anything(),
        ruleId: 'leaked-keys',
        reason: expect.stringContaining(why),
      });
      expect(decision.reason).toContain('notify instead of auto disable-access-key');
    },
  );

  it('notifies a finding its source does not vouch for, even in its own account', () => {
    const finding = makeFinding({ notifyOnlyBecause: 'Security Hub finding imported by a custom product' });

    const decision = evaluatePolicy(policy, finding, own);

    expect(decision).toMatchObject({ outcome: 'routed', mode: 'notify' });
    expect(decision).not.toHaveProperty('playbook');
    expect(decision.reason).toContain(
      'Security Hub finding imported by a custom product: notify instead of auto disable-access-key',
    );
  });

  it('skips a notify-only sample, as it skips any sample a rule would only notify', () => {
    const finding = makeFinding({ sample: true, accountId: '999999999999' });

    const decision = evaluatePolicy(policy, finding, own);

    expect(decision.outcome).toBe('skipped');
    expect(decision.reason).toContain('about account 999999999999');
  });

  it('acts on any account when no own scope is given (in an organization)', () => {
    const decision = evaluatePolicy(policy, makeFinding({ accountId: '999999999999' }), ctx);

    expect(decision).toMatchObject({ outcome: 'routed', mode: 'auto', playbook: 'disable-access-key' });
  });
});
