/** Shapes shared by the Step Functions service, its engine and its task handlers. */

/** A JSON value, as state input and output are. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** An Amazon States Language state, loosely typed: the engine reads only the fields it needs. */
export type StateDefinition = { Type: string; [field: string]: unknown };

/** An Amazon States Language document (or a Parallel branch, or a Map item processor). */
export interface MachineDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** The status values DescribeExecution reports. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A deployed state machine. */
export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** The definition text as given (returned verbatim by DescribeStateMachine). */
  readonly definition: string;
  readonly parsed: MachineDefinition;
  readonly roleArn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: Date;
}

/** One execution, as DescribeExecution and ListExecutions report it. */
export interface ExecutionRecord {
  readonly arn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

/** One entry of GetExecutionHistory: `type`, ids, and one `<type>EventDetails` member. */
export interface HistoryEvent {
  readonly timestamp: Date;
  readonly type: string;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/** What `onExecutionEvent` listeners receive. */
export interface ExecutionEventNotice {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly event: HistoryEvent;
}
