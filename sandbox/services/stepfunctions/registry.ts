import '../../polyfills.ts';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { SandboxCredentials } from '../../aws-sdk-clients.ts';
import { AwsError } from '../../protocol.ts';
import { ExecutionRun } from './execution.ts';
import { assertValidName, executionArn, parseStatesArn } from './names.ts';
import { collectTasks, type TaskStateInfo } from './run-definition.ts';
import type { MachineRoleSessions } from './task-calls.ts';
import { TaskTokenStore } from './task-tokens.ts';
import type {
  ExecutionEventNotice,
  ExecutionRecord,
  ExecutionStatus,
  MachineDefinition,
  StateMachineRecord,
} from './types.ts';
import { ValidatedDefinitions } from './validated-definitions.ts';

interface MachineEntry {
  readonly record: StateMachineRecord;
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
  readonly executions: Map<string, { record: ExecutionRecord; run: ExecutionRun }>;
}

/** How executions run. */
export interface EngineOptions {
  readonly timeScale: number;
  readonly callbackTimeScale: number;
  /** Sessions of each machine's own role, for tasks with `Credentials`. */
  readonly roleSessions?: MachineRoleSessions;
}

/** Who started an execution: its task calls go to `endpoint` signed with `credentials`. */
export interface ExecutionCaller {
  readonly endpoint: string;
  readonly credentials: SandboxCredentials;
}

/**
 * The state machines and executions of every account (ARNs carry the account, so one map keyed by
 * ARN keeps accounts apart), with Step Functions' rules for names and for starting executions.
 */
export class StepFunctionsRegistry {
  /** The callback tokens of `.waitForTaskToken` tasks, for SendTask* and for in-process approvers. */
  readonly tokens = new TaskTokenStore();
  private readonly machines = new Map<string, MachineEntry>();
  /** The runs not yet ended, each with its execution ARN. */
  private readonly running = new Map<Promise<void>, string>();
  private listeners: ((notice: ExecutionEventNotice) => void)[] = [];

  constructor(private readonly engine: EngineOptions) {}

  /**
   * Add a state machine. Validates the definition (Amazon States Language schema) and throws
   * `InvalidDefinition`; the same name with the same definition and role is idempotent, a
   * different one is `StateMachineAlreadyExists`, as CreateStateMachine behaves.
   */
  putStateMachine(input: Omit<StateMachineRecord, 'parsed' | 'creationDate'>): StateMachineRecord {
    const existing = this.machines.get(input.arn)?.record;
    if (existing) {
      if (existing.definition === input.definition && existing.roleArn === input.roleArn) return existing;
      throw new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${input.arn}'`);
    }
    const parsed = parseDefinition(input.definition);
    const record: StateMachineRecord = { ...input, parsed, creationDate: new Date() };
    this.machines.set(input.arn, { record, tasks: collectTasks(parsed), executions: new Map() });
    return record;
  }

  stateMachine(arn: unknown): StateMachineRecord {
    return this.machineEntry(arn).record;
  }

  stateMachines(accountId: string): StateMachineRecord[] {
    return [...this.machines.values()]
      .map((entry) => entry.record)
      .filter((record) => record.accountId === accountId)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * StartExecution for a Standard workflow. A name already used by a running execution with the
   * same input returns that execution (idempotent); a different input, or a name whose execution
   * has closed, is `ExecutionAlreadyExists`.
   */
  startExecution(
    request: { stateMachineArn: unknown; name?: unknown; input?: unknown },
    caller: ExecutionCaller,
  ): ExecutionRecord {
    const entry = this.machineEntry(request.stateMachineArn);
    const name = request.name === undefined ? randomUUID() : String(request.name);
    assertValidName(name);
    const input = request.input === undefined ? '{}' : String(request.input);
    try {
      JSON.parse(input);
    } catch (error) {
      throw new AwsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const arn = executionArn(entry.record.arn, name);
    const existing = entry.executions.get(arn)?.record;
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      arn,
      name,
      stateMachineArn: entry.record.arn,
      input,
      startDate: new Date(),
      status: 'RUNNING',
    };
    const run = new ExecutionRun({
      record,
      machine: entry.record,
      tasks: entry.tasks,
      endpoint: caller.endpoint,
      credentials: caller.credentials,
      tokens: this.tokens,
      timeScale: this.engine.timeScale,
      callbackTimeScale: this.engine.callbackTimeScale,
      roleSessions: this.engine.roleSessions,
      onEvent: (event) => this.notify({ executionArn: arn, stateMachineArn: entry.record.arn, event }),
    });
    entry.executions.set(arn, { record, run });
    const done = run.done.finally(() => this.running.delete(done));
    this.running.set(done, arn);
    return record;
  }

  execution(arn: unknown): { record: ExecutionRecord; run: ExecutionRun } {
    const parsed = parseStatesArn(arn, 'execution');
    const machineArn = `arn:aws:states:${parsed.region}:${parsed.accountId}:stateMachine:${parsed.stateMachineName}`;
    const found = this.machines.get(machineArn)?.executions.get(String(arn));
    if (!found) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return found;
  }

  /** A state machine's executions, newest first, optionally of one status. */
  executions(stateMachineArn: unknown, status?: ExecutionStatus): ExecutionRecord[] {
    return [...this.machineEntry(stateMachineArn).executions.values()]
      .map((execution) => execution.record)
      .filter((record) => !status || record.status === status)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** Resolves once no execution is running and every history is complete. */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.keys()]);
  }

  /**
   * Resolves once every execution has ended or waits for a callback (an open task token, such as
   * an approval gate): nothing more happens until someone outside answers, or a timeout fires.
   */
  async whenSettled(): Promise<void> {
    for (;;) {
      const busy = [...this.running].filter(([, arn]) => !this.tokens.isWaiting(arn)).map(([done]) => done);
      if (busy.length === 0) return;
      // A run may reach its gate without ending, so look again shortly even if none ends.
      await Promise.race([Promise.all(busy), new Promise((resolve) => setTimeout(resolve, 10))]);
    }
  }

  /** Stop every running execution and wait for them to end. */
  async stopAll(): Promise<void> {
    for (const entry of this.machines.values()) {
      for (const { run } of entry.executions.values())
        run.stop('Sandbox.Shutdown', 'The sandbox is shutting down');
    }
    await this.whenIdle();
  }

  onExecutionEvent(listener: (notice: ExecutionEventNotice) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((candidate) => candidate !== listener);
    };
  }

  private notify(notice: ExecutionEventNotice): void {
    for (const listener of this.listeners) {
      try {
        listener(notice);
      } catch (error) {
        // A faulty progress listener must not break the execution it watches.
        console.error('Step Functions execution event listener failed', error);
      }
    }
  }

  private machineEntry(arn: unknown): MachineEntry {
    parseStatesArn(arn, 'stateMachine');
    const entry = this.machines.get(String(arn));
    if (!entry)
      throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(arn)}'`);
    return entry;
  }
}

// asl-validator compiles its JSON schemas on every call (hundreds of milliseconds), so a definition
// text validated once is not validated again, in this process or another.
const validDefinitions = new ValidatedDefinitions(
  path.resolve(import.meta.dirname, '../../../.sandbox/valid-definitions'),
);

/** Parse and validate a definition (Amazon States Language schema and transitions); `InvalidDefinition` if not. */
function parseDefinition(text: string): MachineDefinition {
  let parsed: MachineDefinition;
  try {
    parsed = JSON.parse(text) as MachineDefinition;
  } catch (error) {
    throw new AwsError(
      'InvalidDefinition',
      `Invalid State Machine Definition: '${(error as Error).message}'`,
    );
  }
  if (!validDefinitions.has(text)) {
    try {
      // The validator annotates what it checks (QueryLanguage on every state), so it gets a copy.
      new StateMachine(structuredClone(parsed) as unknown as StateMachineDefinition);
    } catch (error) {
      throw new AwsError(
        'InvalidDefinition',
        `Invalid State Machine Definition: '${(error as Error).message}'`,
      );
    }
    validDefinitions.add(text);
  }
  return parsed;
}
