import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * Proof of the caller's IAM identity: an STS GetCallerIdentity request the caller signed with
 * their own credentials but did not send. The decision function sends it; STS answers with the
 * caller's ARN only if the signature is good. The signed header {@link APPROVAL_HEADER} binds the
 * proof to one approval and one decision, so it cannot be reused for another.
 */
export const IdentityProofSchema = z.object({
  url: z.string().check(z.url()),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});
export type IdentityProof = z.infer<typeof IdentityProofSchema>;

/** The signed header naming what the proof is for: `<approval id>:<approve|deny>`. */
export const APPROVAL_HEADER = 'x-remediation-approval';
/** The only request body a proof may carry. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
/** STS rejects signatures older than 15 minutes; ours must be fresher than that anyway. */
const MAX_AGE_MS = 15 * 60_000;

/** The proof is malformed, for another approval, stale, or STS did not accept it. */
export class IdentityProofError extends RemediationError {
  override name = 'IdentityProofError';
}

/** The STS endpoints a proof may be sent to: AWS's own, or the configured one (the sandbox). */
export function allowedStsEndpoint(url: string, configured: string | undefined): boolean {
  const { origin, pathname, search } = new URL(url);
  if (pathname !== '/' || search !== '') return false;
  if (configured) return origin === new URL(configured).origin;
  return /^https:\/\/sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(origin);
}

/**
 * Check a proof and send it to STS; resolves with the caller's ARN.
 * `configuredEndpoint` is where STS is when not AWS (`AWS_ENDPOINT_URL`), `purpose` what the
 * proof must be bound to.
 */
export async function verifyIdentityProof(
  proof: IdentityProof,
  purpose: string,
  options: { configuredEndpoint?: string; now: Date },
): Promise<string> {
  const headers = Object.fromEntries(Object.entries(proof.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (!allowedStsEndpoint(proof.url, options.configuredEndpoint))
    throw new IdentityProofError(`the proof is addressed to ${proof.url}, which is not STS`);
  if (proof.body !== GET_CALLER_IDENTITY_BODY)
    throw new IdentityProofError('the proof is not a GetCallerIdentity request');
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(headers.authorization ?? '')?.[1]?.split(';') ?? [];
  if (!signedHeaders.includes(APPROVAL_HEADER) || headers[APPROVAL_HEADER] !== purpose)
    throw new IdentityProofError(`the proof is not signed for ${purpose}`);
  const signedAt = parseAmzDate(headers['x-amz-date'] ?? '');
  if (signedAt === undefined || Math.abs(options.now.getTime() - signedAt) > MAX_AGE_MS)
    throw new IdentityProofError('the proof is stale: sign a new one');
  const response = await fetch(proof.url, { method: 'POST', headers, body: proof.body });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!response.ok || !arn) {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(response.status);
    throw new IdentityProofError(`STS did not accept the proof: ${code}`);
  }
  return arn;
}

/** `20250102T030405Z` → epoch milliseconds. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
