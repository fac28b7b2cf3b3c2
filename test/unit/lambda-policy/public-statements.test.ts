import { describe, expect, it } from 'vitest';
import { restoreRequest, statementFor } from '#shared/lambda-policy/add-permission.ts';
import { planPublicAccessRemoval } from '#shared/lambda-policy/plan.ts';
import { InvalidFunctionPolicyError, isPublicStatement } from '#shared/lambda-policy/public-statements.ts';
import type { ExecutionTrail } from '#shared/undo/reverse.ts';
import { reverseRemovePublicLambdaAccess } from '#shared/undo/reverse-function-permissions.ts';
import type { TrailRecord } from '#shared/undo/trail.ts';

const functionName = 'report';
const functionArn = `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`;
const allow = (extra: object) => ({
  Sid: 'S',
  Effect: 'Allow',
  Action: 'lambda:InvokeFunction',
  Resource: functionArn,
  ...extra,
});
const urlPublic = allow({
  Sid: 'FunctionURLAllowPublicAccess',
  Principal: '*',
  Action: 'lambda:InvokeFunctionUrl',
  Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
});
const eventsRule = allow({
  Sid: 'Nightly',
  Principal: { Service: 'events.amazonaws.com' },
  Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:events:us-east-1:111122223333:rule/nightly' } },
});
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('public statements, as Lambda.1 defines them', () => {
  it('a wildcard principal without a fixed-value limiting condition is public; with one it is not', () => {
    expect(isPublicStatement(allow({ Principal: '*' }))).toBe(true);
    expect(isPublicStatement(allow({ Principal: { AWS: '*' } }))).toBe(true);
    expect(isPublicStatement(urlPublic)).toBe(true);
    expect(
      isPublicStatement(
        allow({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }),
      ),
    ).toBe(false);
    // A wildcard or a variable in the condition does not limit it.
    expect(
      isPublicStatement(
        allow({ Principal: '*', Condition: { StringLike: { 'AWS:SourceAccount': '1111*' } } }),
      ),
    ).toBe(true);
    expect(isPublicStatement(allow({ Principal: '*', Effect: 'Deny' }))).toBe(false);
    expect(isPublicStatement(allow({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } }))).toBe(false);
    expect(isPublicStatement(eventsRule)).toBe(false);
  });

  it('Amazon S3 without AWS:SourceAccount is public; with it, not', () => {
    const bucket = { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' } };
    const s3 = allow({ Principal: { Service: 's3.amazonaws.com' }, Condition: bucket });
    expect(isPublicStatement(s3)).toBe(true);
    expect(
      isPublicStatement({
        ...s3,
        Condition: { ...bucket, StringEquals: { 'AWS:SourceAccount': '111122223333' } },
      }),
    ).toBe(false);
  });

  it('the plan removes only the public statements, each with the request that restores it or why none can', () => {
    const twoActions = allow({
      Sid: 'Legacy',
      Principal: { AWS: '*' },
      Action: ['lambda:GetFunction', 'lambda:InvokeFunction'],
    });
    const plan = planPublicAccessRemoval({
      functionName,
      functionArn,
      policy: policy(urlPublic, eventsRule, twoActions),
    });

    expect(plan.public.map((p) => p.sid)).toEqual(['FunctionURLAllowPublicAccess', 'Legacy']);
    expect(plan.public[0]?.restore).toEqual({
      FunctionName: functionName,
      StatementId: 'FunctionURLAllowPublicAccess',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    expect(plan.public[1]?.restore).toBeUndefined();
    expect(plan.public[1]?.notRestorable).toMatch(/more than one action/);
    expect(planPublicAccessRemoval({ functionName, functionArn, policy: null }).publicCount).toBe(0);
    expect(() => planPublicAccessRemoval({ functionName, functionArn, policy: '{' })).toThrow(
      InvalidFunctionPolicyError,
    );
  });

  it('restores exactly or not at all: {"AWS": "*"} and unknown conditions are not restorable', () => {
    expect(restoreRequest(allow({ Principal: { AWS: '*' } }), functionName, functionArn)).toMatchObject({
      notRestorable: expect.stringContaining('differs'),
    });
    expect(
      restoreRequest(
        allow({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4/32' } } }),
        functionName,
        functionArn,
      ),
    ).toMatchObject({ notRestorable: expect.stringContaining('aws:SourceIp') });
    const account = restoreRequest(
      allow({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } }),
      functionName,
      functionArn,
    );
    expect(account).toMatchObject({ request: { Principal: '444455556666' } });
    if ('request' in account)
      expect(statementFor(account.request, functionArn)).toEqual(
        allow({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } }),
      );
  });
});

describe('undo of remove-public-lambda-access', () => {
  const trailOf = (details: unknown): ExecutionTrail =>
    ({
      finding: { resource: { kind: 'LambdaFunction', functionName, functionArn } },
      succeeded: [
        { action: 'RemovePermission', outcome: 'succeeded', details: JSON.stringify(details) } as TrailRecord,
      ],
    }) as unknown as ExecutionTrail;

  it('adds back each restorable statement with AddPermission and names the others in the notes', () => {
    const twoActions = allow({
      Sid: 'Legacy',
      Principal: '*',
      Action: ['lambda:GetFunction', 'lambda:InvokeFunction'],
    });
    const { change } = planPublicAccessRemoval({
      functionName,
      functionArn,
      policy: policy(urlPublic, twoActions),
    });

    const { actions, notes } = reverseRemovePublicLambdaAccess(trailOf(change));

    expect(actions.map((a) => [a.type, a.request.StatementId, a.request.FunctionUrlAuthType])).toEqual([
      ['AddPermission', 'FunctionURLAllowPublicAccess', 'NONE'],
    ]);
    expect(notes.join('\n')).toContain('Statement Legacy is not restored');
  });

  it('refuses details that are not as the playbook writes them', () => {
    expect(() => reverseRemovePublicLambdaAccess(trailOf({ functionName }))).toThrow(
      /not as the playbook writes them/,
    );
  });
});
