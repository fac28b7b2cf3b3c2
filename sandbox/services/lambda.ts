import { createHash, randomUUID } from 'node:crypto';
import type {
  AddPermissionRequest,
  CreateAliasRequest,
  GetAliasRequest,
  GetFunctionRequest,
  InvocationRequest,
  ListFunctionsRequest,
  PutFunctionConcurrencyRequest,
  UpdateAliasRequest,
} from '@aws-sdk/client-lambda';
import type { SandboxCredentials } from '../aws-sdk-clients.ts';
import { type InvocationOutcome, type LambdaFunctionConfig, LambdaRuntime } from '../lambda-runtime.ts';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import type { InputShapeError } from '../wire/input-problems.ts';
import { ModelService, type OperationHandler, type WithRequired } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import type { ResourcePolicyStore } from './iam/resource-policies.ts';
import { FunctionAliases } from './lambda-aliases.ts';
import { ReservedConcurrency } from './lambda-concurrency.ts';
import { FunctionPermissions } from './lambda-permissions.ts';

/** A function to serve, as the deployer reads it from the cloud assembly. */
export interface RegisterFunctionInput {
  readonly name: string;
  /** @default arn:aws:lambda:us-east-1:111122223333:function:<name> */
  readonly arn?: string;
  readonly assetDir: string;
  /** @default 'index.handler' */
  readonly handler?: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 3 */
  readonly timeoutSeconds?: number;
  /** @default 128 */
  readonly memoryMb?: number;
  /** @default 'nodejs22.x' */
  readonly runtime?: string;
  /** The execution role, reported by GetFunction. */
  readonly roleArn?: string;
  /**
   * Credentials the function's SDK clients sign with: its execution role's session, obtained
   * (by the function, so afresh) whenever an execution environment starts, as Lambda does.
   */
  readonly credentials?: SandboxCredentials | (() => SandboxCredentials);
}

/** Options of the Lambda service. */
export interface LambdaServiceOptions {
  /**
   * The sandbox endpoint functions call back into (`AWS_ENDPOINT_URL`), or a function returning it
   * once the server listens. Defaults to the Host the first Invoke came to.
   */
  readonly endpoint?: string | (() => string | undefined);
  /** Pauses before the two retries of a failed asynchronous invocation. @default [1000, 2000] */
  readonly asyncRetryDelaysMs?: readonly [number, number];
  /** Execution environments (worker threads) per function at most; further invocations queue. @default 10 */
  readonly maxConcurrency?: number;
  /** What becomes of the functions' stdout and stderr (see LambdaRuntimeOptions). @default 'print' */
  readonly functionLogs?: 'print' | 'discard';
  /** The functions' resource-based policies (GetPolicy, AddPermission, RemovePermission). @default a store of its own */
  readonly policies?: ResourcePolicyStore;
}

interface FunctionRecord {
  readonly input: RegisterFunctionInput;
  readonly config: LambdaFunctionConfig;
  readonly lastModified: string;
  readonly revisionId: string;
  runtime?: LambdaRuntime;
}

const FUNCTION_NAME =
  /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]+))?$/;
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A request naming one function (and perhaps a qualifier), with what the model requires. */
type Named<T extends { FunctionName?: string }> = WithRequired<T, 'FunctionName'>;

/**
 * AWS Lambda (REST-JSON, signing name `lambda`): Invoke, GetFunction, GetFunctionConfiguration,
 * ListFunctions, versions and aliases, reserved concurrency, for the functions of the synthesized
 * stack, each run from its bundled asset by a `LambdaRuntime`. Requests are read and responses
 * written from the SDK's model of Lambda (`ModelService`).
 */
export class LambdaService extends ModelService {
  readonly signingNames = ['lambda'] as const;
  readonly protocol = 'rest-json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-lambda', 'LambdaClient');
  /** `<account>/<region>` → function name → function: Lambda functions live in one account and region. */
  private readonly accounts = new Map<string, Map<string, FunctionRecord>>();
  private readonly asyncInvocations = new Set<Promise<void>>();
  private requestEndpoint?: string;
  private readonly reserved = new ReservedConcurrency();
  private readonly aliases = new FunctionAliases();
  private readonly permissions?: FunctionPermissions;

  constructor(private readonly options: LambdaServiceOptions = {}) {
    super();
    if (options.policies) this.permissions = new FunctionPermissions(options.policies);
  }

  private permissionsOrRefuse(): FunctionPermissions {
    if (!this.permissions)
      throw new AwsError('InvalidParameterValueException', 'this sandbox serves no function policies');
    return this.permissions;
  }

  /** Add a function; its worker starts on first invocation. */
  registerFunction(input: RegisterFunctionInput): void {
    const arn = input.arn ?? `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT_ID}:function:${input.name}`;
    const [, , , region = SANDBOX_REGION, accountId = SANDBOX_ACCOUNT_ID] = arn.split(':');
    const key = scopeKey(accountId, region);
    const functions = this.accounts.get(key) ?? new Map<string, FunctionRecord>();
    this.accounts.set(key, functions);
    void functions.get(input.name)?.runtime?.close();
    const config: LambdaFunctionConfig = { ...input, arn };
    functions.set(input.name, {
      input,
      config,
      lastModified: new Date().toISOString().replace('Z', '+0000'),
      revisionId: randomUUID(),
    });
  }

  /**
   * Invoke a function in-process, as RequestResponse over the wire would: by ARN, or by name in
   * `accountId` and `region`.
   */
  async invokeFunction(
    functionName: string,
    payload: string,
    accountId = SANDBOX_ACCOUNT_ID,
    region = SANDBOX_REGION,
  ): Promise<InvocationOutcome> {
    const record = this.findIn(functionName, accountId, region);
    return this.runtimeOf(record).invoke(payload);
  }

  /** Resolves once every queued asynchronous (`Event`) invocation has finished, retries included. */
  async whenIdle(): Promise<void> {
    while (this.asyncInvocations.size > 0) await Promise.all([...this.asyncInvocations]);
  }

  /** Stop every function's workers. */
  async close(): Promise<void> {
    const runtimes = [...this.accounts.values()].flatMap((functions) => [...functions.values()]);
    await Promise.all(runtimes.map((record) => record.runtime?.close()));
  }

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    Invoke: (req, input: Named<InvocationRequest>) => {
      this.requestEndpoint ??= req.headers.host ? `http://${req.headers.host}` : undefined;
      const record = this.find(input.FunctionName, req, input.Qualifier);
      this.reserved.refuseIfThrottled(record.config.arn);
      return this.invoke(record, input);
    },
    GetFunction: (req, input: Named<GetFunctionRequest>) => {
      const record = this.find(input.FunctionName, req, input.Qualifier);
      const reserved = this.reserved.of(record.config.arn);
      const version = input.Qualifier
        ? this.aliases.versionOf(record.config.arn, input.Qualifier)
        : '$LATEST';
      return {
        Configuration: { ...configuration(record), Version: version },
        Code: { RepositoryType: 'S3', Location: `file://${record.config.assetDir}` },
        Tags: {},
        ...(reserved !== undefined && { Concurrency: { ReservedConcurrentExecutions: reserved } }),
      };
    },
    GetFunctionConfiguration: (req, input: Named<GetFunctionRequest>) =>
      configuration(this.find(input.FunctionName, req, input.Qualifier)),
    ListFunctions: (req, input: ListFunctionsRequest) => this.list(req, input),
    PublishVersion: (req, input: Named<{ FunctionName?: string }>) => {
      const record = this.find(input.FunctionName, req);
      return this.aliases.publishVersion(record.config.arn, configuration(record));
    },
    CreateAlias: (
      req,
      input: WithRequired<CreateAliasRequest, 'FunctionName' | 'Name' | 'FunctionVersion'>,
    ) => this.aliases.createAlias(this.arnOf(input.FunctionName, req), input.Name, input.FunctionVersion),
    GetAlias: (req, input: WithRequired<GetAliasRequest, 'FunctionName' | 'Name'>) =>
      this.aliases.getAlias(this.arnOf(input.FunctionName, req), input.Name),
    UpdateAlias: (req, input: WithRequired<UpdateAliasRequest, 'FunctionName' | 'Name'>) =>
      this.aliases.updateAlias(this.arnOf(input.FunctionName, req), input.Name, input.FunctionVersion),
    PutFunctionConcurrency: (
      req,
      input: WithRequired<PutFunctionConcurrencyRequest, 'FunctionName' | 'ReservedConcurrentExecutions'>,
    ) => ({
      ReservedConcurrentExecutions: this.reserved.put(
        this.arnOf(input.FunctionName, req),
        input.ReservedConcurrentExecutions,
      ),
    }),
    GetFunctionConcurrency: (req, input: Named<{ FunctionName?: string }>) => ({
      ReservedConcurrentExecutions: this.reserved.of(this.arnOf(input.FunctionName, req)),
    }),
    GetPolicy: (req, input: Named<{ FunctionName?: string }>) =>
      this.permissionsOrRefuse().getPolicy(this.arnOf(input.FunctionName, req)),
    AddPermission: (
      req,
      input: WithRequired<AddPermissionRequest, 'FunctionName' | 'StatementId' | 'Action' | 'Principal'>,
    ) => this.permissionsOrRefuse().add(this.arnOf(input.FunctionName, req), input),
    RemovePermission: (req, input: Named<{ FunctionName?: string; StatementId?: string }>) =>
      this.permissionsOrRefuse().remove(this.arnOf(input.FunctionName, req), input.StatementId ?? ''),
    DeleteFunctionConcurrency: (req, input: Named<{ FunctionName?: string }>) => {
      this.reserved.delete(this.arnOf(input.FunctionName, req));
      return {};
    },
  };

  /**
   * Lambda refuses a body or header it cannot read with `InvalidRequestContentException` ("The
   * request body could not be parsed as JSON, or a request header is invalid") and a parameter
   * that breaks a constraint with `InvalidParameterValueException` ("One of the parameters in the
   * request is not valid"): https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
   */
  protected override inputError(error: InputShapeError): AwsError {
    const unreadable = error.problems.some((p) => p.kind === 'unknown' || p.kind === 'type');
    return unreadable
      ? new AwsError('InvalidRequestContentException', error.message)
      : new AwsError('InvalidParameterValueException', error.message);
  }

  private async invoke(record: FunctionRecord, input: InvocationRequest): Promise<object> {
    const body = Buffer.from(input.Payload ?? new Uint8Array());
    if (body.length > MAX_PAYLOAD_BYTES) {
      throw new AwsError(
        'RequestTooLargeException',
        'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
        413,
      );
    }
    const payload = body.toString('utf8');
    try {
      if (payload.length > 0) JSON.parse(payload);
    } catch (error) {
      throw new AwsError(
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
      );
    }
    const ExecutedVersion = '$LATEST';
    const invocationType = input.InvocationType ?? 'RequestResponse';
    if (invocationType === 'DryRun') return { StatusCode: 204, ExecutedVersion };
    if (invocationType === 'Event') {
      this.queueAsync(record, payload);
      return { StatusCode: 202, ExecutedVersion };
    }
    const outcome = await this.runtimeOf(record).invoke(payload);
    if (outcome.ok) return { StatusCode: 200, ExecutedVersion, Payload: outcome.payload };
    return {
      StatusCode: 200,
      ExecutedVersion,
      FunctionError: 'Unhandled',
      Payload: JSON.stringify(outcome.error),
    };
  }

  /** Lambda retries a failed asynchronous invocation twice before giving up on the event. */
  private queueAsync(record: FunctionRecord, payload: string): void {
    const delays = this.options.asyncRetryDelaysMs ?? [1000, 2000];
    const run = async () => {
      for (let attempt = 0; attempt <= delays.length; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
        const outcome = await this.runtimeOf(record).invoke(payload);
        if (outcome.ok) return;
      }
    };
    const invocation: Promise<void> = run()
      .catch((error: unknown) =>
        console.error(`Asynchronous invocation of ${record.input.name} failed`, error),
      )
      .finally(() => this.asyncInvocations.delete(invocation));
    this.asyncInvocations.add(invocation);
  }

  private list(req: SandboxRequest, input: ListFunctionsRequest): object {
    const functions = [...(this.accounts.get(scopeKey(req.accountId, req.region))?.values() ?? [])].sort(
      (a, b) => a.input.name.localeCompare(b.input.name),
    );
    const maxItems = Math.min(input.MaxItems ?? 50, 10_000);
    const start = Number(input.Marker ?? 0) || 0;
    const page = functions.slice(start, start + maxItems);
    const next = start + maxItems < functions.length ? String(start + maxItems) : undefined;
    return { Functions: page.map(configuration), NextMarker: next };
  }

  /** The unqualified ARN of the function a request names, in the caller's account and region. */
  private arnOf(functionName: string, req: SandboxRequest): string {
    return this.find(functionName, req).config.arn;
  }

  private find(
    functionName: string,
    req: Pick<SandboxRequest, 'accountId' | 'region'>,
    qualifierParam?: string,
  ): FunctionRecord {
    return this.findIn(functionName, req.accountId, req.region, qualifierParam);
  }

  private findIn(
    functionName: string,
    accountId: string,
    region: string,
    qualifierParam?: string | null,
  ): FunctionRecord {
    const match = FUNCTION_NAME.exec(functionName);
    const inRegion = match?.[1] ?? region;
    const account = match?.[2] ?? match?.[3] ?? accountId;
    const name = match?.[4] ?? functionName;
    const qualifier = qualifierParam ?? match?.[5];
    const record = match ? this.accounts.get(scopeKey(account, inRegion))?.get(name) : undefined;
    // Only $LATEST, published versions and aliases exist (lambda-aliases.ts).
    if (
      !record ||
      (qualifier && qualifier !== '$LATEST' && !this.aliases.has(record.config.arn, qualifier))
    ) {
      const arn = `arn:aws:lambda:${inRegion}:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
      throw new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    }
    return record;
  }

  private runtimeOf(record: FunctionRecord): LambdaRuntime {
    const configured = this.options.endpoint;
    const endpoint = typeof configured === 'function' ? configured() : configured;
    record.runtime ??= new LambdaRuntime(record.config, {
      endpoint: endpoint ?? this.requestEndpoint ?? process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      region: record.config.arn.split(':')[3] ?? SANDBOX_REGION,
      maxConcurrency: this.options.maxConcurrency,
      logs: this.options.functionLogs,
    });
    return record.runtime;
  }
}

function scopeKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

function configuration(record: FunctionRecord): Record<string, unknown> {
  const { input, config } = record;
  return {
    FunctionName: input.name,
    FunctionArn: config.arn,
    Runtime: input.runtime ?? 'nodejs22.x',
    Role: input.roleArn ?? `arn:aws:iam::${config.arn.split(':')[4]}:role/${input.name}-role`,
    Handler: input.handler ?? 'index.handler',
    CodeSize: 0,
    Description: '',
    Timeout: input.timeoutSeconds ?? 3,
    MemorySize: input.memoryMb ?? 128,
    LastModified: record.lastModified,
    CodeSha256: createHash('sha256').update(config.assetDir).digest('base64'),
    Version: '$LATEST',
    Environment: { Variables: { ...input.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: record.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['arm64'],
  };
}
