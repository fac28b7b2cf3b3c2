import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The inside of one Lambda execution environment: a worker thread that loads the function's
 * bundled asset once (a warm start for every later invocation) and serves invocations sent by
 * `lambda-runtime.ts`. The event arrives and the result leaves as JSON text, as on the Lambda wire.
 */

/** What the runtime tells the worker when it starts. */
export interface LambdaWorkerData {
  readonly assetDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
}

/** One invocation, as the runtime sends it. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly payload: string;
  readonly context: InvocationContextData;
  readonly deadlineMs: number;
}

/** The serializable part of the Lambda `context` object. */
export interface InvocationContextData {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/** The error body Lambda returns for a failed invocation. */
export interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** Sent once the asset has been imported (or has failed to import). */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** The worker's answer to one invocation. */
export type ResultMessage =
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly payload: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly ok: false;
      readonly error: FunctionErrorPayload;
    };

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

const HANDLER_MODULE_EXTENSIONS = ['.mjs', '.js', '.cjs'];

class HandlerLoadError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** Resolve `index.handler` to the bundled module file and its exported function. */
async function loadHandler(data: LambdaWorkerData): Promise<Handler> {
  const dot = data.handler.lastIndexOf('.');
  const modulePath = data.handler.slice(0, dot);
  const exportName = data.handler.slice(dot + 1);
  const file = HANDLER_MODULE_EXTENSIONS.map((ext) => join(data.assetDir, `${modulePath}${ext}`)).find(
    existsSync,
  );
  if (dot <= 0 || !file) {
    throw new HandlerLoadError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof handler !== 'function') {
    throw new HandlerLoadError('Runtime.HandlerNotFound', `${data.handler} is undefined or not exported`);
  }
  return handler as Handler;
}

/** Serialize a thrown value the way the Node.js Lambda runtime does. */
function toErrorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter((line) => line.length > 0),
    };
  }
  return { errorType: typeof error === 'string' ? 'string' : 'Error', errorMessage: String(error) };
}

/** Run the handler, supporting both async handlers and the older callback style. */
function runHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

async function invoke(handlerPromise: Promise<Handler>, message: InvokeMessage): Promise<ResultMessage> {
  try {
    const handler = await handlerPromise;
    const event = message.payload.length > 0 ? JSON.parse(message.payload) : {};
    const context = {
      ...message.context,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
    };
    const result = await runHandler(handler, event, context);
    return { type: 'result', id: message.id, ok: true, payload: JSON.stringify(result ?? null) };
  } catch (error) {
    return { type: 'result', id: message.id, ok: false, error: toErrorPayload(error) };
  }
}

if (parentPort) {
  const port = parentPort;
  const handlerPromise = loadHandler(workerData as LambdaWorkerData);
  // A failed import is reported on each invocation, as Lambda does, not as a worker crash.
  handlerPromise.then(
    () => port.postMessage({ type: 'ready' } satisfies ReadyMessage),
    () => port.postMessage({ type: 'ready' } satisfies ReadyMessage),
  );
  port.on('message', (message: InvokeMessage) => {
    void invoke(handlerPromise, message).then((result) => port.postMessage(result));
  });
}
