import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { ApprovalsClient } from '#cli/approvals/client.ts';
import { type UndoResult, undo } from '#cli/commands/undo.ts';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { approverWithKey, cliAs, executionEnded, waitFor } from './approval-helpers.ts';
import type { StackHarness } from './harness.ts';

/**
 * The people of an undo, as the end-to-end tests play them: whoever runs `remediate undo` (the
 * CLI with the sandbox's default credentials) and the on-call engineer who approves it (a user with
 * the approver policy, through `remediate approvals`). One per test file; `close` in `afterAll`.
 */
export interface UndoDesk {
  /** `remediate undo` of a playbook execution, as a person runs it against the sandbox. */
  run(executionArn: string, options?: { dryRun?: boolean; wait?: boolean }): Promise<UndoResult>;
  /**
   * Undo the playbook run that acted on `findingId` (or `executionArn`), approved by on-call as the
   * default policy's `undo.mode: approve` asks; `clicks` people start it at once and must join one
   * execution. Resolves once the undo execution has ended, whatever its status.
   */
  approved(
    findingId: string,
    options?: { executionArn?: string; playbook?: string; reason?: string; clicks?: number },
  ): Promise<{ started: UndoResult; ended: DescribeExecutionCommandOutput }>;
  /** The on-call engineer's approvals client. */
  readonly oncall: ApprovalsClient;
  /** The STS client `remediate undo` asks who is calling. */
  readonly sts: STSClient;
  close(): void;
}

/** The playbook execution that acted on a finding (of `playbook` when given), from its audit trail. */
export async function playbookExecution(
  h: StackHarness,
  findingId: string,
  playbook?: string,
): Promise<string> {
  const arn = (await h.history(findingId)).find(
    (r) => r.executionArn && r.actor.startsWith('playbook/') && (!playbook || r.playbook === playbook),
  )?.executionArn;
  if (!arn) throw new Error(`no ${playbook ?? 'playbook'} execution recorded for ${findingId}`);
  return arn;
}

/** The undo approval notification of a finding. */
const undoNotice = (h: StackHarness, findingId: string) =>
  waitFor(`the undo approval of ${findingId}`, () =>
    h.sandbox.services.sns.published.find(
      (m) =>
        m.message.includes(`Finding id: ${findingId}`) &&
        (m.subject ?? '').includes('undo: approval required'),
    ),
  );

/** Who takes part in an undo: the on-call approver, and the STS client `remediate undo` asks who is calling. */
export interface UndoPeople {
  readonly oncall: ApprovalsClient;
  readonly sts: STSClient;
}

/**
 * `remediate undo` of a playbook execution, as a person runs it against the sandbox; what it
 * prints (both streams, in order) goes to `output` when given.
 */
export function runUndo(
  h: StackHarness,
  sts: STSClient,
  executionArn: string,
  { output, ...options }: { dryRun?: boolean; wait?: boolean; output?: string[] } = {},
): Promise<UndoResult> {
  const print = (line: string) => output?.push(line);
  return undo(
    executionArn,
    {
      stateMachine: h.sandbox.deployment?.outputs.UndoStateMachineArn as string,
      pollMs: 50,
      timeoutMs: 20_000,
      ...options,
    },
    { sfn: h.sandbox.clients.sfn, sts },
    { log: print, error: print },
  );
}

/** {@link UndoDesk.approved}, for tests that keep their own approver and STS client. */
export async function approveUndo(
  h: StackHarness,
  people: UndoPeople,
  findingId: string,
  options: Parameters<UndoDesk['approved']>[1] = {},
): ReturnType<UndoDesk['approved']> {
  const executionArn = options.executionArn ?? (await playbookExecution(h, findingId, options.playbook));
  // Several people (or one double click) starting the same undo at once join one execution.
  const [started, ...others] = await Promise.all(
    Array.from({ length: options.clicks ?? 1 }, () => runUndo(h, people.sts, executionArn)),
  );
  if (!started) throw new Error('no undo started');
  for (const other of others) expect(other.undoExecutionArn).toBe(started.undoExecutionArn);
  expect(started, JSON.stringify(started.plan)).toMatchObject({
    outcome: 'pending',
    plan: { outcome: 'planned' },
  });
  const notice = await undoNotice(h, findingId);
  const approvalId = /approval (apr-[0-9a-f]{16})/i.exec(notice.message)?.[1];
  if (!approvalId) throw new Error(`the undo approval of ${findingId} names no approval id`);
  await people.oncall.decide(approvalId, 'approve', options.reason ?? 'false positive, put it back');
  const ended = await executionEnded(h, started.undoExecutionArn as string);
  return { started, ended };
}

/** Set up the undo's people on a started stack; `approverName` is the on-call IAM user created for it. */
export async function undoDesk(h: StackHarness, approverName: string): Promise<UndoDesk> {
  const oncall = cliAs(h, await approverWithKey(h, approverName));
  const sts = new STSClient({
    endpoint: h.sandbox.endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
  });
  return {
    oncall,
    sts,
    run: (executionArn, options) => runUndo(h, sts, executionArn, options),
    approved: (findingId, options) => approveUndo(h, { oncall, sts }, findingId, options),
    close() {
      oncall.close();
      sts.destroy();
    },
  };
}
