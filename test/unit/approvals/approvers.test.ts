import { describe, expect, it } from 'vitest';
import { approverAllowed } from '#shared/approvals/approvers.ts';
import { allowedStsEndpoint } from '#shared/approvals/identity-proof.ts';

const policy = ['arn:*:iam::*:role/OnCall*', 'arn:*:iam::*:user/oncall-*'];

describe('approver allow-list', () => {
  it.each([
    ['an on-call user', 'arn:aws:iam::111122223333:user/oncall-ana', true],
    ['a session of the on-call role', 'arn:aws:sts::111122223333:assumed-role/OnCallEngineer/ana', true],
    ['another user', 'arn:aws:iam::111122223333:user/intern-ivan', false],
    ['a session of another role', 'arn:aws:sts::111122223333:assumed-role/Developer/oncall-ana', false],
  ])('%s: %s → %s', (_who, arn, allowed) => {
    expect(approverAllowed(arn, policy)).toBe(allowed);
  });

  it.each([
    [
      'a user whose path the name wildcard would have spanned',
      'arn:aws:iam::111122223333:user/oncall-contractors/mallory',
      false,
    ],
    ['an on-call user in another case', 'arn:aws:iam::111122223333:user/ONCALL-ANA', true],
    [
      'a session of the on-call role in another case',
      'arn:aws:sts::111122223333:assumed-role/oncallengineer/ana',
      true,
    ],
  ])('matches as IAM names principals: %s (%s) → %s', (_who, arn, allowed) => {
    expect(approverAllowed(arn, policy)).toBe(allowed);
  });

  it('admits a user at a path only where the pattern names that path', () => {
    const mallory = 'arn:aws:iam::111122223333:user/oncall-contractors/mallory';
    expect(approverAllowed(mallory, ['arn:*:iam::*:user/oncall-contractors/*'])).toBe(true);
    expect(approverAllowed(mallory, ['arn:*:iam::*:user/*/mallory'])).toBe(true);
    expect(approverAllowed(mallory, ['arn:*:iam::*:user/mallory'])).toBe(false);
    expect(approverAllowed(mallory, ['arn:*:iam::*:user/*'])).toBe(true);
  });

  it('never admits a role session under a pattern that names a path, which a session ARN does not carry', () => {
    const session = 'arn:aws:sts::111122223333:assumed-role/OnCallEngineer/ana';
    expect(approverAllowed(session, ['arn:aws:iam::111122223333:role/ops/OnCallEngineer'])).toBe(false);
    expect(approverAllowed(session, ['arn:aws:sts::111122223333:assumed-role/OnCallEngineer/*'])).toBe(true);
  });

  it('admits nobody when the policy lists nobody', () => {
    expect(approverAllowed('arn:aws:iam::111122223333:user/oncall-ana', [])).toBe(false);
  });
});

describe('identity proofs go to STS only', () => {
  it.each([
    ['https://sts.amazonaws.com/', undefined, true],
    ['https://sts.eu-west-1.amazonaws.com/', undefined, true],
    ['https://sts.cn-north-1.amazonaws.com.cn/', undefined, true],
    ['https://sts.amazonaws.com.attacker.example/', undefined, false],
    ['https://attacker.example/?sts.amazonaws.com', undefined, false],
    ['http://sts.amazonaws.com/', undefined, false],
    ['http://127.0.0.1:4566/', 'http://127.0.0.1:4566', true],
    ['http://127.0.0.1:9999/', 'http://127.0.0.1:4566', false],
  ])('%s (configured %s) → %s', (url, configured, allowed) => {
    expect(allowedStsEndpoint(url, configured)).toBe(allowed);
  });
});
