import { describe, expect, it } from 'vitest';
import { UnreadableTrailError } from '#shared/undo/reverse.ts';
import { reverseSetPasswordPolicy } from '#shared/undo/reverse-password-policy.ts';
import { makeFinding } from '../policy/make-finding.ts';

const finding = makeFinding({ source: 'securityhub', resource: { kind: 'Account' } });
/** The trail of one set-password-policy run whose UpdateAccountPasswordPolicy recorded `before`. */
const trailWith = (before: string) => ({
  finding,
  succeeded: [
    { at: '2026-12-06T02:00:00Z', action: 'UpdateAccountPasswordPolicy', outcome: 'succeeded', before },
  ],
});

describe('reverseSetPasswordPolicy', () => {
  it('puts every recorded setting back, leaving out the expiry and reuse limits the policy did not have', () => {
    const before = {
      PasswordPolicy: {
        MinimumPasswordLength: 10,
        RequireSymbols: false,
        RequireNumbers: true,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        ExpirePasswords: false,
        HardExpiry: true,
      },
    };

    const { actions } = reverseSetPasswordPolicy(trailWith(JSON.stringify(before)));

    expect(actions.map((a) => [a.type, a.request])).toEqual([
      [
        'UpdateAccountPasswordPolicy',
        {
          MinimumPasswordLength: 10,
          RequireSymbols: false,
          RequireNumbers: true,
          RequireUppercaseCharacters: false,
          RequireLowercaseCharacters: true,
          AllowUsersToChangePassword: true,
          HardExpiry: true,
        },
      ],
    ]);
  });

  it('keeps the expiry and reuse limits the policy had', () => {
    const before = {
      PasswordPolicy: { MinimumPasswordLength: 8, MaxPasswordAge: 180, PasswordReusePrevention: 3 },
    };

    const [action] = reverseSetPasswordPolicy(trailWith(JSON.stringify(before))).actions;

    expect(action?.request).toMatchObject({ MaxPasswordAge: 180, PasswordReusePrevention: 3 });
  });

  it('deletes the policy when the account had none', () => {
    const { actions } = reverseSetPasswordPolicy(trailWith(JSON.stringify({ NoPasswordPolicy: true })));

    expect(actions.map((a) => [a.type, a.request])).toEqual([['DeleteAccountPasswordPolicy', {}]]);
  });

  it('refuses a before it cannot read rather than guess a policy', () => {
    expect(() => reverseSetPasswordPolicy(trailWith('{"something":"else"}'))).toThrow(UnreadableTrailError);
    expect(() => reverseSetPasswordPolicy(trailWith('not json'))).toThrow(UnreadableTrailError);
  });
});
