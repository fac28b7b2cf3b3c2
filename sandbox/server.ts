import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults.ts';
import { Organizations } from './organizations.ts';
import {
  AwsError,
  newRequestId,
  type Protocol,
  renderError,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from './protocol.ts';

/** The account the sandbox pretends to be, unless an access key maps to another. */
export const SANDBOX_ACCOUNT_ID = '111122223333';
export const SANDBOX_REGION = 'us-east-1';

/** One observed API call, kept so tests and benchmarks can see what reached "AWS". */
export interface CallRecord {
  at: number;
  service: string;
  operation: string;
  status: number;
  accountId: string;
  region: string;
  /**
   * Who signed the call, as GetCallerIdentity names it (a role session's
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`); set once an authorizer is installed.
   */
  principalArn?: string;
}

/** Decides, before a service sees a request, whether the one who signed it may make it. */
export interface RequestAuthorizer {
  /** Who signed `req` (for the call log), if anyone. */
  callerArn(req: SandboxRequest): string | undefined;
  /** Throw the service's access-denied `AwsError` when the signer may not call `operation`. */
  authorize(req: SandboxRequest, operation: string, protocol: Protocol): void;
}

export interface SandboxServerOptions {
  /** Port to listen on; 0 picks a free one. Default 4566. */
  port?: number;
  host?: string;
}

const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/**
 * The single local endpoint. Routes each request by the service name in its SigV4 credential
 * scope (the way every AWS client addresses a service when all share one endpoint), applies
 * injected faults, and renders AWS errors in the protocol the service speaks.
 * Signatures are parsed, not verified: the sandbox holds no secrets worth protecting.
 */
export class SandboxServer {
  readonly faults = new FaultInjector();
  /** Which organization each account belongs to (`aws:PrincipalOrgID`). */
  readonly organizations = new Organizations();
  readonly calls: CallRecord[] = [];
  /** Checks each signed request against its signer's policies (STS and IAM provide it). */
  authorizer?: RequestAuthorizer;
  private readonly services = new Map<string, SandboxService>();
  private readonly pathServices: { prefix: string; service: SandboxService }[] = [];
  private readonly accountByKey = new Map<string, string>();
  private server?: Server;
  private listeners: ((call: CallRecord, req: SandboxRequest) => void)[] = [];

  register(service: SandboxService): void {
    for (const name of service.signingNames) this.services.set(name, service);
  }

  /**
   * Serve unsigned requests whose path starts with `prefix` (function URLs, the approval page):
   * browsers and mail links do not sign with SigV4.
   */
  registerPath(prefix: string, service: SandboxService): void {
    this.pathServices.push({ prefix, service });
  }

  /** Requests signed with this access key act in `accountId` (multi-account tests). */
  mapAccessKey(accessKeyId: string, accountId: string): void {
    this.accountByKey.set(accessKeyId, accountId);
  }

  /** Be told about every call as it is answered. Returns an unsubscribe function. */
  onCall(listener: (call: CallRecord, req: SandboxRequest) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  async listen(options: SandboxServerOptions = {}): Promise<string> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Route one decoded request; used by the HTTP front and directly by in-process callers. */
  async dispatch(req: SandboxRequest): Promise<SandboxResponse> {
    const service =
      this.services.get(req.service) ?? this.pathServices.find((p) => req.path.startsWith(p.prefix))?.service;
    if (!service) {
      return renderError(
        'json',
        new AwsError('UnknownService', `The sandbox does not serve '${req.service}'`, 400),
        req.requestId,
      );
    }
    let operation = 'Unknown';
    let response: SandboxResponse;
    try {
      operation = service.operation(req);
      this.authorizer?.authorize(req, operation, service.protocol);
      const fault = await this.faults.check(req.service, operation, req.body.toString('utf8'));
      if (fault) throw fault;
      response = await service.handle(req, operation);
    } catch (err) {
      const awsError =
        err instanceof AwsError
          ? err
          : new AwsError('InternalFailure', (err as Error)?.message ?? String(err), 500);
      response = renderError(service.protocol, awsError, req.requestId);
    }
    const call: CallRecord = {
      at: performance.now(),
      service: req.service,
      operation,
      status: response.status,
      accountId: req.accountId,
      region: req.region,
    };
    const principalArn = this.authorizer?.callerArn(req);
    if (principalArn) call.principalArn = principalArn;
    this.calls.push(call);
    for (const listener of this.listeners) listener(call, req);
    return response;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    }
    const scope = CREDENTIAL_SCOPE.exec(headers.authorization ?? '') ?? undefined;
    const accessKeyId = scope?.[1];
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      service: scope?.[4] ?? inferServiceFromPath(url.pathname),
      region: scope?.[3] ?? SANDBOX_REGION,
      accountId: (accessKeyId && this.accountByKey.get(accessKeyId)) || SANDBOX_ACCOUNT_ID,
      accessKeyId,
      requestId: newRequestId(),
    };
    const response = await this.dispatch(request);
    res.statusCode = response.status;
    for (const [k, v] of Object.entries(response.headers ?? {})) res.setHeader(k, v);
    if (!response.headers?.['x-amzn-requestid']) res.setHeader('x-amzn-requestid', request.requestId);
    res.end(response.body ?? '');
  }
}

/** Unsigned requests (health checks, the approval page) are routed by path. */
function inferServiceFromPath(path: string): string {
  if (path.startsWith('/_sandbox')) return 'sandbox';
  return 'unsigned';
}
