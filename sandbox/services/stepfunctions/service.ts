import { SANDBOX_CREDENTIALS } from '../../aws-sdk-clients.ts';
import { AwsError, type SandboxRequest, type SandboxResponse, type SandboxService } from '../../protocol.ts';
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

const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
];
type Body = Record<string, unknown>;

/**
 * AWS Step Functions (JSON 1.0, target prefix `AWSStepFunctions.`, signing name `states`): state
 * machines, executions run on aws-local-stepfunctions with tasks served by the sandbox, execution
 * history, and the task-token callbacks of `.waitForTaskToken` tasks.
 */
export class StepFunctionsService implements SandboxService {
  readonly signingNames = ['states'] as const;
  readonly protocol = 'json' as const;
  private readonly registry: StepFunctionsRegistry;

  constructor(private readonly options: StepFunctionsServiceOptions = {}) {
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

  operation(req: SandboxRequest): string {
    const target = req.headers['x-amz-target'] ?? '';
    return target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : 'Unknown';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    const body = parseBody(req);
    const result = this.dispatch(req, operation, body);
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify(result),
    };
  }

  private dispatch(req: SandboxRequest, operation: string, body: Body): unknown {
    const { registry } = this;
    switch (operation) {
      case 'CreateStateMachine':
        return this.createStateMachine(req, body);
      case 'DescribeStateMachine':
        return describeStateMachine(registry.stateMachine(body.stateMachineArn));
      case 'ListStateMachines': {
        const { items, nextToken } = page(registry.stateMachines(req.accountId), body);
        return { stateMachines: items.map(stateMachineListItem), nextToken };
      }
      case 'StartExecution': {
        const record = registry.startExecution(
          body as Parameters<StepFunctionsRegistry['startExecution']>[0],
          this.caller(req),
        );
        return { executionArn: record.arn, startDate: seconds(record.startDate) };
      }
      case 'DescribeExecution':
        return describeExecution(registry.execution(body.executionArn).record);
      case 'ListExecutions': {
        const status = body.statusFilter as ExecutionStatus | undefined;
        if (status !== undefined && !EXECUTION_STATUSES.includes(status)) {
          throw new AwsError(
            'ValidationException',
            `1 validation error detected: Value '${status}' at 'statusFilter'`,
          );
        }
        const { items, nextToken } = page(registry.executions(body.stateMachineArn, status), body);
        return { executions: items.map(executionListItem), nextToken };
      }
      case 'GetExecutionHistory':
        return this.history(body);
      case 'StopExecution': {
        const { record, run } = registry.execution(body.executionArn);
        run.stop(optionalString(body.error), optionalString(body.cause));
        return { stopDate: seconds(record.stopDate ?? new Date()) };
      }
      case 'SendTaskSuccess':
        registry.tokens.succeed(body.taskToken, body.output);
        return {};
      case 'SendTaskFailure':
        registry.tokens.fail(body.taskToken, optionalString(body.error), optionalString(body.cause));
        return {};
      case 'SendTaskHeartbeat':
        registry.tokens.heartbeat(body.taskToken);
        return {};
      default:
        throw new AwsError(
          'UnknownOperationException',
          `The sandbox does not serve Step Functions ${operation}`,
        );
    }
  }

  private createStateMachine(req: SandboxRequest, body: Body): unknown {
    const name = String(body.name ?? '');
    assertValidName(name);
    assertRoleArn(body.roleArn);
    if (typeof body.definition !== 'string')
      throw new AwsError('ValidationException', 'definition is required');
    const record = this.registry.putStateMachine({
      arn: stateMachineArn(req.region, req.accountId, name),
      name,
      accountId: req.accountId,
      region: req.region,
      definition: body.definition,
      roleArn: body.roleArn,
      type: body.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    });
    return { stateMachineArn: record.arn, creationDate: seconds(record.creationDate) };
  }

  private history(body: Body): unknown {
    const events = [...this.registry.execution(body.executionArn).run.history.events];
    if (body.reverseOrder === true) events.reverse();
    const { items, nextToken } = page(events, body);
    const withData = body.includeExecutionData !== false;
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

function parseBody(req: SandboxRequest): Body {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8')) as Body;
  } catch (error) {
    throw new AwsError('SerializationException', `Request body is not JSON: ${(error as Error).message}`);
  }
}

/** JSON 1.0 timestamps are epoch seconds. */
function seconds(date: Date): number {
  return date.getTime() / 1000;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describeStateMachine(record: StateMachineRecord): unknown {
  return {
    stateMachineArn: record.arn,
    name: record.name,
    status: 'ACTIVE',
    definition: record.definition,
    roleArn: record.roleArn,
    type: record.type,
    creationDate: seconds(record.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

function stateMachineListItem(record: StateMachineRecord): unknown {
  return {
    stateMachineArn: record.arn,
    name: record.name,
    type: record.type,
    creationDate: seconds(record.creationDate),
  };
}

function executionListItem(record: ExecutionRecord): unknown {
  return {
    executionArn: record.arn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    stopDate: record.stopDate ? seconds(record.stopDate) : undefined,
  };
}

function describeExecution(record: ExecutionRecord): unknown {
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
  const rendered: Record<string, unknown> = { ...event, timestamp: seconds(event.timestamp) };
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
