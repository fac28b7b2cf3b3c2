import { describe, expect, it } from 'vitest';
import { facts, REVOKE_TASK_SESSIONS_POLICY } from '#shared/playbooks/contain-ecs-task.ts';
import { UnreadableTrailError } from '#shared/undo/reverse.ts';
import { deny, reverserOf, succeeded, trailOf } from './trail.ts';

const reverse = reverserOf(facts);

describe('undo of contain-ecs-task', () => {
  it('removes the session deny from the task role, and says the stopped task stays stopped', () => {
    const reversal = reverse(
      trailOf(
        succeeded('PutRolePolicy', { roleName: 'checkout-task-role', path: '/ecs/' }, deny),
        succeeded('StopTask', { taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/shop/0123' }),
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
    expect(() => reverse(trailOf(succeeded('PutRolePolicy', { arn: 'x' }, deny)))).toThrow(
      UnreadableTrailError,
    );
  });

  it('refuses a PutRolePolicy record whose before is not JSON, naming the record and the field', () => {
    const malformed = {
      ...succeeded('PutRolePolicy', {}, deny),
      before: '{"roleName": "checkout-task-role"',
    };

    expect(() => reverse(trailOf(malformed))).toThrow(UnreadableTrailError);
    expect(() => reverse(trailOf(malformed))).toThrow("the PutRolePolicy record's before is not JSON");
  });

  it('says which field of the record is not as the playbook writes it', () => {
    expect(() => reverse(trailOf(succeeded('PutRolePolicy', { roleName: 42 }, deny)))).toThrow(
      /PutRolePolicy record's before is not as the playbook writes it \(roleName: /,
    );
  });
});
