import { Agent } from 'node:http';
import type { SandboxCredentials } from './credentials.ts';
import { SANDBOX_CREDENTIALS } from './credentials.ts';
import { S3_CONTROL_CLIENT_CONFIG } from './s3-control-endpoint.ts';
import { SANDBOX_REGION } from './server.ts';

export { SANDBOX_CREDENTIALS, type SandboxCredentials } from './credentials.ts';

/** One AWS service reachable through Step Functions' `arn:aws:states:::aws-sdk:<service>:<action>`. */
export interface SdkIntegrationService {
  /** The `@aws-sdk/client-*` package that speaks the service's protocol. */
  readonly packageName: string;
  /** The client class exported by the package. */
  readonly clientName: string;
  /** The base class of the package's errors; an error of exactly this class is unmodelled. */
  readonly baseExceptionName: string;
  /** The prefix Step Functions puts in front of the service's error names (its "exception prefix"). */
  readonly errorPrefix: string;
  /** Extra client configuration the service needs against a single local endpoint. */
  readonly clientConfig?: Readonly<Record<string, unknown>>;
  /**
   * Whether the service model's members are camelCase (Step Functions: `stateMachineArn`). Step
   * Functions' SDK integrations always speak PascalCase (`StateMachineArn` in, `ExecutionArn` out),
   * so the sandbox translates at the boundary. @default false
   */
  readonly camelCaseMembers?: boolean;
  /**
   * Whether Step Functions spells the service's `DB...` members as the AWS SDK for Java 2.x does,
   * `Db...` (`DbSnapshotIdentifier` in, `DbSnapshotAttributesResult` out), as it does for RDS.
   * @default false
   */
  readonly dbAcronymMembers?: boolean;
  /**
   * Whether the model names its operations' top-level members in PascalCase and the members of
   * nested structures in camelCase (AWS Config: `ConfigurationRecordersStatus[].recording`). Step
   * Functions speaks PascalCase at every depth, so nested members are translated. @default false
   */
  readonly nestedCamelCaseMembers?: boolean;
  /**
   * Whether the model names some result members in camelCase among PascalCase ones (CloudTrail:
   * DescribeTrails' `trailList`, ListTrails' `Trails`). Step Functions returns them in PascalCase
   * (`TrailList`), so the sandbox capitalizes result members. @default false
   */
  readonly camelCaseResultMembers?: boolean;
}

/**
 * The services the sandbox can call for Step Functions, keyed by the service name used in Task
 * resources. Error prefixes follow the "Exception prefix" column of the Step Functions AWS SDK
 * integrations table.
 */
export const SDK_INTEGRATION_SERVICES: Readonly<Record<string, SdkIntegrationService>> = {
  iam: entry('iam', 'IAM', 'Iam'),
  ec2: entry('ec2', 'EC2', 'Ec2'),
  sts: entry('sts', 'STS', 'Sts'),
  sns: entry('sns', 'SNS', 'Sns'),
  sqs: entry('sqs', 'SQS', 'Sqs'),
  // One endpoint serves every bucket, so buckets go in the path, not in a virtual host name.
  s3: entry('s3', 'S3', 'S3', { forcePathStyle: true }),
  dynamodb: entry('dynamodb', 'DynamoDB', 'DynamoDb'),
  cloudtrail: { ...entry('cloudtrail', 'CloudTrail', 'CloudTrail'), camelCaseResultMembers: true },
  config: { ...entry('config-service', 'ConfigService', 'Config'), nestedCamelCaseMembers: true },
  kms: entry('kms', 'KMS', 'Kms'),
  guardduty: entry('guardduty', 'GuardDuty', 'GuardDuty'),
  // ECS's model names members in camelCase at every depth (`tasks[].taskArn`).
  ecs: { ...entry('ecs', 'ECS', 'Ecs'), camelCaseMembers: true },
  autoscaling: entry('auto-scaling', 'AutoScaling', 'AutoScaling'),
  elasticloadbalancingv2: entry(
    'elastic-load-balancing-v2',
    'ElasticLoadBalancingV2',
    'ElasticLoadBalancingV2',
  ),
  lambda: entry('lambda', 'Lambda', 'Lambda'),
  eventbridge: entry('eventbridge', 'EventBridge', 'EventBridge'),
  sfn: { ...entry('sfn', 'SFN', 'Sfn'), camelCaseMembers: true },
  rds: { ...entry('rds', 'RDS', 'Rds'), dbAcronymMembers: true },
  s3control: entry('s3-control', 'S3Control', 'S3Control', S3_CONTROL_CLIENT_CONFIG),
};

function entry(
  packageSuffix: string,
  classPrefix: string,
  errorPrefix: string,
  clientConfig?: Record<string, unknown>,
): SdkIntegrationService {
  return {
    packageName: `@aws-sdk/client-${packageSuffix}`,
    clientName: `${classPrefix}Client`,
    baseExceptionName: `${classPrefix}ServiceException`,
    errorPrefix,
    clientConfig,
  };
}

/** Where and as whom a sandbox client connects. */
export interface SandboxClientOptions {
  /** The sandbox endpoint, e.g. `http://127.0.0.1:4566`. */
  readonly endpoint: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default SANDBOX_CREDENTIALS */
  readonly credentials?: SandboxCredentials;
}

/** The parts of an SDK v3 client the sandbox uses. */
export interface SdkClient {
  send(command: unknown): Promise<Record<string, unknown>>;
  destroy(): void;
}

/** A loaded `@aws-sdk/client-*` module, with the classes looked up by name. */
export interface SdkModule {
  readonly service: SdkIntegrationService;
  /** The command class for an action, or undefined when the service has no such action. */
  command(action: string): (new (input: unknown) => unknown) | undefined;
  /** Whether an error thrown by this client is one the service model declares. */
  isModelledError(error: unknown): boolean;
  createClient(options: SandboxClientOptions): SdkClient;
}

/** Raised for a Task resource naming a service the sandbox has no SDK client for. */
export class UnknownSdkServiceError extends Error {
  override name = 'UnknownSdkServiceError';
}

const modules = new Map<string, Promise<SdkModule>>();

/**
 * Load the SDK client package for a Step Functions service name (`iam`, `ec2`, ...). Loaded once
 * and cached; throws `UnknownSdkServiceError` for services outside `SDK_INTEGRATION_SERVICES`.
 */
export function loadSdkModule(serviceName: string): Promise<SdkModule> {
  const service = SDK_INTEGRATION_SERVICES[serviceName.toLowerCase()];
  if (!service) {
    return Promise.reject(
      new UnknownSdkServiceError(`The sandbox has no SDK client for service '${serviceName}'`),
    );
  }
  let loaded = modules.get(service.packageName);
  if (!loaded) {
    loaded = import(service.packageName).then((exports: Record<string, unknown>) =>
      wrapModule(service, exports),
    );
    modules.set(service.packageName, loaded);
  }
  return loaded;
}

type Constructor = new (...args: unknown[]) => unknown;

function wrapModule(service: SdkIntegrationService, exports: Record<string, unknown>): SdkModule {
  const clientClass = exports[service.clientName] as Constructor | undefined;
  const baseException = exports[service.baseExceptionName] as Constructor | undefined;
  if (!clientClass)
    throw new UnknownSdkServiceError(`${service.packageName} exports no ${service.clientName}`);
  return {
    service,
    command(action) {
      const name = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
      const command = exports[name];
      return typeof command === 'function' ? (command as new (input: unknown) => unknown) : undefined;
    },
    isModelledError(error) {
      if (!baseException || !(error instanceof baseException)) return false;
      return Object.getPrototypeOf(error) !== baseException.prototype;
    },
    createClient(options) {
      return new clientClass({
        endpoint: options.endpoint,
        region: options.region ?? SANDBOX_REGION,
        credentials: options.credentials ?? SANDBOX_CREDENTIALS,
        // Step Functions makes one attempt per task try; retries are the state's Retry field.
        maxAttempts: 1,
        requestHandler: { httpAgent: sharedAgent() },
        ...service.clientConfig,
      }) as SdkClient;
    },
  };
}

/**
 * Call one API action with a fresh client against the sandbox and return the response without
 * the SDK's `$metadata`. Errors propagate as the SDK throws them.
 */
export async function callSdkAction(
  serviceName: string,
  action: string,
  parameters: Record<string, unknown>,
  options: SandboxClientOptions,
): Promise<{ output: Record<string, unknown>; metadata: { httpStatusCode?: number; requestId?: string } }> {
  const sdk = await loadSdkModule(serviceName);
  const Command = sdk.command(action);
  if (!Command) throw new UnknownSdkServiceError(`${sdk.service.packageName} has no action '${action}'`);
  const camel = sdk.service.camelCaseMembers === true;
  const nestedCamel = sdk.service.nestedCamelCaseMembers === true;
  const db = sdk.service.dbAcronymMembers === true;
  const lower = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);
  const input = camel
    ? recase(parameters, lower)
    : nestedCamel
      ? Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, recase({ v }, lower)['v']]))
      : db
        ? recase(parameters, (k) => k.replace(/^Db(?=[A-Z])/, 'DB'))
        : parameters;
  const { $metadata, ...raw } = await cachedClient(sdk, options).send(new Command(input));
  const output =
    camel || nestedCamel || sdk.service.camelCaseResultMembers === true
      ? (recase(raw, (k) => k.charAt(0).toUpperCase() + k.slice(1)) as typeof raw)
      : db
        ? (recase(raw, (k) => k.replace(/^DB(?=[A-Z])/, 'Db')) as typeof raw)
        : raw;
  return { output, metadata: ($metadata ?? {}) as { httpStatusCode?: number; requestId?: string } };
}

/** Rename every object key, at any depth (string values such as an execution's `Input` stay as they are). */
function recase(value: unknown, rename: (key: string) => string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array))
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [rename(k), walk(inner)]));
    return v;
  };
  return walk(value) as Record<string, unknown>;
}

/**
 * The connections every task client shares. Each execution signs with its own session of the
 * state machine's role, so it gets clients of its own; with an agent each, every execution opened
 * new connections that stayed open (kept alive) long after it ended: a thousand findings held
 * thousands of idle sockets on both ends. Destroying one client leaves the shared agent alone.
 */
class SharedAgent extends Agent {
  override destroy(): void {}
  close(): void {
    super.destroy();
  }
}

let agent: SharedAgent | undefined;

function sharedAgent(): SharedAgent {
  agent ??= new SharedAgent({ keepAlive: true, maxSockets: 64 });
  return agent;
}

/** Clients kept at most; the least recently used is dropped beyond (its calls in flight finish). */
const MAX_CLIENTS = 256;
const clients = new Map<string, SdkClient>();

/**
 * One client per service, endpoint, region and identity, reused across tasks: building one per
 * call dominated the cost of a task. Bounded: an execution's session signs nothing once it has
 * ended, so its clients would otherwise be held for the sandbox's whole life.
 */
function cachedClient(sdk: SdkModule, options: SandboxClientOptions): SdkClient {
  const credentials = options.credentials ?? SANDBOX_CREDENTIALS;
  const key = [
    sdk.service.packageName,
    options.endpoint,
    options.region ?? SANDBOX_REGION,
    credentials.accessKeyId,
    credentials.sessionToken ?? '',
  ].join('|');
  let client = clients.get(key);
  if (client) {
    // Most recently used last, so the oldest is the first key.
    clients.delete(key);
  } else {
    client = sdk.createClient(options);
    const oldest = clients.size >= MAX_CLIENTS ? clients.keys().next().value : undefined;
    if (oldest !== undefined) clients.delete(oldest);
  }
  clients.set(key, client);
  return client;
}

/** How many task clients are held (the bound on them is tested). */
export function heldSdkClients(): number {
  return clients.size;
}

/** Close every cached client and their shared connections (the sandbox calls this when it stops). */
export function closeSdkClients(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
  agent?.close();
  agent = undefined;
}
