import type { SandboxRequest } from '../../protocol.ts';

/**
 * Small readers of a raw request's parameters, for deciding which resources it names before any
 * service parses it: form fields (query and EC2 protocols), the JSON body (JSON 1.0/1.1), and the
 * path (REST protocols). A request these cannot read names nothing; its service refuses it later.
 */

/** The form fields of a query-protocol request: the body when form-encoded, else the query string. */
export function formFields(req: SandboxRequest): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(req.body.toString('utf8'))
    : req.query;
}

/** Every value of a query-protocol list member (`InstanceId.1`, `InstanceId.2`, or bare `InstanceId`). */
export function formList(fields: URLSearchParams, name: string): string[] {
  const values: string[] = [];
  for (const [key, value] of fields) {
    if (key === name || new RegExp(`^${name}\\.\\d+$`).test(key)) values.push(value);
  }
  return values;
}

/** The JSON body of a JSON-protocol request as an object; `{}` when it is empty or not JSON. */
export function jsonFields(req: SandboxRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(req.body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // The service answers SerializationException for this request; it names no resource.
    return {};
  }
}

/** A string member of a JSON body, if it is one. */
export function jsonString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The decoded segments of the request path (`/2015-03-31/functions/f/invocations` → 4 segments). */
export function pathSegments(req: SandboxRequest): string[] {
  return req.path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}
