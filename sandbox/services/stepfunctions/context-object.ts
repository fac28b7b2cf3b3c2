import type { JsonValue } from './types.ts';

/**
 * The context object (`$$`) of one execution, kept as Step Functions fills it.
 *
 * aws-local-stepfunctions builds `$$` once per run from the `context` option: it copies the
 * top-level members (so nested objects stay shared by reference with every Parallel branch and
 * Map iteration), then overwrites `Execution.Input` and `Execution.StartTime` with the run's own
 * (a branch's input, a branch's start). It sets no `State` and no `Task`, and it evaluates a
 * Task's Parameters before calling the local handler, so a handler cannot supply `$$.Task.Token`.
 * The engine fills these gaps through hooks the prepared definition calls synchronously: `enter`
 * when the library reads a state to enter it, `evaluate` right before the library evaluates a
 * state's Parameters (JavaScript runs that evaluation to completion before any other state can
 * touch the shared objects, so each evaluation sees its own state). Paths to `$$.Execution.Input`
 * and `$$.Execution.StartTime` are rewritten to members the library leaves alone.
 */

/** Who and what the execution is, for `$$.Execution` and `$$.StateMachine`. */
export interface ExecutionIdentity {
  readonly executionArn: string;
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly input: JsonValue;
  /** ISO 8601, the same instant DescribeExecution reports as `startDate`. */
  readonly startTime: string;
}

/** One entry into a state (retries stay within the same visit). */
export interface StateVisit {
  readonly stateName: string;
  /** 1 for the first entry into this state in the execution, 2 for the second, ... */
  readonly number: number;
  readonly enteredTime: string;
  /** Attempts started so far in this visit (1 + retries). */
  attempts: number;
  /** The task token of the current attempt, for `.waitForTaskToken` tasks. */
  token?: string;
}

/** What an evaluation of a state's Parameters stands for. */
export type EvaluationKind = 'attempt' | 'callback-attempt' | 'same';

const ROOT_MEMBERS: Record<string, string> = { Input: 'SandboxRootInput', StartTime: 'SandboxRootStartTime' };
const ROOT_EXECUTION_PATH = /\$\$\.Execution\.(Input|StartTime)(?![A-Za-z0-9_])/g;

/** Point `$$.Execution.Input` / `$$.Execution.StartTime` at the execution's own values. */
export function rewriteContextPaths(path: string): string {
  return path.replace(
    ROOT_EXECUTION_PATH,
    (_match, member: string) => `$$.Execution.${ROOT_MEMBERS[member]}`,
  );
}

/** The `$$` of one execution and the bookkeeping of its state visits. */
export class ExecutionContextObject {
  /** Give this to the library as the `context` run option. */
  readonly context: Record<string, unknown>;
  private readonly state: { Name?: string; EnteredTime?: string; RetryCount?: number } = {};
  private readonly task: { Token?: string } = {};
  private readonly latest = new Map<string, StateVisit>();
  private readonly entries = new Map<string, number>();

  constructor(
    identity: ExecutionIdentity,
    private readonly mintToken: () => string,
  ) {
    this.context = {
      Execution: {
        Id: identity.executionArn,
        Name: identity.executionName,
        RoleArn: identity.roleArn,
        Input: identity.input,
        StartTime: identity.startTime,
        RedriveCount: 0,
        [ROOT_MEMBERS.Input!]: identity.input,
        [ROOT_MEMBERS.StartTime!]: identity.startTime,
      },
      StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineName },
      State: this.state,
      Task: this.task,
    };
  }

  /** The library is entering `stateName`: a new visit starts now. */
  enter(stateName: string): StateVisit {
    const number = (this.entries.get(stateName) ?? 0) + 1;
    this.entries.set(stateName, number);
    const visit: StateVisit = { stateName, number, enteredTime: new Date().toISOString(), attempts: 0 };
    this.latest.set(stateName, visit);
    return visit;
  }

  /** The library is about to evaluate a template of `stateName`: make `$$.State` (and `$$.Task`) its own. */
  evaluate(stateName: string, kind: EvaluationKind): void {
    const visit = this.latest.get(stateName) ?? this.enter(stateName);
    if (kind !== 'same') {
      visit.attempts += 1;
      visit.token = kind === 'callback-attempt' ? this.mintToken() : undefined;
    }
    this.state.Name = stateName;
    this.state.EnteredTime = visit.enteredTime;
    this.state.RetryCount = Math.max(0, visit.attempts - 1);
    if (visit.token) this.task.Token = visit.token;
    else delete this.task.Token;
  }

  /**
   * The latest visit of a state. Inside a Map whose iterations run the same state concurrently,
   * this is the most recent entry of any iteration: the library gives handlers no iteration id.
   */
  latestVisit(stateName: string): StateVisit | undefined {
    return this.latest.get(stateName);
  }
}
