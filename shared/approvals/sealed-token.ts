import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { RemediationError } from '#shared/errors.ts';

/** A sealed task token that does not open: tampered with, or sealed under another secret. */
export class SealedTokenError extends RemediationError {
  override name = 'SealedTokenError';
}

/** SHA-256 (hex) of a task token: what the approvals table keeps to identify it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Seal a task token with AES-256-GCM: `base64url(iv | tag | ciphertext)`. The approval id is the
 * associated data, so a sealed token copied onto another request does not open there.
 */
export function sealToken(key: Buffer, token: string, approvalId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(approvalId));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Open a sealed token and check it against the stored hash. */
export function openToken(key: Buffer, sealed: string, approvalId: string, expectedHash: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  let token: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(approvalId));
    decipher.setAuthTag(raw.subarray(12, 28));
    token = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SealedTokenError(`the task token of ${approvalId} does not open`, { cause: error });
  }
  if (hashToken(token) !== expectedHash)
    throw new SealedTokenError(`the task token of ${approvalId} does not match its hash`);
  return token;
}
