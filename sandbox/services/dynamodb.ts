import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { SandboxRequest, SandboxResponse } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { dynalite } from './dynalite-store.ts';
import { DeletionProtection } from './dynamodb-deletion-protection.ts';

/** One dynalite server: the tables of one account and region. */
interface Partition {
  server: Server;
  /** dynalite's request handler, called in this process (see {@link DynamoDbService.forward}). */
  handler: DynaliteHandler;
}

/** The part of an HTTP request and response dynalite's handler reads and writes. */
type DynaliteHandler = (
  request: EventEmitter & { method: string; url: string; headers: Record<string, string> },
  response: {
    statusCode: number;
    setHeader(name: string, value: string | number): void;
    end(body?: string): void;
  },
) => void;

/** The operations dynalite implements (`node_modules/dynalite/actions/`). */
const DYNALITE_OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'ListTagsOfResource',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'UpdateItem',
  'UpdateTable',
] as const;

/**
 * DynamoDB, served by dynalite (a DynamoDB API server on an in-memory LevelDB): requests are
 * checked against the SDK's DynamoDB model like every other service's, then forwarded unchanged,
 * so tables behave as DynamoDB's own API does, conditional writes and error codes included.
 * Tables belong to an account and a region, as in AWS: each account and region gets its own
 * dynalite, started on first use, so ListTables and every table name are per account and region.
 */
export class DynamoDbService extends ModelService {
  readonly signingNames = ['dynamodb'] as const;
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-dynamodb', 'DynamoDBClient');
  /** Tables' deletion protection, which dynalite does not keep. */
  readonly deletionProtection = new DeletionProtection((req) => this.forward(req));
  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    ...Object.fromEntries(
      DYNALITE_OPERATIONS.map((name) => [name, (req: SandboxRequest) => this.forward(req)]),
    ),
    CreateTable: (req) => this.deletionProtection.createTable(req),
    UpdateTable: (req) => this.deletionProtection.updateTable(req),
    DescribeTable: (req) => this.deletionProtection.describeTable(req),
    DeleteTable: (req) => this.deletionProtection.deleteTable(req),
  };
  private readonly partitions = new Map<string, Promise<Partition>>();
  private stopped = false;

  /** Start the default account and region's dynalite (others start on their first request). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.partition(SANDBOX_ACCOUNT_ID, SANDBOX_REGION);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const partitions = await Promise.all(this.partitions.values());
    this.partitions.clear();
    await Promise.all(
      partitions.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  /**
   * Hand the request, as sent, to the dynalite of the caller's account and region. It is given
   * to dynalite's own request handler in this process, not sent over a second HTTP connection:
   * the handler reads only the method, URL, headers and body, and answers through `statusCode`,
   * `setHeader` and `end`, so the answer is the one it would send on the wire. Over HTTP, this
   * second round trip was a third of the work of every DynamoDB call.
   */
  private async forward(req: SandboxRequest): Promise<SandboxResponse> {
    if (this.stopped || this.partitions.size === 0) throw new Error('DynamoDB sandbox is not started');
    const { handler } = await this.partition(req.accountId, req.region);
    return new Promise((resolve, reject) => {
      const request = Object.assign(new EventEmitter(), {
        method: req.method,
        url: `${req.path}${req.query.size > 0 ? `?${req.query}` : ''}`,
        headers: { ...req.headers, 'content-length': String(req.body.length) },
      });
      const headers: Record<string, string> = {};
      const response = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader(name: string, value: string | number) {
          // What the HTTP connection carried but not the answer: the length and the transfer framing.
          const header = name.toLowerCase();
          if (header !== 'content-length' && header !== 'transfer-encoding') headers[header] = String(value);
        },
        end(body?: string) {
          resolve({ status: response.statusCode, headers, body: Buffer.from(body ?? '', 'utf8') });
        },
      };
      try {
        handler(request, response);
        if (req.body.length > 0) request.emit('data', req.body);
        request.emit('end');
      } catch (err) {
        reject(err);
      }
    });
  }

  /** The dynalite of `accountId` in `region`, started once. */
  private partition(accountId: string, region: string): Promise<Partition> {
    const key = `${accountId}/${region}`;
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = new Promise<Partition>((resolve, reject) => {
        const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
        server.once('error', reject);
        const handler = server.listeners('request')[0] as DynaliteHandler | undefined;
        if (!handler) return reject(new Error('dynalite registered no request handler'));
        // Listening is what dynalite's close expects (it closes its store after the server); no
        // request reaches it over the network.
        server.listen(0, '127.0.0.1', () => resolve({ server, handler }));
      });
      this.partitions.set(key, partition);
    }
    return partition;
  }
}
