import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
import { queryParams } from '../query-protocol.ts';
import { formTree } from './form-tree.ts';
import { InputShapeError, inputErrorFor } from './input-problems.ts';
import { readInput } from './read-input.ts';
import type { ModelProtocol, OperationModel, ServiceModel } from './service-model.ts';
import { writeOutput } from './write-output.ts';

/**
 * One operation's behaviour: the decoded input (SDK member names and types) in, the output object
 * out. Wire format, validation and errors are the router's. A handler written before the model
 * path may still return a rendered {@link SandboxResponse} (sent as is).
 */
export type OperationHandler = (
  req: SandboxRequest,
  // biome-ignore lint/suspicious/noExplicitAny: each handler reads its own operation's input shape
  input: any,
) => object | undefined | Promise<object | undefined>;

/**
 * An SDK input type with the members its model requires made non-optional: the SDK types them
 * `T | undefined` even when required, and the model path has already refused a request without them.
 */
export type WithRequired<T, K extends keyof T> = T & { [P in K]-?: NonNullable<T[P]> };

/** The decoded request a model service hands its handler, kept per request. */
const decoded = new WeakMap<SandboxRequest, { operation: OperationModel; input: Record<string, unknown> }>();

function isRendered(value: unknown): value is SandboxResponse {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SandboxResponse).status === 'number' &&
    'body' in value
  );
}

/**
 * A service whose requests are read and whose responses are written from the AWS SDK's model of
 * it (LocalStack's AWS Server Framework, in small): a subclass names its client package and lists
 * its operations' behaviour in {@link operations}. The router calls {@link decode} before it
 * authorizes, so a malformed request is refused with the protocol's validation error.
 */
export abstract class ModelService implements SandboxService {
  abstract readonly signingNames: readonly string[];
  abstract readonly protocol: Protocol & ModelProtocol;
  /** The service's API model, from its SDK client package. */
  protected abstract readonly model: ServiceModel;
  /** Behaviour by operation name. */
  protected abstract readonly operations: Readonly<Record<string, OperationHandler>>;
  /**
   * `X-Amz-Target` prefixes the service also answers to, besides the client's own (`TrentService.`):
   * botocore sends some services' full shape-id prefix.
   */
  protected readonly extraTargetPrefixes: readonly string[] = [];

  operation(req: SandboxRequest): string {
    if (this.protocol !== 'json') return queryParams(req).get('Action') ?? 'Unknown';
    const target = req.headers['x-amz-target'] ?? '';
    return target.slice(target.lastIndexOf('.') + 1) || 'Unknown';
  }

  /** Read and check the request against the operation's input shape. */
  async decode(req: SandboxRequest, operationName: string): Promise<void> {
    const operation = (await this.isAddressed(req)) ? await this.model.operation(operationName) : undefined;
    if (!operation || !this.operations[operationName]) throw this.unknownOperation(operationName);
    const raw = this.protocol === 'json' ? parseJson(req.body) : formTree(queryParams(req));
    try {
      const input = readInput(this.protocol, operation.input, raw, await this.model.enumLookup());
      decoded.set(req, { operation, input });
    } catch (err) {
      if (err instanceof InputShapeError)
        throw Object.assign(inputErrorFor(this.protocol, err), { cause: err });
      throw err;
    }
  }

  async handle(req: SandboxRequest, operationName: string): Promise<SandboxResponse> {
    if (!decoded.has(req)) await this.decode(req, operationName);
    const { operation, input } = decoded.get(req) as {
      operation: OperationModel;
      input: Record<string, unknown>;
    };
    const run = this.operations[operationName] as OperationHandler;
    const output: object = (await run(req, input)) ?? {};
    if (isRendered(output)) return output;
    return writeOutput(await this.model.facts(), operation, output, req.requestId);
  }

  /** A JSON request must name the service by its target prefix (the client's, or one listed). */
  private async isAddressed(req: SandboxRequest): Promise<boolean> {
    if (this.protocol !== 'json') return true;
    const target = req.headers['x-amz-target'] ?? '';
    const prefix = target.slice(0, target.lastIndexOf('.') + 1);
    const { serviceTarget } = await this.model.facts();
    return prefix === `${serviceTarget}.` || this.extraTargetPrefixes.includes(prefix);
  }

  private unknownOperation(name: string): AwsError {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html (InvalidAction)
    return this.protocol === 'json'
      ? new AwsError('UnknownOperationException', `Unknown operation ${name}`)
      : new AwsError('InvalidAction', `The action ${name} is not valid for this web service.`);
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw Object.assign(new AwsError('SerializationException', 'The request body is not valid JSON'), {
      cause: err,
    });
  }
}
