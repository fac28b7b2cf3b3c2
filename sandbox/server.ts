import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_CREDENTIALS, type SandboxCredentials } from './credentials.ts';
import { FaultInjector } from './faults.ts';
import { Organizations } from './organizations.ts';
import {
  AwsError,
  newRequestId,
  type PathService,
  type Protocol,
  renderError,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from './protocol.ts';
import { isS3ControlRequest } from './services/s3-control.ts';
import { AuthenticationError, authError } from './signing/auth-errors.ts';
import { authenticate } from './signing/authenticate.ts';
import { readSignature, type SignatureClaim } from './signing/signature.ts';
import { isSigningKeySource, SigningKeys } from './signing/signing-keys.ts';

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
  authorize(req: SandboxRequest, operation: string, protocol: Protocol): void | Promise<void>;
}

export interface SandboxServerOptions {
  /** Port to listen on; 0 picks a free one. Default 4566. */
  port?: number;
  host?: string;
}

/**
 * The single local endpoint. Routes each request by the service name in its SigV4 credential
 * scope (the way every AWS client addresses a service when all share one endpoint), verifies its
 * signature as AWS does (see {@link authenticate}), applies injected faults, and renders AWS
 * errors in the protocol the service speaks. Only paths registered with {@link registerPath}
 * (function URLs) are served unsigned.
 */
export class SandboxServer {
  readonly faults = new FaultInjector();
  /** Which organization each account belongs to (`aws:PrincipalOrgID`). */
  readonly organizations = new Organizations();
  readonly calls: CallRecord[] = [];
  /**
   * Every key requests may be signed with, and its secret: the default credentials, keys added
   * with {@link addAccessKey}, and those of every registered service that issues keys (IAM, STS).
   */
  readonly signingKeys = new SigningKeys();
  /** Checks each signed request against its signer's policies (STS and IAM provide it). */
  authorizer?: RequestAuthorizer;
  private readonly services = new Map<string, SandboxService>();
  private readonly pathServices: { prefix: string; service: PathService }[] = [];
  private server?: Server;
  private listeners: ((call: CallRecord, req: SandboxRequest, response: SandboxResponse) => void)[] = [];

  constructor() {
    this.addAccessKey(SANDBOX_CREDENTIALS, SANDBOX_ACCOUNT_ID);
  }

  register(service: SandboxService): void {
    for (const name of service.signingNames) this.services.set(name, service);
    if (isSigningKeySource(service)) this.signingKeys.addSource(service);
  }

  /**
   * Serve unsigned requests whose path starts with `prefix` (function URLs, the approval page):
   * browsers and mail links do not sign with SigV4.
   */
  registerPath(prefix: string, service: PathService): void {
    this.pathServices.push({ prefix, service });
  }

  /** Accept requests signed with `credentials`; they act in `accountId` (another account's key). */
  addAccessKey(credentials: SandboxCredentials, accountId: string): void {
    this.signingKeys.add({ ...credentials, accountId });
  }

  /** Be told about every call as it is answered (and the answer). Returns an unsubscribe function. */
  onCall(listener: (call: CallRecord, req: SandboxRequest, response: SandboxResponse) => void): () => void {
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

  /**
   * Serve one decoded request: authenticate its signature (`claim`, read from the request), then
   * authorize, inject faults and hand it to its service. A request without a signature is served
   * only on a path registered with {@link registerPath}.
   */
  async dispatch(req: SandboxRequest, claim?: SignatureClaim | 'incomplete'): Promise<SandboxResponse> {
    // S3 Control signs with S3's name; it is told apart by how its model addresses the account.
    if (req.service === 's3' && isS3ControlRequest(req)) req.service = 's3-control';
    const pathService = this.pathServices.find((p) => req.path.startsWith(p.prefix))?.service;
    const apiService = pathService ? undefined : this.services.get(req.service);
    const service = pathService ?? apiService;
    if (!service) {
      if (!claim || claim === 'incomplete') {
        const failure = claim ? 'incomplete' : 'missing';
        return renderError(guessProtocol(req), authError(guessProtocol(req), failure), req.requestId);
      }
      return renderError(
        'json',
        new AwsError('UnknownService', `The sandbox does not serve '${req.service}'`, 400),
        req.requestId,
      );
    }
    let operation = 'Unknown';
    let response: SandboxResponse;
    try {
      operation = await service.operation(req);
      await this.verifySigner(req, claim, pathService !== undefined);
      await apiService?.decode(req, operation);
      await this.authorizer?.authorize(req, operation, service.protocol);
      const fault = await this.faults.check(req.service, operation, req.body.toString('utf8'));
      if (fault) throw fault;
      response = await service.handle(req, operation);
    } catch (err) {
      const awsError =
        err instanceof AwsError
          ? err
          : err instanceof AuthenticationError
            ? authError(service.protocol, err.failure, err.detail)
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
    const principalArn = req.signingKey ? this.authorizer?.callerArn(req) : undefined;
    if (principalArn) call.principalArn = principalArn;
    this.calls.push(call);
    for (const listener of this.listeners) listener(call, req, response);
    return response;
  }

  /**
   * Verify the request's signature and, once verified, let it act as its key: in the key's
   * account, with the key at hand for services acting on the caller's behalf.
   */
  private async verifySigner(
    req: SandboxRequest,
    claim: SignatureClaim | 'incomplete' | undefined,
    unsignedAllowed: boolean,
  ): Promise<void> {
    if (claim === undefined) {
      if (unsignedAllowed) return;
      throw new AuthenticationError('missing');
    }
    if (claim === 'incomplete') throw new AuthenticationError('incomplete');
    const key = await authenticate(
      {
        method: req.method,
        rawPath: req.rawPath ?? req.path,
        query: req.query,
        headers: req.headers,
        body: req.body,
      },
      claim,
      this.signingKeys,
    );
    req.accountId = key.accountId;
    req.signingKey = key;
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
    const claim = readSignature(headers, url.searchParams);
    const signed = typeof claim === 'object' ? claim : undefined;
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      rawPath: (req.url ?? '/').split('?')[0],
      query: url.searchParams,
      headers,
      body,
      service: signed?.service ?? 'unsigned',
      region: signed?.region ?? SANDBOX_REGION,
      // The key's own account once its signature is verified.
      accountId: SANDBOX_ACCOUNT_ID,
      accessKeyId: signed?.accessKeyId,
      requestId: newRequestId(),
    };
    const response = await this.dispatch(request, claim);
    res.statusCode = response.status;
    for (const [k, v] of Object.entries(response.headers ?? {})) res.setHeader(k, v);
    if (!response.headers?.['x-amzn-requestid']) res.setHeader('x-amzn-requestid', request.requestId);
    res.end(response.body ?? '');
  }
}

/**
 * The protocol of a request that names no service (it carries no readable signature), from
 * the marks each protocol leaves: `X-Amz-Target` (JSON), an `Action` parameter (query; EC2 by
 * its API version), a dated REST path (Lambda), else S3's REST/XML.
 */
function guessProtocol(req: SandboxRequest): Protocol {
  if (req.headers['x-amz-target']) return 'json';
  const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(req.body.toString('utf8'))
    : req.query;
  if (form.has('Action')) return form.get('Version') === '2016-11-15' ? 'ec2' : 'query';
  if (/^\/\d{4}-\d{2}-\d{2}\//.test(req.path)) return 'rest-json';
  return 'rest-xml';
}
