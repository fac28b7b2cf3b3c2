import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SandboxCredentials } from '../credentials.ts';

/** What a SigV4 signature says about itself, from the Authorization header or a presigned URL. */
export interface SignatureClaim {
  readonly accessKeyId: string;
  /** The credential scope: date (`YYYYMMDD`), region and signing name. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-case names of the headers the signer signed, in the signer's order. */
  readonly signedHeaders: readonly string[];
  /** Hex signature as sent. */
  readonly signature: string;
  /** `X-Amz-Date`, `YYYYMMDDTHHMMSSZ`; undefined when missing. */
  readonly amzDate?: string;
  /** The session token sent with the request (header or query), if any. */
  readonly sessionToken?: string;
  /** Seconds a presigned URL stays valid (`X-Amz-Expires`); undefined for a signed header. */
  readonly expiresSeconds?: number;
}

/** The request as it arrived, byte for byte where SigV4 looks. */
export interface SignedRequest {
  readonly method: string;
  /** The path exactly as sent (percent-encoding intact), without the query. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
/** Query parameters a presigned URL carries for its own signature (the signer sets them again). */
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
];

/**
 * Read the signature of a request: `undefined` when it carries none, `'incomplete'` when it
 * carries one that cannot be read. SigV4's two forms are the Authorization header and the
 * presigned URL's query parameters:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function readSignature(
  headers: Readonly<Record<string, string>>,
  query: URLSearchParams,
): SignatureClaim | 'incomplete' | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) return 'incomplete';
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM.length).split(',')) {
      const [name, ...value] = part.trim().split('=');
      if (name) fields.set(name, value.join('='));
    }
    return claim(
      fields.get('Credential'),
      fields.get('SignedHeaders'),
      fields.get('Signature'),
      headers['x-amz-date'],
      headers['x-amz-security-token'],
    );
  }
  if (!query.has('X-Amz-Signature')) return undefined;
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return 'incomplete';
  const expires = Number(query.get('X-Amz-Expires'));
  const read = claim(
    query.get('X-Amz-Credential') ?? undefined,
    query.get('X-Amz-SignedHeaders') ?? undefined,
    query.get('X-Amz-Signature') ?? undefined,
    query.get('X-Amz-Date') ?? undefined,
    query.get('X-Amz-Security-Token') ?? undefined,
  );
  // A presigned URL lives at most seven days.
  if (read === 'incomplete' || !Number.isInteger(expires) || expires < 1 || expires > 604_800)
    return 'incomplete';
  return { ...read, expiresSeconds: expires };
}

function claim(
  credential: string | undefined,
  signedHeaders: string | undefined,
  signature: string | undefined,
  amzDate: string | undefined,
  sessionToken: string | undefined,
): SignatureClaim | 'incomplete' {
  const scope = CREDENTIAL.exec(credential ?? '');
  if (!scope || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return 'incomplete';
  return {
    accessKeyId: scope[1] as string,
    scopeDate: scope[2] as string,
    region: scope[3] as string,
    service: scope[4] as string,
    signedHeaders: signedHeaders.toLowerCase().split(';'),
    signature,
    amzDate,
    sessionToken,
  };
}

/** `20250102T030405Z` → the instant; undefined when malformed. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  return new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
}

/** Derived signing keys held at most (each is 32 bytes; a day's keys of every live session fit). */
const MAX_SIGNING_KEYS = 10_000;
const signingKeys = new Map<string, Uint8Array>();

/**
 * The SigV4 signing key of a secret for one day, region and service: HMAC-SHA256 of "AWS4" +
 * secret over the date, then the region, the service and "aws4_request"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
 * "Calculate the signature"). It depends on nothing else, so it is derived once per
 * (secret, date, region, service), as the AWS SDKs cache it, and not four HMACs again on every
 * request. The cache holds no decision: whether the key may sign at all (it exists, is active,
 * its session has not expired) is checked on every request before the signature is compared.
 */
export function derivedSigningKey(
  secret: string,
  shortDate: string,
  region: string,
  service: string,
): Uint8Array {
  const id = `${shortDate}/${region}/${service}/${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = [shortDate, region, service, 'aws4_request'].reduce<Uint8Array>(
      (k, part) => createHmac('sha256', k).update(part).digest(),
      Buffer.from(`AWS4${secret}`, 'utf8'),
    );
    if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.delete(signingKeys.keys().next().value as string);
    signingKeys.set(id, key);
  }
  return key;
}

/**
 * The SDK's signer, its signing key taken from {@link derivedSigningKey}. `getSigningKey` is the
 * signer's own hook for the key (private in its typings, a plain method at run time); everything
 * else (canonical request, string to sign, the signature itself) is the SDK's.
 */
function verifyingSigner(options: ConstructorParameters<typeof SignatureV4>[0]): SignatureV4 {
  const signer = new SignatureV4(options);
  (signer as unknown as { getSigningKey: unknown }).getSigningKey = async (
    credentials: { secretAccessKey: string },
    region: string,
    shortDate: string,
    service?: string,
  ): Promise<Uint8Array> =>
    derivedSigningKey(credentials.secretAccessKey, shortDate, region, service ?? options.service);
  return signer;
}

/**
 * Whether `claim.signature` is the signature `credentials` give `request`. The signature is
 * computed again by the AWS SDK's own signer (`@smithy/signature-v4`), over exactly the headers
 * the client says it signed, with the client's date and credential scope, and compared in
 * constant time.
 */
export async function signatureMatches(
  request: SignedRequest,
  claim: SignatureClaim,
  credentials: Pick<SandboxCredentials, 'accessKeyId' | 'secretAccessKey'>,
  signingDate: Date,
): Promise<boolean> {
  const signedHeaders = new Set(claim.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    if (claim.expiresSeconds !== undefined && PRESIGN_PARAMS.includes(name)) continue;
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = verifyingSigner({
    service: claim.service,
    region: claim.region,
    // The session token, if any, is one of the signed headers (or query parameters) already:
    // the signer is given only the key id and secret so it adds nothing of its own.
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs the path as sent; every other service signs it percent-encoded once more.
    uriEscapePath: claim.service !== 's3',
    applyChecksum: false,
  });
  const [hostname, port] = (request.headers.host ?? '').split(':');
  const toSign = {
    method: request.method,
    protocol: 'http:',
    hostname: hostname ?? '',
    port: port ? Number(port) : undefined,
    path: request.rawPath,
    query,
    headers,
    body: request.body,
  };
  const options = { signingDate, signingRegion: claim.region, signingService: claim.service };
  let computed: string | undefined;
  if (claim.expiresSeconds === undefined) {
    const signed = await signer.sign(toSign, { ...options, signableHeaders: signedHeaders });
    computed = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1];
  } else {
    // A presigned S3 URL signs the literal UNSIGNED-PAYLOAD in place of the body's hash.
    if (claim.service === 's3' && headers['x-amz-content-sha256'] === undefined)
      toSign.headers = { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const presigned = await signer.presign(toSign, {
      ...options,
      expiresIn: claim.expiresSeconds,
      signableHeaders: signedHeaders,
      unsignableHeaders: signedHeaders.has('x-amz-content-sha256')
        ? undefined
        : new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set([...signedHeaders, 'x-amz-content-sha256']),
    });
    computed = presigned.query?.['X-Amz-Signature'] as string | undefined;
  }
  return computed !== undefined && constantTimeEqual(computed, claim.signature);
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
