import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { type ApprovalLink, checkCsrf, checkLink, csrfToken, readLink } from '#shared/approvals/link.ts';
import { FindingSchema } from '#shared/findings/finding.ts';
import { type DecisionDeps, type DecisionOutcome, decide } from './decide.ts';
import { messagePage, reviewPage } from './page-html.ts';
import { alreadyDecidedPage, decidedPage } from './page-outcome.ts';

// No script, no framing, no referrer (the link is a credential), nothing cached.
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** A function URL response (payload format 2.0) carrying one page. */
export interface PageResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function html(statusCode: number, body: string, extraHeaders: Record<string, string> = {}): PageResponse {
  return { statusCode, headers: { ...HEADERS, ...extraHeaders }, body };
}

const FORGED = html(
  403,
  messagePage('This link is not valid', [
    'The approval link was altered or was not issued by this system. Nothing was changed.',
  ]),
);
const EXPIRED = html(
  410,
  messagePage('This link has expired', [
    'The approval request is no longer waiting for this link. Nothing was changed.',
    'If it was escalated, use the newer link or the CLI.',
  ]),
);

/**
 * The approval page behind the function URL: GET shows the request (and changes nothing, so mail
 * scanners that follow links are harmless); POST with the page's CSRF token decides.
 */
export async function servePage(event: LambdaFunctionURLEvent, deps: DecisionDeps): Promise<PageResponse> {
  const now = deps.now?.() ?? new Date();
  const method = event.requestContext.http.method;
  if (method === 'GET') return review(readLink(event.queryStringParameters ?? {}), deps, now);
  if (method !== 'POST')
    return html(405, messagePage('Method not allowed', ['Open the link in a browser.']), {
      allow: 'GET, POST',
    });
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const form = Object.fromEntries(new URLSearchParams(body));
  const link = readLink(form);
  if (!link) return FORGED;
  const linkCheck = checkLink(await deps.keys(), link, now);
  if (!linkCheck.ok) return linkCheck.problem === 'forged' ? FORGED : EXPIRED;
  const csrf = checkCsrf(await deps.keys(), link, form.csrf ?? '', now);
  if (!csrf.ok)
    return csrf.problem === 'forged'
      ? FORGED
      : html(400, messagePage('This page is stale', ['Open the link again to decide. Nothing was changed.']));
  if (form.decision !== 'approve' && form.decision !== 'deny')
    return html(400, messagePage('No decision', ['Choose Approve or Deny. Nothing was changed.']));
  const client = event.requestContext.http.sourceIp;
  const outcome = await decide(
    {
      id: link.a,
      verdict: form.decision,
      decidedBy: `approval-page (${client})`,
      reason: (form.reason ?? '').trim().slice(0, 500),
      nonce: link.n,
    },
    deps,
  );
  return outcomePage(outcome, deps);
}

async function review(link: ApprovalLink | undefined, deps: DecisionDeps, now: Date): Promise<PageResponse> {
  if (!link) return FORGED;
  const keys = await deps.keys();
  const checked = checkLink(keys, link, now);
  if (!checked.ok) return checked.problem === 'forged' ? FORGED : EXPIRED;
  const record = await deps.store.get(link.a);
  if (!record) return FORGED;
  if (record.status !== 'pending') return outcomePage({ kind: 'already-decided', record }, deps);
  if (record.nonce !== link.n) return outcomePage({ kind: 'superseded', record }, deps);
  if (Date.parse(record.expiresAt) <= now.getTime()) return EXPIRED;
  const finding = FindingSchema.parse(JSON.parse(record.finding));
  const history = await deps.store.history(record.auditPk);
  return html(200, reviewPage({ record, finding, history, link, csrf: csrfToken(keys, link, now), now }));
}

/** The page for each way a decision ends. */
export async function outcomePage(
  outcome: DecisionOutcome,
  deps: Pick<DecisionDeps, 'store'>,
): Promise<PageResponse> {
  switch (outcome.kind) {
    case 'decided':
      return html(200, decidedPage(outcome.record, outcome.status));
    case 'already-decided': {
      // What came of it is in the audit trail: the reader learns what was done, not only that
      // this click changed nothing.
      const history = await deps.store.history(outcome.record.auditPk);
      return html(409, alreadyDecidedPage(outcome.record, history));
    }
    case 'superseded':
      return html(
        410,
        messagePage('This link was replaced', [
          `Request ${outcome.record.id} was escalated and a newer link was sent. Nothing was changed.`,
        ]),
      );
    case 'expired':
      return EXPIRED;
    case 'unknown':
      return FORGED;
    case 'no-reason':
      return html(
        400,
        messagePage('A reason is required', [
          'Say why in the reason box: it is recorded in the audit trail. Nothing was changed.',
        ]),
      );
  }
}
