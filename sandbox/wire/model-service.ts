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
import { restRawInput } from './rest-input.ts';
import type { RouteMatch } from './rest-routes.ts';
import type { ModelProtocol, OperationModel, ServiceModel } from './service-model.ts';
import { writeOutput } from './write-output.ts';
import { parseXmlBody } from './xml-body.ts';

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
/** REST protocols: the route a request matched (its operation and path labels), kept per request. */
const routed = new WeakMap<SandboxRequest, RouteMatch | undefined>();

const isRest = (protocol: ModelProtocol): protocol is 'rest-json' | 'rest-xml' =>
  protocol === 'rest-json' || protocol === 'rest-xml';

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

  operation(req: SandboxRequest): string | Promise<string> {
    if (isRest(this.protocol)) return this.route(req).then((match) => match?.operation ?? 'Unknown');
    if (this.protocol !== 'json') return queryParams(req).get('Action') ?? 'Unknown';
    const target = req.headers['x-amz-target'] ?? '';
    return target.slice(target.lastIndexOf('.') + 1) || 'Unknown';
  }

  /** Read and check the request against the operation's input shape. */
  async decode(req: SandboxRequest, operationName: string): Promise<void> {
    const operation = (await this.isAddressed(req)) ? await this.model.operation(operationName) : undefined;
    if (!operation || !this.operations[operationName]) throw this.unknownOperation(operationName);
    try {
      decoded.set(req, { operation, input: await this.readRequest(req, operation) });
    } catch (err) {
      if (err instanceof InputShapeError) throw Object.assign(this.inputError(err), { cause: err });
      throw err;
    }
  }

  /** The error a malformed request is refused with: the protocol's, unless the service answers otherwise. */
  protected inputError(error: InputShapeError): AwsError {
    return inputErrorFor(this.protocol, error);
  }

  private async readRequest(
    req: SandboxRequest,
    operation: OperationModel,
  ): Promise<Record<string, unknown>> {
    const enums = await this.model.enumLookup();
    if (!isRest(this.protocol)) {
      const raw = this.protocol === 'json' ? parseJson(req.body) : formTree(queryParams(req));
      return readInput(this.protocol, operation.input, raw, enums);
    }
    const { labels: addressed } = this.restAddress(req);
    const labels = { ...addressed, ...(await this.route(req))?.labels };
    const { raw, problems } = restRawInput(
      operation.input,
      { labels, query: req.query, headers: req.headers, body: req.body },
      this.protocol === 'rest-json' ? parseJsonDocument : parseXmlBody,
    );
    let input: Record<string, unknown> = {};
    try {
      input = readInput(this.protocol, operation.input, raw, enums);
    } catch (err) {
      if (!(err instanceof InputShapeError)) throw err;
      problems.push(...err.problems);
    }
    if (problems.length > 0) throw new InputShapeError(problems);
    return input;
  }

  /**
   * REST protocols: the path the operation's `@http` route is matched against, and labels the
   * request carries outside it. The request's own path by default; S3 takes the bucket out of the
   * path or host name first, since its model leaves the bucket to the endpoint.
   */
  protected restAddress(req: SandboxRequest): { path: string; labels: Record<string, string> } {
    return { path: req.rawPath ?? req.path, labels: {} };
  }

  /** REST protocols: the operation whose `@http` route the request's method and path match. */
  private async route(req: SandboxRequest): Promise<RouteMatch | undefined> {
    if (routed.has(req)) return routed.get(req);
    const { path } = this.restAddress(req);
    const match = (await this.model.routes()).match(req.method, path, req.query);
    routed.set(req, match);
    return match;
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
    // S3 answers a request for functionality it does not implement with 501 NotImplemented
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); other REST services
    // a method and path they have no operation for with 404.
    if (this.protocol === 'rest-xml')
      return new AwsError('NotImplemented', `The sandbox does not implement ${name}`, 501);
    if (isRest(this.protocol))
      return new AwsError('UnknownOperationException', `Unknown operation ${name}`, 404);
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

/** A REST-JSON body: a JSON document, or an input problem the service's validation error reports. */
function parseJsonDocument(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InputShapeError([
      { kind: 'type', path: '', wireName: '(body)', value: 'the request body', expected: 'a JSON document' },
    ]);
  }
}
