import { createHash, randomUUID } from 'node:crypto';
import {
  AwsError,
  type PathService,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
} from '../protocol.ts';
import { conditionContext, evaluatePolicies, type PolicyPrincipal } from './iam/policy-evaluation.ts';
import type { ResourcePolicyStore } from './iam/resource-policies.ts';
import type { LambdaService } from './lambda.ts';

/** The path prefix function URLs are served under: `<endpoint>/_function-url/<url id>/...`. */
export const FUNCTION_URL_PREFIX = '/_function-url/';

/** One function URL (`AWS::Lambda::Url`). */
export interface FunctionUrlConfig {
  readonly urlId: string;
  readonly functionName: string;
  readonly accountId: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** `NONE` serves anyone; `AWS_IAM` requires a SigV4-signed request (verified by the server). */
  readonly authType: 'NONE' | 'AWS_IAM';
}

/**
 * The URL id AWS would generate (32 lowercase characters), derived from what identifies the
 * resource (its stack and logical id, and where it is deployed) so deployments are repeatable.
 */
export function functionUrlId(resourceIdentity: string): string {
  return createHash('sha256').update(resourceIdentity).digest('hex').slice(0, 32);
}

/** The sandbox address of a function URL (AWS's is `https://<url id>.lambda-url.<region>.on.aws/`). */
export function functionUrlAddress(endpoint: string, urlId: string): string {
  return `${endpoint}${FUNCTION_URL_PREFIX}${urlId}/`;
}

// Lambda passes these bodies as text; everything else arrives base64-encoded.
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/**
 * Lambda function URLs: plain HTTP requests (a browser, a mail link) turned into payload
 * format 2.0 events for the function, and its result turned back into an HTTP response,
 * following the function URL invocation rules (a result without `statusCode` is a 200 JSON body).
 * A path service, not a model one: the request is the caller's own, to the function, and no AWS
 * API model describes it (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 */
export class FunctionUrlService implements PathService {
  readonly protocol: Protocol = 'json';
  private readonly urls = new Map<string, FunctionUrlConfig>();

  constructor(
    private readonly lambda: Pick<LambdaService, 'invokeFunction'>,
    /** The functions' resource policies; without them every `NONE` URL is public. */
    private readonly policies?: Pick<ResourcePolicyStore, 'policyOf'>,
  ) {}

  /** The ARN of the function a URL id serves, if there is one. */
  functionArn(urlId: string): string | undefined {
    const config = this.urls.get(urlId);
    return config && arnOf(config);
  }

  /** Serve a function under its URL id. */
  register(config: FunctionUrlConfig): void {
    this.urls.set(config.urlId, config);
  }

  operation(): string {
    return 'InvokeFunctionUrl';
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const rest = req.path.slice(FUNCTION_URL_PREFIX.length);
    const urlId = rest.split('/')[0] ?? '';
    const config = this.urls.get(urlId);
    if (!config) throw new AwsError('ResourceNotFoundException', 'Function URL not found', 404);
    if (config.authType === 'AWS_IAM' && !req.accessKeyId) return plain(403, { Message: 'Forbidden' });
    if (config.authType === 'NONE' && this.policies && !publiclyInvocable(this.policies, config))
      return plain(403, { Message: 'Forbidden' });
    const event = toEvent(req, urlId, `/${rest.slice(urlId.length + 1)}`);
    const outcome = await this.lambda.invokeFunction(
      config.functionName,
      JSON.stringify(event),
      config.accountId,
      config.region,
    );
    if (!outcome.ok) return plain(502, { Message: 'Internal Server Error' });
    return fromResult(JSON.parse(outcome.payload || 'null'));
  }
}

function arnOf(config: FunctionUrlConfig): string {
  return `arn:aws:lambda:${config.region ?? 'us-east-1'}:${config.accountId}:function:${config.functionName}`;
}

/** Anyone on the internet, as a `NONE` function URL's caller is. */
const ANONYMOUS: PolicyPrincipal = { arn: '*', principalArn: '*', type: 'Account' };

/**
 * Whether the function's policy lets anyone invoke it through its URL. With AuthType NONE, Lambda
 * authenticates no one, but the function's resource-based policy "is always in effect and must
 * grant public access": `lambda:InvokeFunctionUrl` (with `lambda:FunctionUrlAuthType` NONE) and,
 * for function URLs created since October 2025, `lambda:InvokeFunction` (with
 * `lambda:InvokedViaFunctionUrl`). https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
function publiclyInvocable(
  policies: Pick<ResourcePolicyStore, 'policyOf'>,
  config: FunctionUrlConfig,
): boolean {
  const resource = arnOf(config);
  const document = policies.policyOf(resource)?.document;
  if (!document) return false;
  const context = conditionContext(ANONYMOUS, undefined, {
    'lambda:FunctionUrlAuthType': 'NONE',
    'lambda:InvokedViaFunctionUrl': 'true',
  });
  return ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'].every(
    (action) => evaluatePolicies([document], { action, resource, context, principal: ANONYMOUS }) === 'Allow',
  );
}

function toEvent(req: SandboxRequest, urlId: string, rawPath: string): Record<string, unknown> {
  const query = Object.fromEntries([...req.query.keys()].map((k) => [k, req.query.getAll(k).join(',')]));
  const text = TEXT_TYPES.test(req.headers['content-type'] ?? '') || req.body.length === 0;
  const now = new Date();
  const cookies = req.headers.cookie?.split(/;\s*/).filter(Boolean);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: req.query.toString(),
    ...(cookies?.length ? { cookies } : {}),
    headers: req.headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName: req.headers.host ?? '127.0.0.1',
      domainPrefix: urlId,
      http: {
        method: req.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: req.headers['x-forwarded-for']?.split(',')[0]?.trim() ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length ? { body: text ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
    isBase64Encoded: !text,
  };
}

function fromResult(result: unknown): SandboxResponse {
  const shaped = result as { statusCode?: unknown } | null;
  if (shaped === null || typeof shaped !== 'object' || typeof shaped.statusCode !== 'number') {
    return plain(200, result);
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
    cookies?: string[];
  };
  const headers: Record<string, string> = { ...r.headers };
  if (r.cookies?.length) headers['set-cookie'] = r.cookies.join(', ');
  const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  return { status: r.statusCode, headers, body };
}

function plain(status: number, body: unknown): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
