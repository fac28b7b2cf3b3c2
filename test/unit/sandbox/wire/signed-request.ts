import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';

/** What a raw call got back: status, the error code the protocol carries, and the body. */
export interface RawAnswer {
  status: number;
  code: string | undefined;
  /** The error message, unescaped. */
  message: string;
  body: string;
}

/**
 * A correctly signed POST the SDK would refuse to send (an unknown member, a value of the wrong
 * type), so the sandbox's own validation is what answers.
 */
export async function signedPost(
  endpoint: string,
  input: { service: string; body: string; headers: Record<string, string> },
): Promise<RawAnswer> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: input.service,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, ...input.headers },
    body: input.body,
  });
  const response = await fetch(new URL('/', endpoint), {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: input.body,
  });
  const body = await response.text();
  const code = response.headers.get('x-amzn-errortype') ?? /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  const message =
    xmlMessage !== undefined
      ? xmlMessage
          .replace(/&apos;/g, "'")
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&amp;/g, '&')
      : body.startsWith('{')
        ? String((JSON.parse(body) as { message?: string }).message ?? '')
        : '';
  return { status: response.status, code: code ?? undefined, message, body };
}

/** A JSON 1.1 call to `target` with `payload` as its body. */
export function jsonCall(
  endpoint: string,
  service: string,
  target: string,
  payload: unknown,
): Promise<RawAnswer> {
  return signedPost(endpoint, {
    service,
    body: JSON.stringify(payload),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
  });
}

/** A query-protocol (or EC2) call: `params` form-encoded, as the SDKs send them. */
export function formCall(
  endpoint: string,
  service: string,
  params: Record<string, string>,
): Promise<RawAnswer> {
  return signedPost(endpoint, {
    service,
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
}

/** A REST call: `method` on `path` (percent-encoded as sent) with its query, headers and body, signed. */
export async function restCall(
  endpoint: string,
  input: {
    service: string;
    method: string;
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<RawAnswer> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: input.service,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: input.service !== 's3',
  });
  const signed = await signer.sign({
    method: input.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: input.path,
    query: input.query ?? {},
    headers: { host: url.host, ...input.headers },
    body: input.body,
  });
  const target = new URL(input.path, endpoint);
  for (const [key, value] of Object.entries(input.query ?? {})) target.searchParams.set(key, value);
  const response = await fetch(target, {
    method: input.method,
    headers: signed.headers as Record<string, string>,
    body: input.body,
  });
  const body = await response.text();
  const code = response.headers.get('x-amzn-errortype') ?? /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  const message = body.startsWith('{')
    ? String((JSON.parse(body) as { message?: string }).message ?? '')
    : (/<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '');
  return { status: response.status, code: code ?? undefined, message, body };
}
