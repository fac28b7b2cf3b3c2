import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ApprovalKeys } from './keys.ts';

/** The query of an approval link: which request, which wait, until when, and the signature. */
export interface ApprovalLink {
  /** Approval id. */
  readonly a: string;
  /** The request's nonce for the current wait. */
  readonly n: string;
  /** Expiry, epoch seconds. */
  readonly e: string;
  /** HMAC-SHA256 (base64url) of the three above. */
  readonly s: string;
}

/** Why a link or form was refused; each shows its own page. */
export type LinkCheck = { ok: true } | { ok: false; problem: 'forged' | 'expired' };

function mac(key: Buffer, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\n')).digest('base64url');
}

function sameMac(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sign a link to the approval page. The task token is never part of it. */
export function signLink(keys: ApprovalKeys, id: string, nonce: string, expiresAt: Date): ApprovalLink {
  const e = String(Math.floor(expiresAt.getTime() / 1000));
  return { a: id, n: nonce, e, s: mac(keys.link, 'link', id, nonce, e) };
}

/** The full URL of a signed link on the approval page. */
export function linkUrl(pageUrl: string, link: ApprovalLink): string {
  const url = new URL(pageUrl);
  for (const [key, value] of Object.entries(link)) url.searchParams.set(key, value);
  return url.toString();
}

/** Read a link from query or form parameters; undefined when a member is missing. */
export function readLink(params: Readonly<Record<string, string | undefined>>): ApprovalLink | undefined {
  const { a, n, e, s } = params;
  if (!a || !n || !e || !s) return undefined;
  return { a, n, e, s };
}

/** Check a link's signature first (a forged link learns nothing about expiry), then its expiry. */
export function checkLink(keys: ApprovalKeys, link: ApprovalLink, now: Date): LinkCheck {
  if (!sameMac(mac(keys.link, 'link', link.a, link.n, link.e), link.s))
    return { ok: false, problem: 'forged' };
  if (Number(link.e) * 1000 <= now.getTime()) return { ok: false, problem: 'expired' };
  return { ok: true };
}

/** How long a rendered form stays usable: long enough to read the page, short enough to go stale. */
export const CSRF_LIFETIME_SECONDS = 30 * 60;

/**
 * The CSRF token of the page's form: bound to the request and its current wait, and issued at a
 * time, so the decision needs a page rendered by us shortly before (a mail scanner following the
 * link with GET decides nothing, and a form from an older wait is refused).
 */
export function csrfToken(keys: ApprovalKeys, link: ApprovalLink, issuedAt: Date): string {
  const t = String(Math.floor(issuedAt.getTime() / 1000));
  return `${t}.${mac(keys.csrf, 'csrf', link.a, link.n, t)}`;
}

/** Check a CSRF token for this link: ours, for this wait, and not older than its lifetime. */
export function checkCsrf(keys: ApprovalKeys, link: ApprovalLink, token: string, now: Date): LinkCheck {
  const [t = '', given = ''] = token.split('.');
  if (!/^\d+$/.test(t) || !sameMac(mac(keys.csrf, 'csrf', link.a, link.n, t), given))
    return { ok: false, problem: 'forged' };
  const age = now.getTime() / 1000 - Number(t);
  if (age > CSRF_LIFETIME_SECONDS || age < -60) return { ok: false, problem: 'expired' };
  return { ok: true };
}
