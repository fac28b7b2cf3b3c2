import { describe, expect, it } from 'vitest';
import { principalMatches } from '#shared/policy/principal-pattern.ts';

const user = (resource: string) => `arn:aws:iam::111122223333:user/${resource}`;

describe('principal patterns match as IAM names principals', () => {
  it.each([
    // IAM names are unique regardless of case: BREAK-GLASS-ADMIN is break-glass-admin.
    [user('BREAK-GLASS-ADMIN'), 'arn:*:iam::*:user/break-glass*', true],
    [user('Break-Glass'), 'arn:*:iam::*:user/break-glass', true],
    // A name wildcard never spans a path.
    [user('oncall-contractors/mallory'), 'arn:*:iam::*:user/oncall-*', false],
    [user('emergency/break-glass'), 'arn:*:iam::*:user/break-glass*', false],
    // Paths match only where the pattern writes them; a path wildcard spans path levels.
    [user('emergency/break-glass'), 'arn:*:iam::*:user/*/break-glass*', true],
    [user('a/b/break-glass'), 'arn:*:iam::*:user/*/break-glass', true],
    [user('emergency/break-glass'), 'arn:*:iam::*:user/emergency/break-glass', true],
    [user('Emergency/break-glass'), 'arn:*:iam::*:user/emergency/break-glass', false],
    [user('break-glass'), 'arn:*:iam::*:user/*/break-glass', false],
    // user/* is every user, as in an IAM policy.
    [user('emergency/break-glass'), 'arn:*:iam::*:user/*', true],
    ['arn:aws:iam::111122223333:role/service-role/Deploy', 'arn:aws:iam::*:role/*', true],
    ['arn:aws:iam::111122223333:role/Deploy', 'arn:aws:iam::*:user/*', false],
    ['arn:aws:iam::111122223333:root', 'arn:*:iam::*:root', true],
    ['arn:aws:sts::111122223333:assumed-role/OnCall/ana', 'arn:aws:sts::*:assumed-role/oncall/*', true],
    ['arn:aws:sts::111122223333:assumed-role/OnCall/ana', 'arn:aws:sts::*:assumed-role/*/ANA', false],
    // The account and partition stay exact.
    [user('break-glass'), 'arn:aws:iam::444455556666:user/break-glass', false],
    [user('break-glass'), 'arn:aws-cn:iam::*:user/break-glass', false],
  ])('%s against %s → %s', (arn, pattern, expected) => {
    expect(principalMatches(arn, pattern)).toBe(expected);
  });

  it('matches a principal whose path is unknown on its name alone, when asked to', () => {
    // GuardDuty names a key's user, not its path: protection must not depend on the path.
    expect(
      principalMatches(user('break-glass'), 'arn:*:iam::*:user/*/break-glass', { pathUnknown: true }),
    ).toBe(true);
    expect(principalMatches(user('alice'), 'arn:*:iam::*:user/*/break-glass', { pathUnknown: true })).toBe(
      false,
    );
  });
});
