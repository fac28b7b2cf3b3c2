import type { SandboxRequest } from './protocol.ts';

/**
 * The awsQuery and EC2 protocols' request parameters: a form-encoded request carrying `Action`,
 * `Version` and flattened parameters, which the model codec (`sandbox/wire/`) reads.
 */

/** Query parameters of a request, parsed once per request (the router asks for the action, then the handler for the rest). */
const parsedParams = new WeakMap<SandboxRequest, URLSearchParams>();

/**
 * The request's parameters: the form body merged over the URL query string, because the
 * protocol allows either (the SDKs POST a form; hand-written callers often use GET).
 */
export function queryParams(req: SandboxRequest): URLSearchParams {
  const cached = parsedParams.get(req);
  if (cached) return cached;
  const params = new URLSearchParams(req.query);
  for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) params.set(key, value);
  parsedParams.set(req, params);
  return params;
}
