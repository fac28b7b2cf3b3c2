import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  ListUsersCommand,
  NoSuchEntityException,
  type PasswordPolicy,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { undo } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { findingKey } from '#shared/audit/record.ts';
import { resourceKey } from '#shared/audit/resource-key.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
let oncall: ApprovalsClient;
let sts: STSClient;
beforeAll(async () => {
  h = await startStack();
  oncall = cliAs(h, await approverWithKey(h, 'oncall-passwords'));
  sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
}, 120_000);
afterAll(async () => {
  oncall?.close();
  sts?.destroy();
  await h?.stop();
});

/** The account's password policy, or undefined when it has none. */
async function passwordPolicy(): Promise<PasswordPolicy | undefined> {
  try {
    return (await h.sandbox.clients.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy;
  } catch (error) {
    if (error instanceof NoSuchEntityException) return undefined;
    throw error;
  }
}
const users = async () => (await h.sandbox.clients.iam.send(new ListUsersCommand({}))).Users;
const calls = (operation: string) => h.sandbox.server.calls.filter((c) => c.operation === operation).length;
const steps = async (findingId: string) => (await h.history(findingId)).map((r) => [r.action, r.outcome]);

/** Security Hub's control finding `control` (IAM.7, IAM.11–IAM.17) for the sandbox account, FAILED. */
function passwordControlFinding(control: string, suffix: string) {
  const id = `arn:aws:securityhub:us-east-1:111122223333:security-control/${control}/finding/7a6b5c4d-3e2f-4a1b-9c8d-${suffix}`;
  const event = {
    source: 'aws.securityhub',
    'detail-type': 'Security Hub Findings - Imported',
    detail: {
      findings: [
        {
          Id: id,
          ProductArn: 'arn:aws:securityhub:us-east-1::product/aws/securityhub',
          GeneratorId: `security-control/${control}`,
          AwsAccountId: '111122223333',
          Types: ['Software and Configuration Checks/Industry and Regulatory Standards'],
          Title: 'Ensure IAM password policy requires minimum password length of 14 or greater',
          Region: 'us-east-1',
          CreatedAt: '2026-11-22T12:06:02.311Z',
          UpdatedAt: '2026-11-22T12:06:02.311Z',
          Severity: { Label: 'MEDIUM' },
          Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Region: 'us-east-1' }],
          Compliance: { Status: 'FAILED', SecurityControlId: control },
          RecordState: 'ACTIVE',
          Workflow: { Status: 'NEW' },
        },
      ],
    },
  };
  return { event, id: `${id}/2026-11-22T12:06:02.311Z` };
}

/** Run `remediate undo` on the execution and approve it as on-call; resolves when the undo ended. */
async function undoApproved(executionArn: string, findingId: string): Promise<string> {
  const started = await undo(
    executionArn,
    {
      stateMachine: h.sandbox.deployment?.outputs.UndoStateMachineArn as string,
      pollMs: 50,
      timeoutMs: 20_000,
    },
    { sfn: h.sandbox.clients.sfn, sts },
    { log: () => {}, error: () => {} },
  );
  expect(started).toMatchObject({ outcome: 'pending', plan: { outcome: 'planned' } });
  const notice = await waitFor('the undo approval', () =>
    h.sandbox.services.sns.published.find(
      (m) =>
        m.message.includes(`Finding id: ${findingId}`) &&
        (m.subject ?? '').includes('undo: approval required'),
    ),
  );
  await oncall.decide(/approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1] as string, 'approve', 'test');
  return (await executionEnded(h, started.undoExecutionArn)).status as string;
}

/**
 * Start the playbook on the finding without the classifier: the duplicate rule (one remediation
 * per account and playbook within the hour) would hold the finding back.
 */
async function startDirectly(
  event: ReturnType<typeof passwordControlFinding>['event'],
  mode: 'auto' | 'dry-run' = 'auto',
): Promise<string> {
  const normalized = normalizeEvent(event);
  const finding = normalized.ok ? normalized.findings[0] : undefined;
  if (!finding) throw new Error('the event no longer normalizes');
  const started = await h.sandbox.clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: h.sandbox.deployment?.outputs.StateMachineSetPasswordPolicy as string,
      input: JSON.stringify({
        finding,
        decision: { playbook: 'set-password-policy', mode, ruleId: 'test', reason: 'test' },
        audit: { pk: findingKey(finding.id), resourceKey: resourceKey(finding.accountId, finding.resource) },
        target: { accountId: finding.accountId, region: finding.region },
      }),
    }),
  );
  return started.executionArn as string;
}

const WEAK = {
  MinimumPasswordLength: 16,
  RequireSymbols: false,
  RequireNumbers: true,
  RequireUppercaseCharacters: false,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  PasswordReusePrevention: 5,
};

describe('set-password-policy (Security Hub IAM.7, IAM.11-IAM.17), end to end through the sandbox', () => {
  it('raises what is below the baseline, keeps the stricter length and the other settings, and undo puts the policy back exactly', async () => {
    await h.sandbox.clients.iam.send(new UpdateAccountPasswordPolicyCommand(WEAK));
    const before = await passwordPolicy();
    const usersBefore = await users();
    const { event, id } = passwordControlFinding('IAM.15', '000000000015');

    await h.put(event);

    expect(await passwordPolicy()).toEqual({
      MinimumPasswordLength: 16,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: false,
    });
    expect(await users()).toEqual(usersBefore);
    expect(calls('DeleteAccountPasswordPolicy')).toBe(0);
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateAccountPasswordPolicy', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ PasswordPolicy: before });

    const executionArn = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    expect(await undoApproved(executionArn, id)).toBe('SUCCEEDED');

    expect(await passwordPolicy()).toEqual(before);
    expect(await users()).toEqual(usersBefore);
  });

  it('another password control of the same account within the hour is the same remediation: a duplicate', async () => {
    const updates = calls('UpdateAccountPasswordPolicy');
    const { event, id } = passwordControlFinding('IAM.7', '000000000007');

    await h.put(event);

    expect(calls('UpdateAccountPasswordPolicy')).toBe(updates);
    expect(await steps(id)).toEqual([['classify', 'duplicate']]);
  });

  it('an account without a policy gets the baseline, and undo deletes the policy again', async () => {
    await h.sandbox.clients.iam.send(new DeleteAccountPasswordPolicyCommand({}));
    const { event, id } = passwordControlFinding('IAM.17', '000000000017');
    const executionArn = await startDirectly(event);

    expect((await executionEnded(h, executionArn)).status).toBe('SUCCEEDED');
    expect(await passwordPolicy()).toEqual({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: false,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: false,
    });
    expect(JSON.parse((await h.history(id))[0]?.before as string)).toEqual({ NoPasswordPolicy: true });

    expect(await undoApproved(executionArn, id)).toBe('SUCCEEDED');

    expect(await passwordPolicy()).toBeUndefined();
  });

  it('in dry-run records the policy it would set, stricter values kept, and changes nothing', async () => {
    await h.sandbox.clients.iam.send(new UpdateAccountPasswordPolicyCommand(WEAK));
    const before = await passwordPolicy();
    const updates = calls('UpdateAccountPasswordPolicy');
    const { event, id } = passwordControlFinding('IAM.12', '000000000012');

    expect((await executionEnded(h, await startDirectly(event, 'dry-run'))).status).toBe('SUCCEEDED');

    expect(calls('UpdateAccountPasswordPolicy')).toBe(updates);
    expect(await passwordPolicy()).toEqual(before);
    const [plan] = await h.history(id);
    expect([plan?.action, plan?.outcome]).toEqual(['Plan', 'planned']);
    expect(JSON.parse(plan?.details as string).actions).toEqual([
      {
        action: 'UpdateAccountPasswordPolicy',
        policy: {
          MinimumPasswordLength: 16,
          RequireUppercaseCharacters: true,
          RequireLowercaseCharacters: true,
          RequireNumbers: true,
          RequireSymbols: true,
          PasswordReusePrevention: 24,
          MaxPasswordAge: 90,
          AllowUsersToChangePassword: true,
          HardExpiry: false,
        },
      },
    ]);
  });

  it('a policy already at the baseline is recorded and left as it is', async () => {
    const strict = {
      ...WEAK,
      RequireSymbols: true,
      RequireUppercaseCharacters: true,
      MaxPasswordAge: 30,
      PasswordReusePrevention: 24,
    };
    await h.sandbox.clients.iam.send(new UpdateAccountPasswordPolicyCommand(strict));
    const updates = calls('UpdateAccountPasswordPolicy');
    const { event, id } = passwordControlFinding('IAM.11', '000000000011');

    expect((await executionEnded(h, await startDirectly(event))).status).toBe('SUCCEEDED');

    expect(calls('UpdateAccountPasswordPolicy')).toBe(updates);
    expect((await passwordPolicy())?.MaxPasswordAge).toBe(30);
    expect(await steps(id)).toEqual([['UpdateAccountPasswordPolicy', 'skipped']]);
  });
});
