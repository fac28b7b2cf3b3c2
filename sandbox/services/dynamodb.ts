import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import type { SandboxRequest, SandboxResponse } from '../protocol.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION } from '../server.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { DeletionProtection } from './dynamodb-deletion-protection.ts';

/** One dynalite server: the tables of one account and region. */
interface Partition {
  server: Server;
  port: number;
}

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
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private stopped = false;

  /** Start the default account and region's dynalite (others start on their first request). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.partition(SANDBOX_ACCOUNT_ID, SANDBOX_REGION);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.agent.destroy();
    const partitions = await Promise.all(this.partitions.values());
    this.partitions.clear();
    await Promise.all(
      partitions.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }

  /** Hand the request, as sent, to the dynalite of the caller's account and region. */
  private async forward(req: SandboxRequest): Promise<SandboxResponse> {
    if (this.stopped || this.partitions.size === 0) throw new Error('DynamoDB sandbox is not started');
    const { port } = await this.partition(req.accountId, req.region);
    return new Promise((resolve, reject) => {
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: req.method,
          path: req.path,
          agent: this.agent,
          headers: {
            ...req.headers,
            host: `127.0.0.1:${port}`,
            'content-length': String(req.body.length),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (typeof v === 'string' && k !== 'content-length' && k !== 'connection') headers[k] = v;
            }
            resolve({ status: res.statusCode ?? 500, headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      forward.on('error', reject);
      forward.end(req.body);
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
        server.listen(0, '127.0.0.1', () =>
          resolve({ server, port: (server.address() as AddressInfo).port }),
        );
      });
      this.partitions.set(key, partition);
    }
    return partition;
  }
}
