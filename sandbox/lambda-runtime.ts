import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { transformSync } from 'esbuild';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from './aws-sdk-clients.ts';
import type {
  FunctionErrorPayload,
  InvokeMessage,
  LambdaWorkerData,
  ReadyMessage,
  ResultMessage,
} from './lambda-worker.ts';
import './polyfills.ts';
import { SANDBOX_REGION } from './server.ts';

/** Raised when invoking a runtime after `close()`. */
export class LambdaRuntimeClosedError extends Error {
  override name = 'LambdaRuntimeClosedError';
}

/** A function as the sandbox runs it: the bundled asset plus the settings Lambda would apply. */
export interface LambdaFunctionConfig {
  readonly name: string;
  readonly arn: string;
  /** Directory holding the bundled asset (`index.mjs` or `index.js`). */
  readonly assetDir: string;
  /** @default 'index.handler' */
  readonly handler?: string;
  /** The function's own environment variables. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 3 (Lambda's default) */
  readonly timeoutSeconds?: number;
  /** @default 128 (Lambda's default) */
  readonly memoryMb?: number;
  /**
   * Credentials the function's SDK clients sign with, or where to get them when an execution
   * environment starts (a session of the execution role). @default SANDBOX_CREDENTIALS
   */
  readonly credentials?: SandboxCredentials | (() => SandboxCredentials);
}

/** Where the function's SDK clients send their calls. */
export interface LambdaRuntimeOptions {
  /** The sandbox endpoint, given to the function as `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Execution environments kept at most; further invocations queue. @default 10 */
  readonly maxConcurrency?: number;
  /**
   * What becomes of what functions write to stdout and stderr (in Lambda, their CloudWatch log
   * stream): printed by this process, or dropped. A benchmark of thousands of invocations drops
   * them: forwarding each line from the worker and writing it cost a fifth of the sandbox's CPU.
   * @default 'print'
   */
  readonly logs?: 'print' | 'discard';
}

/** How one invocation ended, in the shapes the Invoke API returns. */
export type InvocationOutcome =
  | { readonly ok: true; readonly payload: string; readonly requestId: string }
  | { readonly ok: false; readonly error: FunctionErrorPayload; readonly requestId: string };

interface Environment {
  readonly worker: Worker;
  /** Settles once the asset is loaded (or failed to load): init time does not count against the timeout. */
  readonly ready: Promise<void>;
  crashed?: FunctionErrorPayload;
  busy: boolean;
  pending?: { readonly id: number; readonly settle: (message: ResultMessage | FunctionErrorPayload) => void };
}

/**
 * The worker's script: `lambda-worker.ts` as JavaScript, compiled once per process. Worker threads
 * do not inherit the parent's TypeScript loader (tsx's ESM hooks do not take in a worker on
 * Node 20); registering tsx's require hook inside each worker instead cost every execution
 * environment ≈ 10 MB of resident memory for the loader and its compiler, for one file that
 * imports only Node's own modules. The function's asset is JavaScript already.
 */
let workerScript: string | undefined;

function lambdaWorkerScript(): string {
  workerScript ??= transformSync(
    readFileSync(fileURLToPath(new URL('./lambda-worker.ts', import.meta.url)), 'utf8'),
    { loader: 'ts', format: 'cjs', target: 'node20' },
  ).code;
  return workerScript;
}

/**
 * Runs one Lambda function in worker threads, one worker per concurrent invocation as Lambda runs
 * one execution environment per concurrent request. Workers start on first use and stay warm; a
 * timed-out invocation terminates its worker, as Lambda discards the environment.
 */
export class LambdaRuntime {
  private readonly environments: Environment[] = [];
  private readonly waiting: ((environment: Environment) => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly config: LambdaFunctionConfig,
    private readonly options: LambdaRuntimeOptions,
  ) {}

  /** Invoke the function with a JSON payload (text); resolves with its result or its error. */
  async invoke(payload: string, invokedFunctionArn = this.config.arn): Promise<InvocationOutcome> {
    const requestId = randomUUID();
    const timeoutMs = (this.config.timeoutSeconds ?? 3) * 1000;
    const environment = await this.acquire();
    await environment.ready;
    if (environment.crashed) return { ok: false, error: environment.crashed, requestId };
    const id = this.nextId++;
    const message: InvokeMessage = {
      type: 'invoke',
      id,
      payload,
      deadlineMs: Date.now() + timeoutMs,
      context: {
        functionName: this.config.name,
        functionVersion: '$LATEST',
        invokedFunctionArn,
        memoryLimitInMB: String(this.config.memoryMb ?? 128),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${this.config.name}`,
        logStreamName: `sandbox/[$LATEST]${requestId.replace(/-/g, '')}`,
      },
    };
    const result = await new Promise<ResultMessage | FunctionErrorPayload>((settle) => {
      const timer = setTimeout(() => {
        this.discard(environment);
        settle({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        });
      }, timeoutMs);
      environment.pending = {
        id,
        settle: (outcome) => {
          clearTimeout(timer);
          settle(outcome);
        },
      };
      environment.worker.postMessage(message);
    });
    environment.pending = undefined;
    this.release(environment);
    if (!('type' in result)) return { ok: false, error: result, requestId };
    return result.ok
      ? { ok: true, payload: result.payload, requestId }
      : { ok: false, error: result.error, requestId };
  }

  /** Terminate every worker; later invocations fail. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.environments.splice(0).map((environment) => environment.worker.terminate());
    await Promise.all(workers);
  }

  private async acquire(): Promise<Environment> {
    if (this.closed) throw new LambdaRuntimeClosedError(`Function ${this.config.name} has been closed`);
    const idle = this.environments.find((environment) => !environment.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (this.environments.length < (this.options.maxConcurrency ?? 10)) {
      const environment = this.start();
      environment.busy = true;
      return environment;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(environment: Environment): void {
    if (!this.environments.includes(environment)) return;
    const next = this.waiting.shift();
    if (next) next(environment);
    else environment.busy = false;
  }

  private start(): Environment {
    const data: LambdaWorkerData = {
      assetDir: this.config.assetDir,
      handler: this.config.handler ?? 'index.handler',
    };
    const discard = this.options.logs === 'discard';
    const worker = new Worker(lambdaWorkerScript(), {
      eval: true,
      workerData: data,
      env: this.environmentVariables(),
      execArgv: [],
      // Not piped to this process's stdout/stderr: read and dropped, so the worker never blocks.
      stdout: discard,
      stderr: discard,
    });
    if (discard) {
      worker.stdout.resume();
      worker.stderr.resume();
    }
    const { promise: ready, resolve: markReady } = Promise.withResolvers<void>();
    const environment: Environment = { worker, ready, busy: false };
    worker.on('message', (message: ResultMessage | ReadyMessage) => {
      if (message.type === 'ready') markReady();
      else if (environment.pending?.id === message.id) environment.pending.settle(message);
    });
    const crash = (reason: string) => {
      const error = { errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited: ${reason}` };
      environment.crashed ??= error;
      markReady();
      const pending = environment.pending;
      this.discard(environment);
      pending?.settle(error);
    };
    worker.on('error', (error) => crash(error.message));
    worker.on('exit', (code) => crash(`exit status ${code}`));
    this.environments.push(environment);
    return environment;
  }

  /** Drop an environment (timed out or crashed); a queued invocation gets a fresh one. */
  private discard(environment: Environment): void {
    const index = this.environments.indexOf(environment);
    if (index < 0) return;
    this.environments.splice(index, 1);
    void environment.worker.terminate();
    const next = this.waiting.shift();
    if (next && !this.closed) {
      const fresh = this.start();
      fresh.busy = true;
      next(fresh);
    }
  }

  /** The variables Lambda sets, then the function's own, then where the sandbox is. */
  private environmentVariables(): Record<string, string> {
    const { config, options } = this;
    const credentials =
      typeof config.credentials === 'function'
        ? config.credentials()
        : (config.credentials ?? SANDBOX_CREDENTIALS);
    const region = options.region ?? SANDBOX_REGION;
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: 'UTC',
      // The sandbox may run on Node 20 while Lambda runs 22: keep the SDK's upgrade notice out of the logs.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LAMBDA_TASK_ROOT: config.assetDir,
      _HANDLER: config.handler ?? 'index.handler',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
      ...config.environment,
      AWS_LAMBDA_FUNCTION_NAME: config.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb ?? 128),
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL: options.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
  }
}
