import type { SandboxCredentials } from '../../aws-sdk-clients.ts';
import type { ExecutionContextObject } from './context-object.ts';
import { exceedsPayloadLimit } from './data-limit.ts';
import type { ExecutionHistory } from './history.ts';
import { type TaskStateInfo, unwrapTaskInput } from './run-definition.ts';
import { assumeTaskRole, type CallContext, callTaskResource } from './task-calls.ts';
import { TaskError, TaskRuntimeError } from './task-errors.ts';
import type { TaskResource } from './task-resources.ts';
import type { TaskTokenStore } from './task-tokens.ts';
import type { JsonValue } from './types.ts';

/** What the task handlers of one execution share. */
export interface TaskRuntimeOptions {
  readonly call: CallContext;
  readonly executionName: string;
  readonly tokens: TaskTokenStore;
  readonly context: ExecutionContextObject;
  readonly history: ExecutionHistory;
  /** Multiplies HeartbeatSeconds of `.waitForTaskToken` tasks. */
  readonly callbackTimeScale: number;
  /**
   * A session of the state machine's own role, which signs every task's calls and the AssumeRole
   * of a task's `Credentials` role. @default the execution's credentials sign them
   */
  readonly machineSession?: () => SandboxCredentials;
  /** A task's input after Parameters, or its result, is over the payload limit: fail the execution. */
  readonly onDataLimitExceeded?: (stateName: string) => void;
}

interface Attempt {
  readonly task: TaskStateInfo;
  readonly visit: number;
  readonly token?: string;
  closed: boolean;
}

/** A local handler, in the library's `taskResourceLocalHandlers` shape. */
export type TaskHandler = (input: JsonValue) => Promise<JsonValue>;

/**
 * The Task states of one execution, served by the sandbox: each attempt records its history
 * events (TaskScheduled, TaskStarted, TaskSubmitted, TaskSucceeded / TaskFailed / TaskTimedOut, or
 * the LambdaFunction* events for a function ARN resource), calls the integration, and for
 * `.waitForTaskToken` waits on the token the context object issued for that attempt.
 */
export class TaskRuntime {
  private readonly open = new Map<string, Attempt[]>();
  private stopped = false;

  constructor(
    private readonly tasks: ReadonlyMap<string, TaskStateInfo>,
    private readonly options: TaskRuntimeOptions,
  ) {}

  /** One handler per Task state, by state name (Parallel branches and Map processors included). */
  handlers(): Record<string, TaskHandler> {
    return Object.fromEntries(
      [...this.tasks.values()].map((task) => [task.name, (input) => this.run(task, input)]),
    );
  }

  /** The library timed the state out (TimeoutSeconds): close its oldest open attempt as TaskTimedOut. */
  timedOut(stateName: string, cause: string): void {
    const attempt = this.open.get(stateName)?.[0];
    if (!attempt?.task.resource) return;
    this.close(attempt);
    this.record(attempt, attempt.task.resource, 'TimedOut', { error: 'States.Timeout', cause });
  }

  /** The execution has ended: open attempts record nothing more and release their tokens. */
  closeAll(): void {
    this.stopped = true;
    for (const attempts of this.open.values()) for (const attempt of attempts) this.close(attempt);
  }

  private async run(task: TaskStateInfo, input: JsonValue): Promise<JsonValue> {
    const { context, tokens } = this.options;
    const resource = task.resource;
    if (!resource) throw new TaskRuntimeError(`The sandbox does not serve the resource ${task.resourceArn}`);
    // Let the execution see the previous state's exit first: an oversized output ends it there.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.stopped) throw new TaskRuntimeError('The execution has stopped');
    const visit = context.latestVisit(task.name);
    const attempt: Attempt = { task, visit: visit?.number ?? 1, token: visit?.token, closed: false };
    this.open.set(task.name, [...(this.open.get(task.name) ?? []), attempt]);
    const { parameters, credentials, heartbeatSeconds } = unwrapTaskInput(input);
    if (exceedsPayloadLimit(parameters)) throw this.dataLimitExceeded(task.name);
    this.scheduled(attempt, resource, parameters, heartbeatSeconds);
    try {
      const call = await this.callContext(credentials?.RoleArn);
      let output: JsonValue;
      if (resource.waitForTaskToken && attempt.token) {
        const heartbeat = heartbeatSeconds ?? task.heartbeatSeconds;
        const owner = { executionArn: call.executionArn, stateName: task.name };
        const heartbeatMs =
          heartbeat === undefined ? undefined : heartbeat * 1000 * this.options.callbackTimeScale;
        // Opened before the call: the receiver may answer before the call returns.
        const outcome = tokens.open(attempt.token, owner, heartbeatMs);
        const submitted = await callTaskResource(resource, parameters, call);
        tokens.submitted(attempt.token);
        this.record(attempt, resource, 'Submitted', {
          output: JSON.stringify(submitted),
          outputDetails: { truncated: false },
        });
        const result = await outcome;
        if (!result.ok) throw result.error;
        output = result.output;
      } else {
        output = await callTaskResource(resource, parameters, call);
      }
      if (exceedsPayloadLimit(output)) throw this.dataLimitExceeded(task.name);
      if (!attempt.closed) this.succeeded(attempt, resource, output);
      return output;
    } catch (error) {
      const failure = error instanceof TaskError ? error : new TaskError('States.TaskFailed', String(error));
      if (!attempt.closed) {
        const kind = failure.name === 'States.HeartbeatTimeout' ? 'TimedOut' : 'Failed';
        this.record(attempt, resource, kind, { error: failure.name, cause: failure.message });
      }
      throw failure;
    } finally {
      this.close(attempt);
    }
  }

  /** End the execution (see `data-limit.ts`); the error thrown only unwinds the task. */
  private dataLimitExceeded(stateName: string): TaskRuntimeError {
    this.options.onDataLimitExceeded?.(stateName);
    this.closeAll();
    return new TaskRuntimeError('The execution has stopped: States.DataLimitExceeded');
  }

  private async callContext(roleArn: string | undefined): Promise<CallContext> {
    const { call, executionName, machineSession } = this.options;
    // A task without its own `Credentials` calls as the state machine's role, as Step Functions
    // does (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html).
    if (!roleArn) return machineSession ? { ...call, credentials: machineSession() } : call;
    return {
      ...call,
      credentials: await assumeTaskRole(roleArn, executionName, call, this.options.machineSession),
    };
  }

  private close(attempt: Attempt): void {
    attempt.closed = true;
    if (attempt.token) this.options.tokens.close(attempt.token);
    const open = this.open.get(attempt.task.name) ?? [];
    this.open.set(
      attempt.task.name,
      open.filter((candidate) => candidate !== attempt),
    );
  }

  private scheduled(
    attempt: Attempt,
    resource: TaskResource,
    parameters: JsonValue,
    heartbeat?: number,
  ): void {
    const { task } = attempt;
    if (resource.integration === 'lambda-function') {
      this.options.history.addTaskEvent(task.name, attempt.visit, 'LambdaFunctionScheduled', {
        resource: resource.arn,
        input: JSON.stringify(parameters),
        inputDetails: { truncated: false },
        timeoutInSeconds: task.timeoutSeconds,
      });
      this.options.history.addTaskEvent(task.name, attempt.visit, 'LambdaFunctionStarted', {});
      return;
    }
    const names = { resourceType: resource.resourceType, resource: resource.resourceName };
    this.options.history.addTaskEvent(task.name, attempt.visit, 'TaskScheduled', {
      ...names,
      region: this.options.call.region,
      parameters: JSON.stringify(parameters),
      timeoutInSeconds: task.timeoutSeconds,
      heartbeatInSeconds: heartbeat ?? task.heartbeatSeconds,
    });
    this.options.history.addTaskEvent(task.name, attempt.visit, 'TaskStarted', names);
  }

  private succeeded(attempt: Attempt, resource: TaskResource, output: JsonValue): void {
    this.record(attempt, resource, 'Succeeded', {
      output: JSON.stringify(output),
      outputDetails: { truncated: false },
    });
  }

  /** Record `Task<outcome>` (or `LambdaFunction<outcome>` for a function ARN resource). */
  private record(
    attempt: Attempt,
    resource: TaskResource,
    outcome: 'Submitted' | 'Succeeded' | 'Failed' | 'TimedOut',
    details: Record<string, unknown>,
  ): void {
    const lambda = resource.integration === 'lambda-function';
    const names = lambda ? {} : { resourceType: resource.resourceType, resource: resource.resourceName };
    const type = `${lambda ? 'LambdaFunction' : 'Task'}${outcome}`;
    this.options.history.addTaskEvent(attempt.task.name, attempt.visit, type, { ...names, ...details });
  }
}
