import '../../polyfills.ts';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { SandboxCredentials } from '../../aws-sdk-clients.ts';
import { ExecutionContextObject } from './context-object.ts';
import { dataLimitFailure, exceedsPayloadLimit } from './data-limit.ts';
import { ExecutionHistory, type LibraryEvent } from './history.ts';
import { prepareRunDefinition, scaledWaitOverrides, type TaskStateInfo } from './run-definition.ts';
import type { MachineRoleSessions } from './task-calls.ts';
import { TaskRuntime } from './task-handlers.ts';
import type { TaskTokenStore } from './task-tokens.ts';
import type { ExecutionRecord, HistoryEvent, JsonValue, StateMachineRecord } from './types.ts';

/** Everything one execution needs from the service. */
export interface ExecutionRunOptions {
  readonly record: ExecutionRecord;
  readonly machine: StateMachineRecord;
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
  /** The sandbox endpoint task calls go to. */
  readonly endpoint: string;
  /** The credentials task calls sign with (those of the caller that started the execution). */
  readonly credentials: SandboxCredentials;
  readonly tokens: TaskTokenStore;
  readonly timeScale: number;
  readonly callbackTimeScale: number;
  readonly onEvent: (event: HistoryEvent) => void;
  /** Where sessions of the machine's role come from. @default task roles are assumed with `credentials` */
  readonly roleSessions?: MachineRoleSessions;
}

/**
 * One running execution on aws-local-stepfunctions: the prepared definition, the task handlers,
 * the history fed from the library's event log, and the final status for DescribeExecution.
 */
export class ExecutionRun {
  readonly history: ExecutionHistory;
  /** Settles when the execution has ended and its history is complete. */
  readonly done: Promise<void>;
  private abort?: () => void;
  private runtime?: TaskRuntime;
  private stopReason?: { error?: string; cause?: string; failed?: boolean };

  constructor(private readonly options: ExecutionRunOptions) {
    this.history = new ExecutionHistory(options.onEvent);
    this.done = this.run().catch((error: unknown) => this.crash(error));
  }

  /** StopExecution: abort the run; the execution ends ABORTED with this error and cause. */
  stop(error?: string, cause?: string): void {
    if (this.options.record.status !== 'RUNNING' || this.stopReason) return;
    this.stopReason = { error, cause };
    // Closed first: the library still finishes the current state, and a Retry would call it again.
    this.runtime?.closeAll();
    this.abort?.();
  }

  private async run(): Promise<void> {
    const { record, machine, tasks, tokens } = this.options;
    const input = JSON.parse(record.input) as JsonValue;
    const context = new ExecutionContextObject(
      {
        executionArn: record.arn,
        executionName: record.name,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
        roleArn: machine.roleArn,
        input,
        startTime: record.startDate.toISOString(),
      },
      () => tokens.mint(),
    );
    this.history.add(
      'ExecutionStarted',
      { input: record.input, inputDetails: { truncated: false }, roleArn: machine.roleArn },
      record.startDate,
    );
    const runtime = new TaskRuntime(tasks, {
      call: {
        endpoint: this.options.endpoint,
        region: machine.region,
        credentials: this.options.credentials,
        executionArn: record.arn,
        stateMachineArn: machine.arn,
      },
      executionName: record.name,
      tokens,
      context,
      history: this.history,
      callbackTimeScale: this.options.callbackTimeScale,
      machineSession: this.machineSession(),
      onDataLimitExceeded: (stateName) => this.exceedDataLimit(stateName),
    });
    this.runtime = runtime;
    const definition = prepareRunDefinition(
      machine.parsed,
      tasks,
      { enter: (name) => context.enter(name), evaluate: (name, kind) => context.evaluate(name, kind) },
      { timeScale: this.options.timeScale, callbackTimeScale: this.options.callbackTimeScale },
    );
    const execution = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    }).run(input as Parameters<StateMachine['run']>[0], {
      overrides: {
        taskResourceLocalHandlers: runtime.handlers() as never,
        waitTimeOverrides: scaledWaitOverrides(machine.parsed, this.options.timeScale),
      },
      context: context.context,
    });
    this.abort = execution.abort;
    const logged = this.follow(execution.eventLogs as AsyncGenerator<LibraryEvent>, runtime);
    const outcome = await execution.result.then(
      (output) => ({ ok: true as const, output }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await logged;
    runtime.closeAll();
    tokens.closeExecution(record.arn);
    this.finish(outcome);
    this.release();
    this.history.compact();
  }

  /**
   * Let go of the engine once the execution has ended: the library's run (with this execution's
   * copy of the definition) and the task runtime are needed only while it runs, whereas the
   * record and the history are kept for DescribeExecution and GetExecutionHistory. Held, a
   * thousand ended executions kept a thousand copies of their definition.
   */
  private release(): void {
    this.abort = undefined;
    this.runtime = undefined;
  }

  /** A state's data is over the payload limit: the execution fails with States.DataLimitExceeded. */
  private exceedDataLimit(stateName: string): void {
    if (this.options.record.status !== 'RUNNING' || this.stopReason) return;
    this.stopReason = { ...dataLimitFailure(stateName), failed: true };
    this.runtime?.closeAll();
    this.abort?.();
  }

  /**
   * Step Functions assumes a task's `Credentials` role as the state machine's own role, which it
   * assumes as `states.amazonaws.com`. A machine whose role the sandbox IAM does not hold (a
   * made-up ARN) assumes task roles with the execution's credentials instead.
   */
  private machineSession(): (() => SandboxCredentials) | undefined {
    const { machine, record, roleSessions } = this.options;
    if (!roleSessions?.hasRole(machine.roleArn)) return undefined;
    let session: SandboxCredentials | undefined;
    return () => {
      session ??= roleSessions.serviceSession(machine.roleArn, 'states.amazonaws.com', {
        sessionName: record.name,
        sourceAccount: machine.accountId,
        sourceArn: machine.arn,
      });
      return session;
    };
  }

  /** Feed the library's event log into the history, and library task timeouts into the task runtime. */
  private async follow(events: AsyncGenerator<LibraryEvent>, runtime: TaskRuntime): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateFailed' && event.state?.type === 'Task' && event.Error === 'States.Timeout') {
        runtime.timedOut(event.state.name, 'The task did not finish within its TimeoutSeconds');
      }
      this.history.addLibraryEvent(event);
      if (event.type === 'StateExited' && event.state && exceedsPayloadLimit(event.state.output)) {
        this.exceedDataLimit(event.state.name);
      }
    }
  }

  /** The engine itself broke (not the workflow): the execution fails with States.Runtime. */
  private crash(error: unknown): void {
    const { record } = this.options;
    if (record.status !== 'RUNNING') return;
    record.error = 'States.Runtime';
    record.cause = `The sandbox could not run the execution: ${(error as Error)?.message ?? String(error)}`;
    this.history.add('ExecutionFailed', { error: record.error, cause: record.cause });
    record.status = 'FAILED';
    record.stopDate = new Date();
    this.options.tokens.closeExecution(record.arn);
    this.release();
    this.history.compact();
  }

  private finish(outcome: { ok: true; output: unknown } | { ok: false; error: unknown }): void {
    const { record } = this.options;
    if (outcome.ok) {
      record.output = JSON.stringify(outcome.output ?? null);
      record.status = 'SUCCEEDED';
    } else if (outcome.error instanceof ExecutionAbortedError && this.stopReason?.failed) {
      record.error = this.stopReason.error;
      record.cause = this.stopReason.cause;
      this.history.add('ExecutionFailed', { error: record.error, cause: record.cause });
      record.status = 'FAILED';
    } else if (outcome.error instanceof ExecutionAbortedError) {
      record.error = this.stopReason?.error;
      record.cause = this.stopReason?.cause;
      this.history.add('ExecutionAborted', { error: record.error, cause: record.cause });
      record.status = 'ABORTED';
    } else if (outcome.error instanceof ExecutionTimeoutError) {
      record.error = 'States.Timeout';
      record.cause = 'The execution timed out';
      record.status = 'TIMED_OUT';
    } else {
      const failure = outcome.error instanceof ExecutionError ? outcome.error.cause : outcome.error;
      record.error = failure instanceof Error ? failure.name : 'States.Runtime';
      record.cause = failure instanceof Error ? failure.message : String(failure);
      record.status = 'FAILED';
    }
    record.stopDate = new Date();
  }
}
