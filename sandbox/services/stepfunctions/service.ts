import type {
  CreateStateMachineInput,
  GetExecutionHistoryInput,
  ListExecutionsInput,
  StartExecutionInput,
} from '@aws-sdk/client-sfn';
import { SANDBOX_CREDENTIALS } from '../../aws-sdk-clients.ts';
import type { SandboxRequest } from '../../protocol.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../../wire/model-service.ts';
import { ServiceModel } from '../../wire/service-model.ts';
import { assertRoleArn, assertValidName, parseStatesArn, stateMachineArn } from './names.ts';
import { page } from './pagination.ts';
import { type ExecutionCaller, StepFunctionsRegistry } from './registry.ts';
import type { MachineRoleSessions } from './task-calls.ts';
import type { TaskTokenStore } from './task-tokens.ts';
import type {
  ExecutionEventNotice,
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  StateMachineRecord,
} from './types.ts';

/** Options of the Step Functions service. */
export interface StepFunctionsServiceOptions {
  /**
   * The sandbox endpoint task calls go to, or a function returning it once the server listens.
   * Defaults to the Host the StartExecution came to.
   */
  readonly endpoint?: string | (() => string | undefined);
  /** Multiplies Retry intervals and Wait durations (e.g. 0.001 in tests). @default 1 */
  readonly timeScale?: number;
  /** Multiplies TimeoutSeconds / HeartbeatSeconds of `.waitForTaskToken` tasks. @default 1 */
  readonly callbackTimeScale?: number;
  /**
   * Sessions of a state machine's own role (pass the `StsService`): tasks with `Credentials`
   * then assume their role as the machine's role, so the role's trust policy decides.
   * @default task roles are assumed with the credentials of whoever started the execution
   */
  readonly roleSessions?: MachineRoleSessions;
}

/** A state machine handed over by the deployer. */
export interface RegisterStateMachineInput {
  readonly arn: string;
  readonly name: string;
  /** The definition, as text (intrinsics resolved) or as an object. */
  readonly definition: string | object;
  readonly roleArn: string;
  /** @default 'STANDARD' */
  readonly type?: 'STANDARD' | 'EXPRESS';
}

/** An input naming one execution (DescribeExecution, StopExecution, GetExecutionHistory). */
type ForExecution = { executionArn: string; error?: string; cause?: string };
/** A callback's input (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat). */
type ForToken = { taskToken: string; output?: string; error?: string; cause?: string };

/**
 * AWS Step Functions (JSON 1.0, target prefix `AWSStepFunctions.`, signing name `states`): state
 * machines, executions run on aws-local-stepfunctions with tasks served by the sandbox, execution
 * history, and the task-token callbacks of `.waitForTaskToken` tasks. Requests are read and
 * responses written from the SDK's model of Step Functions.
 */
export class StepFunctionsService extends ModelService {
  readonly signingNames = ['states'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sfn', 'SFNClient');
  private readonly registry: StepFunctionsRegistry;

  constructor(private readonly options: StepFunctionsServiceOptions = {}) {
    super();
    this.registry = new StepFunctionsRegistry({
      timeScale: options.timeScale ?? 1,
      callbackTimeScale: options.callbackTimeScale ?? 1,
      roleSessions: options.roleSessions,
    });
  }

  /** The open callback tokens (for approvers working in-process). */
  get tokens(): TaskTokenStore {
    return this.registry.tokens;
  }

  /** Deploy a state machine from the synthesized template. */
  registerStateMachine(input: RegisterStateMachineInput): StateMachineRecord {
    const arn = parseStatesArn(input.arn, 'stateMachine');
    return this.registry.putStateMachine({
      arn: input.arn,
      name: input.name,
      accountId: arn.accountId,
      region: arn.region,
      definition: typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition),
      roleArn: input.roleArn,
      type: input.type ?? 'STANDARD',
    });
  }

  /** Start an execution in-process, as the default sandbox caller. */
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): ExecutionRecord {
    return this.registry.startExecution(request, this.caller());
  }

  /** The current record of an execution (status, output, error, cause). */
  describeExecution(executionArn: string): ExecutionRecord {
    return { ...this.registry.execution(executionArn).record };
  }

  /** The history events of an execution so far. */
  executionHistory(executionArn: string): readonly HistoryEvent[] {
    return this.registry.execution(executionArn).run.history.events;
  }

  /** Resolves when every execution has finished (tasks waiting for a token keep it pending). */
  whenIdle(): Promise<void> {
    return this.registry.whenIdle();
  }

  /** Every execution ended or waiting for a callback (see the registry's `whenSettled`). */
  whenSettled(): Promise<void> {
    return this.registry.whenSettled();
  }

  /** Be told about every history event of every execution, as it happens. Returns an unsubscribe function. */
  onExecutionEvent(listener: (notice: ExecutionEventNotice) => void): () => void {
    return this.registry.onExecutionEvent(listener);
  }

  /** Stop every running execution (ABORTED) and wait for them to end. */
  close(): Promise<void> {
    return this.registry.stopAll();
  }

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    CreateStateMachine: (req: SandboxRequest, input: CreateStateMachineInput) =>
      this.createStateMachine(
        req,
        input as WithRequired<CreateStateMachineInput, 'name' | 'definition' | 'roleArn'>,
      ),
    DescribeStateMachine: (_req, input: { stateMachineArn: string }) =>
      describeStateMachine(this.registry.stateMachine(input.stateMachineArn)),
    ListStateMachines: (req, input: { maxResults?: number; nextToken?: string }) => {
      const { items, nextToken } = page(this.registry.stateMachines(req.accountId), input);
      return { stateMachines: items.map(stateMachineListItem), nextToken };
    },
    StartExecution: (req, input: WithRequired<StartExecutionInput, 'stateMachineArn'>) => {
      const record = this.registry.startExecution(input, this.caller(req));
      return { executionArn: record.arn, startDate: record.startDate };
    },
    DescribeExecution: (_req, input: ForExecution) =>
      describeExecution(this.registry.execution(input.executionArn).record),
    ListExecutions: (_req, input: WithRequired<ListExecutionsInput, 'stateMachineArn'>) => {
      const status = input.statusFilter as ExecutionStatus | undefined;
      const { items, nextToken } = page(this.registry.executions(input.stateMachineArn, status), input);
      return { executions: items.map(executionListItem), nextToken };
    },
    GetExecutionHistory: (_req, input: WithRequired<GetExecutionHistoryInput, 'executionArn'>) =>
      this.history(input),
    StopExecution: (_req, input: ForExecution) => {
      const { record, run } = this.registry.execution(input.executionArn);
      run.stop(input.error, input.cause);
      return { stopDate: record.stopDate ?? new Date() };
    },
    SendTaskSuccess: (_req, input: ForToken) => {
      this.registry.tokens.succeed(input.taskToken, input.output);
      return {};
    },
    SendTaskFailure: (_req, input: ForToken) => {
      this.registry.tokens.fail(input.taskToken, input.error, input.cause);
      return {};
    },
    SendTaskHeartbeat: (_req, input: ForToken) => {
      this.registry.tokens.heartbeat(input.taskToken);
      return {};
    },
  };

  private createStateMachine(
    req: SandboxRequest,
    input: WithRequired<CreateStateMachineInput, 'name' | 'definition' | 'roleArn'>,
  ): object {
    assertValidName(input.name);
    assertRoleArn(input.roleArn);
    const record = this.registry.putStateMachine({
      arn: stateMachineArn(req.region, req.accountId, input.name),
      name: input.name,
      accountId: req.accountId,
      region: req.region,
      definition: input.definition,
      roleArn: input.roleArn,
      type: input.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    });
    return { stateMachineArn: record.arn, creationDate: record.creationDate };
  }

  private history(input: WithRequired<GetExecutionHistoryInput, 'executionArn'>): object {
    const events = [...this.registry.execution(input.executionArn).run.history.events];
    if (input.reverseOrder === true) events.reverse();
    const { items, nextToken } = page(events, input);
    const withData = input.includeExecutionData !== false;
    return { events: items.map((event) => renderEvent(event, withData)), nextToken };
  }

  /**
   * Task calls go back to the endpoint the request came to, signed with the key the server
   * verified the request with (the caller's own credentials, session token included).
   */
  private caller(req?: SandboxRequest): ExecutionCaller {
    const host = req?.headers.host;
    const configured =
      typeof this.options.endpoint === 'function' ? this.options.endpoint() : this.options.endpoint;
    return {
      endpoint:
        configured ?? (host ? `http://${host}` : (process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566')),
      credentials: req?.signingKey
        ? {
            accessKeyId: req.signingKey.accessKeyId,
            secretAccessKey: req.signingKey.secretAccessKey,
            sessionToken: req.signingKey.sessionToken,
          }
        : SANDBOX_CREDENTIALS,
    };
  }
}

function describeStateMachine(record: StateMachineRecord): object {
  return {
    stateMachineArn: record.arn,
    name: record.name,
    status: 'ACTIVE',
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: record.creationDate,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function stateMachineListItem(record: StateMachineRecord): unknown {
  return {
    stateMachineArn: record.arn,
    name: record.name,
    type: record.type,
    creationDate: record.creationDate,
  };
}

function executionListItem(record: ExecutionRecord): unknown {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    stopDate: record.stopDate,
  };
}

function describeExecution(record: ExecutionRecord): object {
  return {
    ...(executionListItem(record) as object),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
    error: record.error,
    cause: record.cause,
  };
}

const EXECUTION_DATA = new Set(['input', 'output', 'inputDetails', 'outputDetails', 'parameters']);

function renderEvent(event: HistoryEvent, withData: boolean): unknown {
  const rendered: Record<string, unknown> = { ...event };
  if (withData) return rendered;
  for (const [key, value] of Object.entries(rendered)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      rendered[key] = Object.fromEntries(
        Object.entries(value).filter(([field]) => !EXECUTION_DATA.has(field)),
      );
    }
  }
  return rendered;
}
