import { describe, expect, it } from 'vitest';
import { deriveApprovalKeys } from '#shared/approvals/keys.ts';
import { hashToken, openToken, SealedTokenError, sealToken } from '#shared/approvals/sealed-token.ts';

const { seal } = deriveApprovalKeys('secret');
const token = `AQ${'x'.repeat(128)}`;

describe('sealed task tokens', () => {
  it('opens what it sealed, and the sealed form does not contain the token', () => {
    const sealed = sealToken(seal, token, 'apr-0123456789abcdef');

    expect(sealed).not.toContain(token);
    expect(openToken(seal, sealed, 'apr-0123456789abcdef', hashToken(token))).toBe(token);
  });

  it('does not open on another request, under another secret, or when tampered with', () => {
    const sealed = sealToken(seal, token, 'apr-0123456789abcdef');
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[30] = (bytes[30] ?? 0) ^ 1; // one bit of the ciphertext
    const tampered = bytes.toString('base64url');
    const attempts = [
      () => openToken(seal, sealed, 'apr-ffffffffffffffff', hashToken(token)),
      () => openToken(deriveApprovalKeys('other').seal, sealed, 'apr-0123456789abcdef', hashToken(token)),
      () => openToken(seal, tampered, 'apr-0123456789abcdef', hashToken(token)),
    ];

    for (const attempt of attempts) expect(attempt).toThrow(SealedTokenError);
  });

  it('refuses a token whose hash is not the stored one', () => {
    const sealed = sealToken(seal, token, 'apr-0123456789abcdef');

    expect(() => openToken(seal, sealed, 'apr-0123456789abcdef', hashToken('another'))).toThrow(
      /does not match/,
    );
  });
});
