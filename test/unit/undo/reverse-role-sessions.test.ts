import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import { facts, REVOKE_ROLE_SESSIONS_POLICY } from '#shared/playbooks/revoke-role-sessions.ts';
import { type ExecutionTrail, UnreadableTrailError } from '#shared/undo/reverse.ts';

const reverse = (trail: ExecutionTrail) => {
  if (!('reverse' in facts.undo)) throw new Error('revoke-role-sessions has a reverser');
  return facts.undo.reverse(trail);
};
const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
const putRolePolicy = (before: string, after: string = JSON.stringify(deny)) => ({
  at: '2026-12-06T00:00:00Z',
  action: 'PutRolePolicy',
  outcome: 'succeeded',
  before,
  after,
});
const trailOf = (...succeeded: ExecutionTrail['succeeded']): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1' } as Finding,
  succeeded,
});

describe('undo of revoke-role-sessions', () => {
  it('removes the session deny from the role', () => {
    const reversal = reverse(trailOf(putRolePolicy(JSON.stringify({ roleName: 'app-role' }))));

    expect(reversal.actions.map((a) => [a.type, a.request])).toEqual([
      ['DeleteRolePolicy', { RoleName: 'app-role', PolicyName: REVOKE_ROLE_SESSIONS_POLICY }],
    ]);
  });

  it('has nothing to reverse without a PutRolePolicy record', () => {
    expect(reverse(trailOf())).toEqual({ actions: [], notes: [] });
  });

  it.each([
    ['before', putRolePolicy('{"roleName": "app-role"')],
    ['after', putRolePolicy(JSON.stringify({ roleName: 'app-role' }), '{"Version": ')],
  ])(
    'refuses a PutRolePolicy record whose %s is not JSON, naming the record and the field',
    (field, record) => {
      expect(() => reverse(trailOf(record))).toThrow(UnreadableTrailError);
      expect(() => reverse(trailOf(record))).toThrow(`the PutRolePolicy record's ${field} is not JSON`);
    },
  );

  it('refuses a PutRolePolicy record that names no role', () => {
    expect(() => reverse(trailOf(putRolePolicy('{"arn":"x"}')))).toThrow(UnreadableTrailError);
  });
});
