import { randomUUID } from 'node:crypto';
import type { SigningKey } from './signing/signing-keys.ts';

/**
 * The wire protocols the sandbox speaks, as AWS names them in the service models.
 * - `query`: IAM, STS, SNS, Auto Scaling, ELBv2 (form-encoded request, XML response, `<ErrorResponse>`)
 * - `ec2`: EC2 (form-encoded request, XML response, `<Response><Errors>`)
 * - `json`: JSON 1.0/1.1 with `X-Amz-Target` (Step Functions, EventBridge, CloudTrail, DynamoDB)
 * - `rest-json`: Lambda
 * - `rest-xml`: S3
 */
export type Protocol = 'query' | 'ec2' | 'json' | 'rest-json' | 'rest-xml';

/** One decoded HTTP request, routed to a service by its SigV4 credential scope. */
export interface SandboxRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The path exactly as sent, percent-encoding intact (what SigV4 signs). @default path */
  rawPath?: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  /** Signing name from the credential scope: `iam`, `ec2`, `states`, `events`, ... */
  service: string;
  region: string;
  /** The account the caller's access key belongs to (the sandbox's default account unless mapped). */
  accountId: string;
  /** The access key id that signed the request, if any. */
  accessKeyId?: string;
  /**
   * The key whose signature the server verified, secret included: a service that goes on acting
   * for the caller (Step Functions running an execution's tasks) signs with it.
   */
  signingKey?: SigningKey;
  requestId: string;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** An AWS error as the wire carries it; rendered per protocol by the router. */
export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    /** The AWS error code, e.g. `NoSuchEntity`, `InvalidInstanceID.NotFound`. */
    readonly code: string,
    message: string,
    /** HTTP status. */
    readonly status = 400,
    /** `Sender` or `Receiver` for query protocols. */
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

/**
 * An HTTP endpoint the sandbox serves on a path, unsigned, that is no AWS API and so has no API
 * model: a Lambda function URL (the caller's own HTTP request, handed to the function as a
 * payload format 2.0 event) and the sandbox's own views. Registered with `registerPath`.
 */
export interface PathService {
  /** The protocol its errors are rendered in. */
  readonly protocol: Protocol;
  /** The operation name of a request, for fault injection and logs (`InvokeFunctionUrl`). */
  operation(req: SandboxRequest): string | Promise<string>;
  /** Serve a request. Throw `AwsError` for errors; they are rendered by the router. */
  handle(req: SandboxRequest, operation: string): Promise<SandboxResponse>;
}

/**
 * An AWS API the sandbox serves, one module in `sandbox/services/` each. Every one reads its
 * requests from the service's API model (`ModelService` in `sandbox/wire/`): there is no service
 * without a model-driven decoder.
 */
export interface SandboxService extends PathService {
  /** Signing names this service answers to (usually one). */
  readonly signingNames: readonly string[];
  /**
   * Read and check the request against the operation's model before it is authorized; a
   * malformed request is refused with the protocol's validation error.
   */
  decode(req: SandboxRequest, operation: string): Promise<void>;
}

export function newRequestId(): string {
  return randomUUID();
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Render an error in the shape the given protocol's clients parse. */
export function renderError(protocol: Protocol, err: AwsError, requestId: string): SandboxResponse {
  switch (protocol) {
    case 'query':
      return {
        status: err.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${err.type}</Type><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'ec2':
      return {
        status: err.status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      };
    case 'rest-xml':
      return {
        status: err.status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
    case 'json':
    case 'rest-json':
      return {
        status: err.status,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': err.code,
          'x-amzn-requestid': requestId,
        },
        body: JSON.stringify({ __type: err.code, message: err.message, Message: err.message }),
      };
  }
}
