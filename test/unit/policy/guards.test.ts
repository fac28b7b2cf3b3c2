import { describe, expect, it } from 'vitest';
import { type EvaluationContext, evaluatePolicy } from '#shared/policy/evaluate.ts';
import { parsePolicy } from '#shared/policy/load.ts';
import { makeFinding } from './make-finding.ts';

const now = new Date('2024-06-01T12:00:00Z');
const ctx: EvaluationContext = { now, recentAutoActions: 0 };

function policyWith(extra: string, mode = 'auto') {
  return parsePolicy(`version: 1
${extra}
rules:
  - id: leaked-keys
    match: { resource: AccessKey }
    playbook: disable-access-key
    mode: ${mode}
`);
}

describe('evaluatePolicy: exemptions', () => {
  it.each([
    ['tag', '{ tags: { owner: security-lab } }'],
    ['account', "{ accounts: ['111122223333'] }"],
    ['principal', "{ principals: ['arn:aws:iam::*:user/ali*'] }"],
    ['resource id', '{ resourceIds: [AKIAIOSFODNN7EXAMPLE] }'],
  ])('exempts by %s and names the exemption', (_by, match) => {
    const policy = policyWith(
      `exemptions: [ { id: lab, reason: 'Pentest lab, ticket SEC-12', match: ${match} } ]`,
    );
    const decision = evaluatePolicy(policy, makeFinding({ resourceTags: { owner: 'security-lab' } }), ctx);
    expect(decision).toMatchObject({ outcome: 'exempt', exemptionId: 'lab' });
    expect(decision.reason).toContain('SEC-12');
  });

  it('stops applying an exemption at its expiry date (00:00 UTC)', () => {
    const policy = policyWith(
      "exemptions: [ { id: lab, reason: pentest, expires: '2024-06-01', match: { accounts: ['111122223333'] } } ]",
    );
    const dayBefore = evaluatePolicy(policy, makeFinding(), {
      ...ctx,
      now: new Date('2024-05-31T23:59:59Z'),
    });
    const onTheDay = evaluatePolicy(policy, makeFinding(), { ...ctx, now: new Date('2024-06-01T00:00:00Z') });
    expect(dayBefore.outcome).toBe('exempt');
    expect(onTheDay).toMatchObject({ outcome: 'routed', mode: 'auto' });
  });

  it('applies an exemption only when all of its criteria hold', () => {
    const policy = policyWith(
      "exemptions: [ { id: lab, reason: pentest, match: { accounts: ['111122223333'], resourceIds: [AKIAOTHER*] } } ]",
    );
    expect(evaluatePolicy(policy, makeFinding(), ctx).outcome).toBe('routed');
  });
});

describe('evaluatePolicy: protected principals', () => {
  it("never acts on a user matching the policy's protectedPrincipals", () => {
    const policy = policyWith("protectedPrincipals: ['arn:aws:iam::*:user/break-glass*']");
    const finding = makeFinding({
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'break-glass-1',
        userType: 'IAMUser',
      },
    });
    const decision = evaluatePolicy(policy, finding, ctx);
    expect(decision.outcome).toBe('exempt');
    expect(decision.reason).toContain('arn:aws:iam::111122223333:user/break-glass-1');
  });

  it.each([
    ['a name in another case', { principalArn: 'arn:aws:iam::111122223333:user/BREAK-GLASS-ADMIN' }],
    ['a user at a path', { principalArn: 'arn:aws:iam::111122223333:user/emergency/break-glass' }],
  ])('protects a break-glass user named with %s', (_how, actor) => {
    const policy = policyWith(
      "protectedPrincipals: ['arn:aws:iam::*:user/break-glass*', 'arn:aws:iam::*:user/*/break-glass*']",
    );
    const decision = evaluatePolicy(policy, makeFinding({ actor }), ctx);
    expect(decision.outcome).toBe('exempt');
    expect(decision.reason).toContain(actor.principalArn);
  });

  it('protects a user GuardDuty names without its path under a pattern with a path', () => {
    const policy = policyWith("protectedPrincipals: ['arn:aws:iam::*:user/emergency/break-glass']");
    const finding = makeFinding({
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'Break-Glass',
        userType: 'IAMUser',
      },
    });
    expect(evaluatePolicy(policy, finding, ctx).outcome).toBe('exempt');
  });

  it("protects the stack's own roles passed in the context, also when they act through a session", () => {
    const policy = policyWith('');
    const finding = makeFinding({
      actor: { principalArn: 'arn:aws:sts::111122223333:assumed-role/RemediationPlaybookRole/session-1' },
    });
    const decision = evaluatePolicy(policy, finding, {
      ...ctx,
      protectedPrincipalArns: ['arn:aws:iam::111122223333:role/RemediationPlaybookRole'],
    });
    expect(decision.outcome).toBe('exempt');
  });

  it('always protects the root user, even with an empty protectedPrincipals list', () => {
    const policy = policyWith('protectedPrincipals: []');
    const rootKey = makeFinding({
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'Root',
        userType: 'Root',
      },
    });
    const rootCaller = makeFinding({
      actor: { principalArn: 'arn:aws:iam::111122223333:root', type: 'Root' },
    });
    expect(evaluatePolicy(policy, rootKey, ctx)).toMatchObject({ outcome: 'exempt' });
    expect(evaluatePolicy(policy, rootCaller, ctx).reason).toContain('arn:aws:iam::111122223333:root');
  });

  it('still notifies about root when the matching rule only notifies', () => {
    const policy = parsePolicy(`version: 1
rules:
  - id: root
    match: { principals: ['arn:*:iam::*:root'] }
    mode: notify
`);
    const rootCaller = makeFinding({
      actor: { principalArn: 'arn:aws:iam::111122223333:root', type: 'Root' },
    });
    const decision = evaluatePolicy(policy, rootCaller, ctx);
    expect(decision).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'root' });
    expect(decision).not.toHaveProperty('playbook');
    expect(decision.reason).toContain('notification only');
  });
});

describe('evaluatePolicy: blast radius', () => {
  const policy = policyWith('blastRadius: { maxAutoActions: 20, windowMinutes: 60 }');

  it('keeps auto below the limit', () => {
    expect(evaluatePolicy(policy, makeFinding(), { ...ctx, recentAutoActions: 19 })).toMatchObject({
      mode: 'auto',
    });
  });

  it('turns auto into approve once the window holds the limit, and says why', () => {
    const decision = evaluatePolicy(policy, makeFinding(), { ...ctx, recentAutoActions: 20 });
    expect(decision).toMatchObject({
      outcome: 'routed',
      mode: 'approve',
      approval: { onTimeout: 'abandon' },
    });
    expect(decision.reason).toContain('blast radius');
  });

  it('leaves dry-run alone however busy the window is', () => {
    const dryRun = policyWith('blastRadius: { maxAutoActions: 0 }', 'dry-run');
    expect(evaluatePolicy(dryRun, makeFinding(), { ...ctx, recentAutoActions: 100 })).toMatchObject({
      mode: 'dry-run',
    });
  });
});

describe('evaluatePolicy: whose key it is', () => {
  const userKeysOnly = parsePolicy(`version: 1
rules:
  - id: user-keys
    match: { principals: ['arn:*:iam::*:user/*'] }
    playbook: disable-access-key
    mode: auto
`);

  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'routed'],
    ['ASIAIOSFODNN7EXAMPLE', 'skipped'],
  ])('reads a key %s without a reported user type as %s for IAM-user rules', (accessKeyId, outcome) => {
    const finding = makeFinding({ resource: { kind: 'AccessKey', accessKeyId, userName: 'alice' } });
    expect(evaluatePolicy(userKeysOnly, finding, ctx).outcome).toBe(outcome);
  });

  it('treats a role session key as the role, not as a user of the same name', () => {
    const finding = makeFinding({
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        userName: 'alice',
        userType: 'AssumedRole',
      },
    });
    expect(evaluatePolicy(userKeysOnly, finding, ctx).outcome).toBe('skipped');
  });

  it('names China-partition principals with their own partition', () => {
    const policy = policyWith("protectedPrincipals: ['arn:aws-cn:iam::*:user/alice']");
    expect(evaluatePolicy(policy, makeFinding({ region: 'cn-north-1' }), ctx).outcome).toBe('exempt');
  });
});
