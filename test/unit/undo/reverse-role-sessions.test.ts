import { describe, expect, it } from 'vitest';
import { facts, REVOKE_ROLE_SESSIONS_POLICY } from '#shared/playbooks/revoke-role-sessions.ts';
import { UnreadableTrailError } from '#shared/undo/reverse.ts';
import { deny, reverserOf, trailOf } from './trail.ts';

const reverse = reverserOf(facts);
const putRolePolicy = (before: string, after: string = JSON.stringify(deny)) => ({
  at: '2026-12-06T00:00:00Z',
  action: 'PutRolePolicy',
  outcome: 'succeeded',
  before,
  after,
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
