import { fileURLToPath } from 'node:url';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AddPermissionCommand, GetPolicyCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { functionUrlAddress, functionUrlId } from '#sandbox/services/function-urls.ts';
import { approvalNotice, executionEnded, waitFor } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const ACCOUNT = '111122223333';
const FUNCTION = 'public-report';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION}`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/nightly-report`;

let h: StackHarness;
let desk: UndoDesk;
let lambda: LambdaClient;
let url: string;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-lambda-policy');
  const config = { endpoint: h.sandbox.endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  h.sandbox.services.lambda.registerFunction({ name: FUNCTION, assetDir, handler: 'index.echo' });
  const urlId = functionUrlId(FUNCTION);
  h.sandbox.services.functionUrls.register({
    urlId,
    functionName: FUNCTION,
    accountId: ACCOUNT,
    authType: 'NONE',
  });
  url = functionUrlAddress(h.sandbox.endpoint, urlId);
}, 120_000);
afterAll(async () => {
  desk?.close();
  lambda?.destroy();
  await h?.stop();
});

/** What anyone on the internet gets from the function URL (auth type NONE). */
const anonymousStatus = async () => (await fetch(url)).status;
const statements = async () =>
  JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: FUNCTION }))).Policy ?? '{}')
    .Statement as {
    Sid: string;
  }[];

/** Security Hub's Lambda.1 control finding about the function, FAILED. */
function lambdaDot1Finding() {
  const id = `arn:aws:securityhub:us-east-1:${ACCOUNT}:security-control/Lambda.1/finding/5b6c7d8e-9f01-4234-8567-000000000071`;
  const UpdatedAt = '2026-12-06T05:40:00.000Z';
  const finding = {
    Id: id,
    ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
    GeneratorId: 'security-control/Lambda.1',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
    Title: 'Lambda function policies should prohibit public access',
    Region: 'us-east-1',
    CreatedAt: UpdatedAt,
    UpdatedAt,
    Severity: { Label: 'CRITICAL' },
    Resources: [{ Type: 'AwsLambdaFunction', Id: FUNCTION_ARN, Region: 'us-east-1' }],
    Compliance: { Status: 'FAILED', SecurityControlId: 'Lambda.1' },
    RecordState: 'ACTIVE',
    Workflow: { Status: 'NEW' },
  };
  // A control finding's id is its Id and UpdatedAt (shared/findings/securityhub.ts).
  return { detail: { findings: [finding] }, id: `${id}/${UpdatedAt}` };
}

describe('remove-public-lambda-access (Security Hub Lambda.1), end to end through the sandbox', () => {
  it('after approval anyone is refused at the function URL, the EventBridge permission stays; undo restores what AddPermission can write, and says what it cannot', async () => {
    // What the Lambda console writes for a function URL with auth type NONE (urls-auth.html).
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: FUNCTION,
        StatementId: 'FunctionURLAllowPublicAccess',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: FUNCTION,
        StatementId: 'FunctionURLInvokeAllowPublicAccess',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: FUNCTION,
        StatementId: 'NightlyReportRule',
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: RULE_ARN,
      }),
    );
    // A public statement AddPermission cannot write (two actions), as a hand-written policy has.
    h.sandbox.services.resourcePolicies.addPermission(FUNCTION_ARN, {
      Sid: 'LegacyReadAndInvoke',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['lambda:GetFunction', 'lambda:InvokeFunction'],
      Resource: FUNCTION_ARN,
    });
    expect(await anonymousStatus()).toBe(200);
    const { detail, id } = lambdaDot1Finding();

    await h.sandbox.clients.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.securityhub',
            DetailType: 'Security Hub Findings - Imported',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    const notice = await waitFor('the approval request', () => approvalNotice(h, id));
    expect(await anonymousStatus()).toBe(200);
    await desk.oncall.decide(notice.approvalId, 'approve', 'the report must not be public');
    const shown = await desk.oncall.show(notice.approvalId);
    const executionArn = shown.ok && 'approval' in shown ? shown.approval.executionArn : '';
    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');

    expect(await anonymousStatus()).toBe(403);
    expect((await statements()).map((s) => s.Sid)).toEqual(['NightlyReportRule']);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['RequestApproval', 'approval-required'],
      ['DecideApproval', 'approved'],
      ['RemovePermission', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);

    const { started, ended } = await desk.approved(id, { executionArn, reason: 'test' });
    const plan = started.plan as { actions: { type: string }[]; notes: string[] };
    expect(plan.actions.map((a) => a.type)).toEqual(['AddPermission', 'AddPermission']);
    expect(plan.notes.join('\n')).toContain('Statement LegacyReadAndInvoke is not restored');
    expect(ended.status).toBe('SUCCEEDED');

    expect(await anonymousStatus()).toBe(200);
    expect((await statements()).map((s) => s.Sid).sort()).toEqual([
      'FunctionURLAllowPublicAccess',
      'FunctionURLInvokeAllowPublicAccess',
      'NightlyReportRule',
    ]);
  });
});
