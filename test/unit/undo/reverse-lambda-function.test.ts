import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import { facts, REVOKE_FUNCTION_SESSIONS_POLICY } from '#shared/playbooks/contain-lambda-function.ts';
import { type ExecutionTrail, UnreadableTrailError } from '#shared/undo/reverse.ts';

const reverse = (trail: ExecutionTrail) => {
  if (!('reverse' in facts.undo)) throw new Error('contain-lambda-function has a reverser');
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

describe('undo of contain-lambda-function', () => {
  it('puts the concurrency back, removes the session deny and points the alias back, in that order', () => {
    const reversal = reverse(
      trailOf(
        record('PutFunctionConcurrency', { functionName: 'checkout', reservedConcurrency: 5 }),
        record('PutRolePolicy', { roleName: 'checkout-function-role' }, deny),
        record(
          'UpdateAlias',
          { name: 'live', functionVersion: '3' },
          { functionName: 'checkout', version: '2' },
        ),
      ),
    );

    expect(reversal.actions.map((a) => [a.type, a.request])).toEqual([
      ['PutFunctionConcurrency', { FunctionName: 'checkout', ReservedConcurrentExecutions: 5 }],
      [
        'DeleteRolePolicy',
        { RoleName: 'checkout-function-role', PolicyName: REVOKE_FUNCTION_SESSIONS_POLICY },
      ],
      [
        'UpdateAlias',
        expect.objectContaining({ FunctionName: 'checkout', Name: 'live', FunctionVersion: '3' }),
      ],
    ]);
  });

  it('removes the concurrency limit a function had none of', () => {
    const reversal = reverse(trailOf(record('PutFunctionConcurrency', { functionName: 'checkout' })));

    expect(reversal.actions.map((a) => [a.type, a.request])).toEqual([
      ['DeleteFunctionConcurrency', { FunctionName: 'checkout' }],
    ]);
  });

  /** Each record as the playbook writes it. */
  const written = {
    PutFunctionConcurrency: record('PutFunctionConcurrency', { functionName: 'checkout' }),
    PutRolePolicy: record('PutRolePolicy', { roleName: 'checkout-function-role' }, deny),
    UpdateAlias: record(
      'UpdateAlias',
      { name: 'live', functionVersion: '3' },
      { functionName: 'checkout', version: '2' },
    ),
  };

  it.each([
    ['PutFunctionConcurrency', 'before'],
    ['PutRolePolicy', 'before'],
    ['PutRolePolicy', 'after'],
    ['UpdateAlias', 'before'],
    ['UpdateAlias', 'after'],
  ] as const)(
    'refuses a %s record whose %s is not JSON, naming the record and the field',
    (action, field) => {
      const malformed = { ...written[action], [field]: '{"truncated": ' };

      expect(() => reverse(trailOf(malformed))).toThrow(UnreadableTrailError);
      expect(() => reverse(trailOf(malformed))).toThrow(`the ${action} record's ${field} is not JSON`);
    },
  );

  it.each([
    ['PutFunctionConcurrency', { functionName: 'checkout', reservedConcurrency: 'five' }, undefined],
    ['PutRolePolicy', { arn: 'x' }, deny],
    ['UpdateAlias', { name: 'live' }, { functionName: 'checkout', version: '2' }],
  ])('refuses a %s record that is not as the playbook writes it', (action, before, after) => {
    expect(() => reverse(trailOf(record(action, before, after)))).toThrow(UnreadableTrailError);
  });
});
