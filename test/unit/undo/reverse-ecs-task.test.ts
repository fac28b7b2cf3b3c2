import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import { facts, REVOKE_TASK_SESSIONS_POLICY } from '#shared/playbooks/contain-ecs-task.ts';
import { type ExecutionTrail, UnreadableTrailError } from '#shared/undo/reverse.ts';

const reverse = (trail: ExecutionTrail) => {
  if (!('reverse' in facts.undo)) throw new Error('contain-ecs-task has a reverser');
  return facts.undo.reverse(trail);
};
const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };
const record = (action: string, before: unknown, after?: unknown) => ({
  at: '2026-12-06T00:00:00Z',
  action,
  outcome: 'succeeded',
  before: JSON.stringify(before),
  ...(after !== undefined && { after: JSON.stringify(after) }),
});
const trailOf = (...succeeded: ExecutionTrail['succeeded']): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1' } as Finding,
  succeeded,
});

describe('undo of contain-ecs-task', () => {
  it('removes the session deny from the task role, and says the stopped task stays stopped', () => {
    const reversal = reverse(
      trailOf(
        record('PutRolePolicy', { roleName: 'checkout-task-role', path: '/ecs/' }, deny),
        record('StopTask', { taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/shop/0123' }),
      ),
    );

    expect(reversal.actions).toEqual([
      expect.objectContaining({
        type: 'DeleteRolePolicy',
        request: { RoleName: 'checkout-task-role', PolicyName: REVOKE_TASK_SESSIONS_POLICY },
      }),
    ]);
    expect(reversal.notes).toEqual([
      expect.stringContaining('checkout-task-role'),
      expect.stringContaining('ECS cannot restart a stopped task'),
    ]);
  });

  it('has nothing to reverse when no role was changed and no task stopped', () => {
    expect(reverse(trailOf())).toEqual({ actions: [], notes: [] });
  });

  it('refuses a PutRolePolicy record that names no role', () => {
    expect(() => reverse(trailOf(record('PutRolePolicy', { arn: 'x' }, deny)))).toThrow(UnreadableTrailError);
  });

  it('refuses a PutRolePolicy record whose before is not JSON, naming the record and the field', () => {
    const malformed = { ...record('PutRolePolicy', {}, deny), before: '{"roleName": "checkout-task-role"' };

    expect(() => reverse(trailOf(malformed))).toThrow(UnreadableTrailError);
    expect(() => reverse(trailOf(malformed))).toThrow("the PutRolePolicy record's before is not JSON");
  });

  it('says which field of the record is not as the playbook writes it', () => {
    expect(() => reverse(trailOf(record('PutRolePolicy', { roleName: 42 }, deny)))).toThrow(
      /PutRolePolicy record's before is not as the playbook writes it \(roleName: /,
    );
  });
});
