import { describe, expect, it } from 'vitest';
import { facts, REVOKE_FUNCTION_SESSIONS_POLICY } from '#shared/playbooks/contain-lambda-function.ts';
import { UnreadableTrailError } from '#shared/undo/reverse.ts';
import { deny, reverserOf, succeeded, trailOf } from './trail.ts';

const reverse = reverserOf(facts);

describe('undo of contain-lambda-function', () => {
  it('puts the concurrency back, removes the session deny and points the alias back, in that order', () => {
    const reversal = reverse(
      trailOf(
        succeeded('PutFunctionConcurrency', { functionName: 'checkout', reservedConcurrency: 5 }),
        succeeded('PutRolePolicy', { roleName: 'checkout-function-role' }, deny),
        succeeded(
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
    const reversal = reverse(trailOf(succeeded('PutFunctionConcurrency', { functionName: 'checkout' })));

    expect(reversal.actions.map((a) => [a.type, a.request])).toEqual([
      ['DeleteFunctionConcurrency', { FunctionName: 'checkout' }],
    ]);
  });

  /** Each record as the playbook writes it. */
  const written = {
    PutFunctionConcurrency: succeeded('PutFunctionConcurrency', { functionName: 'checkout' }),
    PutRolePolicy: succeeded('PutRolePolicy', { roleName: 'checkout-function-role' }, deny),
    UpdateAlias: succeeded(
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
    expect(() => reverse(trailOf(succeeded(action, before, after)))).toThrow(UnreadableTrailError);
  });
});
