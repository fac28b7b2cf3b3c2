import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  GetAliasCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { REVOKE_FUNCTION_SESSIONS_POLICY } from '#shared/playbooks/contain-lambda-function.ts';
import { executionEnded, putAndAwaitApproval } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { createIdentityCenterRole, createServiceRole, inlinePolicyNames, roleArn } from './role-fixtures.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const FUNCTION = 'checkout';
const ROLE = 'checkout-function-role';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:111122223333:function:${FUNCTION}`;
const ROLE_ARN = roleArn('/service/', ROLE);

let h: StackHarness;
let desk: UndoDesk;
let lambda: LambdaClient;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-lena');
  const clientConfig = {
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  };
  lambda = new LambdaClient({ ...clientConfig, maxAttempts: 1 });
  await createServiceRole(h, { roleName: ROLE, path: '/service/', service: 'lambda.amazonaws.com' });
  h.sandbox.services.lambda.registerFunction({
    name: FUNCTION,
    assetDir,
    handler: 'index.echo',
    roleArn: ROLE_ARN,
  });
}, 120_000);
afterAll(async () => {
  desk?.close();
  lambda?.destroy();
  await h?.stop();
});

/** GuardDuty Lambda Protection's finding on the function, as EventBridge delivers it. */
function minerFinding(findingId: string, fn = { name: FUNCTION, role: ROLE_ARN }) {
  return {
    source: 'aws.guardduty',
    'detail-type': 'GuardDuty Finding',
    detail: {
      schemaVersion: '2.0',
      accountId: '111122223333',
      region: 'us-east-1',
      id: findingId,
      type: 'CryptoCurrency:Lambda/BitcoinTool.B',
      severity: 8,
      createdAt: '2026-12-05T09:00:00.000Z',
      updatedAt: '2026-12-05T09:00:00.000Z',
      title: 'Lambda function checkout is querying a Bitcoin domain',
      resource: {
        resourceType: 'Lambda',
        lambdaDetails: {
          functionArn: `arn:aws:lambda:us-east-1:111122223333:function:${fn.name}`,
          functionName: fn.name,
          functionVersion: '$LATEST',
          role: fn.role,
        },
      },
      service: { serviceName: 'guardduty', count: 1, archived: false },
    },
  };
}
const invoke = () => lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: '{"order":1}' }));
const rolePolicies = () => inlinePolicyNames(h, ROLE);

/** `remediate undo`, approved as on-call, to the end. */
async function undoApproved(findingId: string, executionArn: string) {
  const { ended } = await desk.approved(findingId, { executionArn, reason: 'false positive' });
  expect(ended.status).toBe('SUCCEEDED');
}

/** Start the playbook directly, as classify would for a rule with this mode and these params. */
async function startPlaybook(
  findingId: string,
  mode: string,
  params?: object,
  fn?: { name: string; role: string },
) {
  const normalized = normalizeEvent(minerFinding(findingId, fn));
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the finding no longer normalizes');
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sandbox.deployment?.outputs.StateMachineContainLambdaFunction,
      input: JSON.stringify({
        finding,
        decision: {
          playbook: 'contain-lambda-function',
          mode,
          ruleId: 'test',
          reason: 'test',
          ...(params && { params }),
        },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
      }),
    }),
  );
  return executionEnded(h, started.executionArn as string);
}
const aliasVersion = async () =>
  (await lambda.send(new GetAliasCommand({ FunctionName: FUNCTION, Name: 'live' }))).FunctionVersion;

describe('contain-lambda-function, end to end through the sandbox', () => {
  it('once approved, the function refuses invocations, its role sessions are denied, and undo brings it back', async () => {
    const event = minerFinding('1a2b3c4d5e6f708192a3b4c5d6e7f801');
    expect((await invoke()).StatusCode).toBe(200);

    const notice = await putAndAwaitApproval(h, event as never);
    expect(notice.message.message).toContain(
      `Throttle Lambda function ${FUNCTION} to reserved concurrency 0`,
    );
    expect((await invoke()).StatusCode).toBe(200);
    await desk.oncall.decide(notice.approvalId, 'approve', 'function mines bitcoin');
    const shown = await desk.oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    const ended = await executionEnded(h, executionArn);
    expect(ended.status, ended.cause).toBe('SUCCEEDED');

    await expect(invoke()).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(await rolePolicies()).toContain(REVOKE_FUNCTION_SESSIONS_POLICY);
    const trail = await h.history(event.detail.id);
    // The decision's own record races the playbook's first step: compare the playbook's records alone.
    expect(
      trail
        .filter((r) => r.actor !== 'arn:aws:iam::111122223333:user/oncall-lena')
        .map((r) => [r.actor, r.action, r.outcome]),
    ).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/contain-lambda-function', 'RequestApproval', 'approval-required'],
      ['playbook/contain-lambda-function', 'RecordFunction', 'succeeded'],
      ['playbook/contain-lambda-function', 'PutFunctionConcurrency', 'succeeded'],
      ['playbook/contain-lambda-function', 'PutRolePolicy', 'succeeded'],
      ['playbook/contain-lambda-function', 'Verify', 'verified'],
      ['playbook/contain-lambda-function', 'Complete', 'contained'],
    ]);
    expect(trail.some((r) => r.action === 'DecideApproval' && r.outcome === 'approved')).toBe(true);
    const recorded = trail.find((r) => r.action === 'RecordFunction');
    expect(JSON.parse(recorded?.after as string)).toMatchObject({
      functionArn: FUNCTION_ARN,
      version: '$LATEST',
      codeSha256: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      role: ROLE_ARN,
    });

    await undoApproved(event.detail.id, executionArn);

    expect((await invoke()).StatusCode).toBe(200);
    expect(await rolePolicies()).not.toContain(REVOKE_FUNCTION_SESSIONS_POLICY);
  });

  it('dry run records the plan and leaves the function running', async () => {
    const ended = await startPlaybook('1a2b3c4d5e6f708192a3b4c5d6e7f802', 'dry-run');

    expect(ended.status).toBe('SUCCEEDED');
    expect((await invoke()).StatusCode).toBe(200);
    const trail = await h.history('1a2b3c4d5e6f708192a3b4c5d6e7f802');
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([['Plan', 'planned']]);
  });

  it('throttles a function whose execution role is an IAM Identity Center role, and leaves the role alone', async () => {
    const roleName = 'AWSReservedSSO_PowerUser_0123456789abcdef';
    const ssoRoleArn = await createIdentityCenterRole(h, roleName, 'lambda.amazonaws.com');
    h.sandbox.services.lambda.registerFunction({
      name: 'sso-tool',
      assetDir,
      handler: 'index.echo',
      roleArn: ssoRoleArn,
    });
    const findingId = '1a2b3c4d5e6f708192a3b4c5d6e7f804';

    const ended = await startPlaybook(findingId, 'auto', undefined, { name: 'sso-tool', role: ssoRoleArn });

    expect(ended.status, ended.cause).toBe('SUCCEEDED');
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'sso-tool', Payload: '{}' })),
    ).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(await inlinePolicyNames(h, roleName)).toEqual([]);
    const trail = await h.history(findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['RecordFunction', 'succeeded'],
      ['PutFunctionConcurrency', 'succeeded'],
      ['RevokeRoleSessions', 'skipped'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(trail.find((r) => r.action === 'RevokeRoleSessions')?.reason).toMatch(/IAM Identity Center role/);
  });

  it('with rollbackAlias, points the alias at the previous version; undo points it back', async () => {
    for (let n = 0; n < 3; n++) await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION }));
    await lambda.send(new CreateAliasCommand({ FunctionName: FUNCTION, Name: 'live', FunctionVersion: '3' }));
    const findingId = '1a2b3c4d5e6f708192a3b4c5d6e7f803';

    const ended = await startPlaybook(findingId, 'auto', { rollbackAlias: 'live' });

    expect(ended.status, ended.cause).toBe('SUCCEEDED');
    expect(await aliasVersion()).toBe('2');
    await expect(invoke()).rejects.toBeInstanceOf(TooManyRequestsException);
    await undoApproved(findingId, ended.executionArn as string);
    expect(await aliasVersion()).toBe('3');
    expect((await invoke()).StatusCode).toBe(200);
  });
});
