import { randomBytes } from 'node:crypto';
import { AwsError } from '../../protocol.ts';
import { TaskError } from './task-errors.ts';
import type { JsonValue } from './types.ts';
import '../../polyfills.ts';

/** Where a token was issued, for callers that list open tasks (the approvals CLI, the console). */
export interface TaskTokenOwner {
  readonly executionArn: string;
  readonly stateName: string;
}

/** How a callback ended. A value, never a rejection: the task may not be awaiting it yet. */
export type CallbackOutcome =
  | { readonly ok: true; readonly output: JsonValue }
  | { readonly ok: false; readonly error: TaskError };

interface TokenRecord extends TaskTokenOwner {
  status: 'open' | 'closed';
  /** The task's integration call has returned: from now on only a callback (or timeout) moves it. */
  submitted?: boolean;
  readonly settle: (outcome: CallbackOutcome) => void;
  heartbeatMs?: number;
  heartbeatTimer?: NodeJS.Timeout;
}

// Tokens are opaque to callers; this shape only lets the store tell a malformed token (InvalidToken)
// from a well-formed one it never issued (TaskDoesNotExist).
const TOKEN_SHAPE = /^AQ[A-Za-z0-9_-]{128}$/;
const MAX_OUTPUT_CHARS = 256 * 1024;

/**
 * The callback tokens of `.waitForTaskToken` tasks. A task opens its token and waits on the
 * returned promise; SendTaskSuccess / SendTaskFailure settle it; SendTaskHeartbeat restarts the
 * heartbeat clock. A token answers once: after that, or after its task ended for any other reason,
 * calls with it fail with `TaskTimedOut`, as AWS documents for expired or closed tasks.
 */
export class TaskTokenStore {
  private readonly tokens = new Map<string, TokenRecord>();

  /** A fresh token, to be placed in the context object before the task's Parameters are evaluated. */
  mint(): string {
    return `AQ${randomBytes(96).toString('base64url')}`;
  }

  /** Open a minted token for its task; the promise resolves with the callback's outcome. */
  open(token: string, owner: TaskTokenOwner, heartbeatMs?: number): Promise<CallbackOutcome> {
    const { promise, resolve } = Promise.withResolvers<CallbackOutcome>();
    const record: TokenRecord = { ...owner, status: 'open', settle: resolve, heartbeatMs };
    this.tokens.set(token, record);
    this.restartHeartbeat(record);
    return promise;
  }

  /** SendTaskSuccess: `output` is the JSON text the task returns. */
  succeed(token: unknown, output: unknown): void {
    const record = this.openRecord(token);
    let parsed: JsonValue;
    try {
      if (typeof output !== 'string' || output.length > MAX_OUTPUT_CHARS)
        throw new SyntaxError('not a JSON text');
      parsed = JSON.parse(output) as JsonValue;
    } catch (error) {
      throw new AwsError('InvalidOutput', `Invalid Output: ${(error as Error).message}`);
    }
    this.finish(record);
    record.settle({ ok: true, output: parsed });
  }

  /** SendTaskFailure: the task fails with `error` (default `States.TaskFailed`) and `cause`. */
  fail(token: unknown, error?: string, cause?: string): void {
    const record = this.openRecord(token);
    this.finish(record);
    record.settle({ ok: false, error: new TaskError(error || 'States.TaskFailed', cause ?? '') });
  }

  /** The task holding `token` has handed it over (its integration call returned). */
  submitted(token: string): void {
    const record = this.tokens.get(token);
    if (record) record.submitted = true;
  }

  /** Whether the execution holds an open, handed-over token: it waits for someone outside to call back. */
  isWaiting(executionArn: string): boolean {
    for (const record of this.tokens.values())
      if (record.status === 'open' && record.submitted && record.executionArn === executionArn) return true;
    return false;
  }

  /** SendTaskHeartbeat: the task is alive; its heartbeat clock starts again. */
  heartbeat(token: unknown): void {
    this.restartHeartbeat(this.openRecord(token));
  }

  /**
   * The task behind `token` has ended some other way (timed out, execution stopped): a waiter still
   * on it is released, and later calls with the token are `TaskTimedOut`.
   */
  close(token: string): void {
    const record = this.tokens.get(token);
    if (record) this.release(record);
  }

  /** Close every token of an execution that has stopped. */
  closeExecution(executionArn: string): void {
    for (const record of this.tokens.values()) {
      if (record.executionArn === executionArn) this.release(record);
    }
  }

  /** The tasks currently waiting for a callback. */
  openTasks(): (TaskTokenOwner & { token: string })[] {
    return [...this.tokens.entries()]
      .filter(([, record]) => record.status === 'open')
      .map(([token, { executionArn, stateName }]) => ({ token, executionArn, stateName }));
  }

  private openRecord(token: unknown): TokenRecord {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token))
      throw new AwsError('InvalidToken', 'Invalid Token');
    const record = this.tokens.get(token);
    if (!record) throw new AwsError('TaskDoesNotExist', 'Task does not exist');
    if (record.status === 'closed') throw new AwsError('TaskTimedOut', 'Task Timed Out');
    return record;
  }

  private release(record: TokenRecord): void {
    if (record.status === 'closed') return;
    this.finish(record);
    record.settle({
      ok: false,
      error: new TaskError('States.Timeout', 'The task was closed before a callback arrived'),
    });
  }

  private finish(record: TokenRecord): void {
    record.status = 'closed';
    clearTimeout(record.heartbeatTimer);
  }

  private restartHeartbeat(record: TokenRecord): void {
    clearTimeout(record.heartbeatTimer);
    if (record.heartbeatMs === undefined) return;
    const seconds = record.heartbeatMs / 1000;
    record.heartbeatTimer = setTimeout(() => {
      this.finish(record);
      const error = new TaskError(
        'States.HeartbeatTimeout',
        `No heartbeat received within ${seconds} seconds`,
      );
      record.settle({ ok: false, error });
    }, record.heartbeatMs);
  }
}
