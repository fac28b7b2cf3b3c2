import { describe, expect, it } from 'vitest';
import { deriveApprovalKeys } from '#shared/approvals/keys.ts';
import {
  CSRF_LIFETIME_SECONDS,
  checkCsrf,
  checkLink,
  csrfToken,
  linkUrl,
  readLink,
  signLink,
} from '#shared/approvals/link.ts';

const keys = deriveApprovalKeys('a-64-character-secret-from-secrets-manager-for-the-approval-links');
const otherKeys = deriveApprovalKeys('another-secret');
const now = new Date('2025-06-01T12:00:00Z');
const inAnHour = new Date('2025-06-01T13:00:00Z');

describe('approval links', () => {
  it('accepts a link it signed, read back from its URL', () => {
    const link = signLink(keys, 'apr-0123456789abcdef', 'nonce-1', inAnHour);

    const url = new URL(linkUrl('https://abc.lambda-url.us-east-1.on.aws/', link));
    const read = readLink(Object.fromEntries(url.searchParams));

    expect(read).toEqual(link);
    expect(checkLink(keys, read!, now)).toEqual({ ok: true });
  });

  it.each([
    ['another approval id', { a: 'apr-ffffffffffffffff' }],
    ['another nonce (an older wait)', { n: 'nonce-2' }],
    ['a later expiry', { e: String(Number(signLink(keys, 'x', 'y', inAnHour).e) + 3600) }],
    ['a changed signature', { s: 'AAAA' }],
  ])('calls a link with %s forged', (_what, change) => {
    const link = { ...signLink(keys, 'apr-0123456789abcdef', 'nonce-1', inAnHour), ...change };

    expect(checkLink(keys, link, now)).toEqual({ ok: false, problem: 'forged' });
  });

  it('calls a link signed with another secret forged', () => {
    const link = signLink(otherKeys, 'apr-0123456789abcdef', 'nonce-1', inAnHour);

    expect(checkLink(keys, link, now)).toEqual({ ok: false, problem: 'forged' });
  });

  it('calls a correctly signed link past its expiry expired', () => {
    const link = signLink(keys, 'apr-0123456789abcdef', 'nonce-1', now);

    expect(checkLink(keys, link, now)).toEqual({ ok: false, problem: 'expired' });
  });

  it('reads no link when a member is missing', () => {
    expect(readLink({ a: 'apr-0123456789abcdef', n: 'x', e: '1' })).toBeUndefined();
  });
});

describe('CSRF tokens of the approval form', () => {
  const link = signLink(keys, 'apr-0123456789abcdef', 'nonce-1', inAnHour);

  it('accepts the token of a page rendered for this link', () => {
    expect(checkCsrf(keys, link, csrfToken(keys, link, now), now)).toEqual({ ok: true });
  });

  it('refuses a token of another wait, another key purpose, or made up', () => {
    const olderWait = csrfToken(keys, { ...link, n: 'nonce-0' }, now);
    const [t] = csrfToken(keys, link, now).split('.');
    const linkSignatureAsToken = `${t}.${link.s}`;

    for (const token of [olderWait, linkSignatureAsToken, 'garbage', '']) {
      expect(checkCsrf(keys, link, token, now)).toEqual({ ok: false, problem: 'forged' });
    }
  });

  it('goes stale after its lifetime', () => {
    const token = csrfToken(keys, link, now);
    const later = new Date(now.getTime() + (CSRF_LIFETIME_SECONDS + 1) * 1000);

    expect(checkCsrf(keys, link, token, later)).toEqual({ ok: false, problem: 'expired' });
  });
});
