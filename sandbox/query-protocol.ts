import { XMLBuilder } from 'fast-xml-parser';
import type { SandboxRequest } from './protocol.ts';

/**
 * Helpers for the awsQuery protocol (IAM, STS, SNS): a form-encoded request carrying
 * `Action`, `Version` and flattened parameters, answered with
 * `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` XML.
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

/** A value the XML renderer accepts: nested objects become elements, arrays repeat their element. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlObject | XmlValue[];
/** An element's children by name, in document order. */
export interface XmlObject {
  [element: string]: XmlValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });

/** Query protocols send timestamps as ISO 8601 (`2024-05-01T12:00:00.000Z`). */
function withIsoDates(value: XmlValue): XmlValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(withIsoDates);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withIsoDates(v)]));
  }
  return value;
}

/** Render a fragment of XML from a plain object (dates as ISO 8601, text escaped). */
export function renderXml(value: XmlObject): string {
  return builder.build(withIsoDates(value)) as string;
}
