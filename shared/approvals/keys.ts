import { hkdfSync } from 'node:crypto';

/** The three keys derived from the one approval secret, each used for one purpose only. */
export interface ApprovalKeys {
  /** HMAC-SHA256 key of the approval links. */
  readonly link: Buffer;
  /** HMAC-SHA256 key of the CSRF tokens of the approval page's form. */
  readonly csrf: Buffer;
  /** AES-256-GCM key that seals the raw task token in the approvals table. */
  readonly seal: Buffer;
}

/**
 * Derive purpose-bound keys from the secret kept in Secrets Manager (HKDF-SHA256), so a value
 * computed for one purpose (a link signature) can never be replayed as another (a CSRF token).
 */
export function deriveApprovalKeys(secret: string): ApprovalKeys {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', secret, 'auto-remediation/approvals', purpose, 32));
  return { link: derive('link'), csrf: derive('csrf'), seal: derive('seal') };
}
