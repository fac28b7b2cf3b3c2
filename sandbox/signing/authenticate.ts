import { createHash } from 'node:crypto';
import { AuthenticationError } from './auth-errors.ts';
import { parseAmzDate, type SignatureClaim, type SignedRequest, signatureMatches } from './signature.ts';
import type { SigningKey, SigningKeys } from './signing-keys.ts';

/**
 * AWS refuses a signature dated more than 15 minutes from its clock ("RequestExpired: ... more
 * than 15 minutes after the date stamp on the request ... or more than 15 minutes in the future",
 * https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
 */
const MAX_SKEW_MS = 15 * 60_000;

/**
 * Authenticate a signed request as AWS does: the key must exist and be active, a temporary
 * key must come with its own session token, the signature must be the one the key's secret
 * gives this very request, the session must not have expired and the date must be fresh.
 * Resolves with the key that signed; throws `AuthenticationError` naming what failed.
 */
export async function authenticate(
  request: SignedRequest,
  claim: SignatureClaim,
  keys: SigningKeys,
  now: Date = new Date(),
): Promise<SigningKey> {
  const signedAt = parseAmzDate(claim.amzDate);
  if (!signedAt) throw new AuthenticationError('incomplete', 'X-Amz-Date is missing or malformed.');
  const key = keys.find(claim.accessKeyId);
  if (!key || key.active === false) throw new AuthenticationError('unknown-key');
  // A session token belongs to one temporary key; a long-term key carries none.
  if (claim.sessionToken !== key.sessionToken) throw new AuthenticationError('bad-token');
  if (!(await signatureMatches(request, claim, key, signedAt)) || !payloadHashHolds(request))
    throw new AuthenticationError('signature');
  if (key.expiration && key.expiration.getTime() <= now.getTime())
    throw new AuthenticationError('expired-token');
  const skew = now.getTime() - signedAt.getTime();
  const lifetime = claim.expiresSeconds === undefined ? MAX_SKEW_MS : claim.expiresSeconds * 1000;
  if (skew > lifetime || -skew > MAX_SKEW_MS) {
    throw new AuthenticationError(
      'skewed',
      `(${claim.amzDate} is more than ${lifetime / 60_000} minutes from ${now.toISOString()})`,
    );
  }
  return key;
}

/**
 * A signed `x-amz-content-sha256` stands for the body in the signature, so it must be the body's
 * hash; `UNSIGNED-PAYLOAD` and the streaming (chunk-signed) forms are not hashes and say so.
 */
function payloadHashHolds(request: SignedRequest): boolean {
  const claimed = request.headers['x-amz-content-sha256'];
  if (claimed === undefined || !/^[0-9a-f]{64}$/.test(claimed)) return true;
  return createHash('sha256').update(request.body).digest('hex') === claimed;
}
