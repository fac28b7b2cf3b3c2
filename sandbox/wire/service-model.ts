import { createRequire } from 'node:module';
import { NormalizedSchema } from '@smithy/core/schema';
import { readEnumMembers } from './enum-members.ts';
import { type HttpTrait, RestRoutes } from './rest-routes.ts';

/** The wire protocols whose requests and responses the sandbox reads and writes from the models. */
export type ModelProtocol = 'json' | 'query' | 'ec2' | 'rest-json' | 'rest-xml';

/** One operation of a service model: its input and output shapes, as the SDK's schemas give them. */
export interface OperationModel {
  readonly name: string;
  readonly input: NormalizedSchema;
  readonly output: NormalizedSchema;
  /** REST protocols: the operation's `@http` trait (method, URI pattern, success code). */
  readonly http?: HttpTrait;
}

/** How the service's own client addresses it: read from the client's protocol, not restated here. */
interface ProtocolFacts {
  readonly protocol: ModelProtocol;
  /** JSON: the `X-Amz-Target` prefix (`TrentService`). */
  readonly serviceTarget?: string;
  /** JSON: `1.0` or `1.1`. */
  readonly jsonVersion?: string;
  /** Query and EC2: the XML namespace of responses. */
  readonly xmlNamespace?: string;
}

interface LoadedModel {
  readonly exports: Record<string, unknown>;
  readonly facts: ProtocolFacts;
  /** `Struct.member` -> the values its enum allows. */
  readonly enums: ReadonlyMap<string, readonly string[]>;
}

const require = createRequire(import.meta.url);

/** Loaded models by client package: every sandbox (and test) in the process shares one. */
const loadedModels = new Map<string, Promise<LoadedModel>>();

/**
 * A service's API model as the AWS SDK v3 client package carries it: each operation's schema
 * (`<Operation>$` exports, read by `@smithy/core/schema`), the protocol the client speaks, and the
 * enums its request shapes use. Loaded once, on the first request, so the sandbox starts fast.
 */
export class ServiceModel {
  private loaded?: Promise<LoadedModel>;
  private readonly operations = new Map<string, OperationModel | undefined>();
  private routeTable?: RestRoutes;

  /**
   * @param clientPackage the SDK client package, e.g. `@aws-sdk/client-kms`
   * @param clientClass its client class export, e.g. `KMSClient`
   */
  constructor(
    readonly clientPackage: string,
    readonly clientClass: string,
  ) {}

  /** The operation's shapes, or `undefined` when the service has no such operation. */
  async operation(name: string): Promise<OperationModel | undefined> {
    const model = await this.model();
    if (this.operations.has(name)) return this.operations.get(name);
    const schema = model.exports[`${name}$`];
    const found =
      Array.isArray(schema) && schema[0] === 9
        ? {
            name,
            input: NormalizedSchema.of(schema[4]),
            output: NormalizedSchema.of(schema[5]),
            http: httpTrait(schema[3]),
          }
        : undefined;
    this.operations.set(name, found);
    return found;
  }

  /** REST protocols: every operation's route, from the `@http` traits of the model's operations. */
  async routes(): Promise<RestRoutes> {
    if (this.routeTable) return this.routeTable;
    const { exports } = await this.model();
    const traits: [string, HttpTrait][] = [];
    for (const [key, schema] of Object.entries(exports)) {
      const http = key.endsWith('$') && Array.isArray(schema) && schema[0] === 9 && httpTrait(schema[3]);
      if (http) traits.push([key.slice(0, -1), http]);
    }
    this.routeTable = new RestRoutes(traits);
    return this.routeTable;
  }

  async facts(): Promise<ProtocolFacts> {
    return (await this.model()).facts;
  }

  /** The values allowed for `member` of the structure named `struct`, when its shape is an enum. */
  async enumLookup(): Promise<(struct: string, member: string) => readonly string[] | undefined> {
    const { enums } = await this.model();
    return (struct, member) => enums.get(`${struct}.${member}`);
  }

  private model(): Promise<LoadedModel> {
    if (!this.loaded) {
      const key = `${this.clientPackage}#${this.clientClass}`;
      const shared = loadedModels.get(key) ?? this.loadModel();
      loadedModels.set(key, shared);
      this.loaded = shared;
    }
    return this.loaded;
  }

  private async loadModel(): Promise<LoadedModel> {
    const imported = (await import(this.clientPackage)) as Record<string, unknown>;
    const exports = (this.clientClass in imported ? imported : (imported.default ?? imported)) as Record<
      string,
      unknown
    >;
    const enums = readEnumMembers(require.resolve(this.clientPackage), exports);
    return { exports, facts: this.protocolFacts(exports), enums };
  }

  /** The client's own protocol object knows the target prefix, JSON version and XML namespace. */
  private protocolFacts(exports: Record<string, unknown>): ProtocolFacts {
    const Client = exports[this.clientClass] as new (
      config: object,
    ) => {
      config: { protocol: unknown };
      destroy(): void;
    };
    const client = new Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'model', secretAccessKey: 'model' },
    });
    const protocol = client.config.protocol as {
      constructor: { name: string };
      serviceTarget?: string;
      getJsonRpcVersion?: () => string;
      options?: { xmlNamespace?: string };
    };
    client.destroy();
    switch (protocol.constructor.name) {
      case 'AwsJson1_0Protocol':
      case 'AwsJson1_1Protocol':
        return {
          protocol: 'json',
          serviceTarget: protocol.serviceTarget,
          jsonVersion: protocol.getJsonRpcVersion?.(),
        };
      case 'AwsRestJsonProtocol':
        return { protocol: 'rest-json' };
      case 'AwsRestXmlProtocol':
      case 'S3RestXmlProtocol':
        return { protocol: 'rest-xml', xmlNamespace: protocol.options?.xmlNamespace };
      case 'AwsQueryProtocol':
        return { protocol: 'query', xmlNamespace: protocol.options?.xmlNamespace };
      case 'AwsEc2QueryProtocol':
        return { protocol: 'ec2', xmlNamespace: protocol.options?.xmlNamespace };
      default:
        throw new Error(
          `${this.clientPackage} speaks ${protocol.constructor.name}, which the model path does not serve`,
        );
    }
  }
}

/** An operation schema's `{ http: [method, uri, code] }` trait, if it has one. */
function httpTrait(traits: unknown): HttpTrait | undefined {
  const http = (traits as { http?: unknown } | undefined)?.http;
  if (!Array.isArray(http)) return undefined;
  const [method, uri, code] = http as [string, string, number];
  return { method, uri, code: code ?? 200 };
}
