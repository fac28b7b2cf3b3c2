import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import type { SandboxRequest, SandboxResponse, SandboxService } from '../protocol.ts';

/**
 * DynamoDB, served by dynalite (a DynamoDB API server on an in-memory LevelDB): requests that
 * arrive at the sandbox endpoint are forwarded unchanged, so tables behave as DynamoDB's own
 * API does, conditional writes and error codes included.
 */
export class DynamoDbService implements SandboxService {
  readonly signingNames = ['dynamodb'] as const;
  readonly protocol = 'json' as const;
  private server?: Server;
  private port = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  /** Start dynalite on a free loopback port. */
  async start(): Promise<void> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  operation(req: SandboxRequest): string {
    return (req.headers['x-amz-target'] ?? '').split('.').pop() || 'Unknown';
  }

  handle(req: SandboxRequest): Promise<SandboxResponse> {
    if (!this.server) throw new Error('DynamoDB sandbox is not started');
    return new Promise((resolve, reject) => {
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: this.port,
          method: req.method,
          path: req.path,
          agent: this.agent,
          headers: {
            ...req.headers,
            host: `127.0.0.1:${this.port}`,
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
}
