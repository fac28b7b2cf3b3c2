import { XMLBuilder } from 'fast-xml-parser';
import { AwsError, type SandboxRequest, type SandboxResponse } from './protocol.ts';
import { type Page, pageOf } from './wire/pagination.ts';

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

/** The `Action` parameter: the operation name of an awsQuery request. */
export function queryAction(req: SandboxRequest): string {
  return queryParams(req).get('Action') ?? 'Unknown';
}

/**
 * A required parameter. Missing values answer as AWS does, with a `ValidationError` that
 * names the member in lower camel case.
 */
export function requiredParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** A list of scalars: `Prefix.member.1`, `Prefix.member.2`, ... (in index order). */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  return indexedEntries(params, `${prefix}.member.`)
    .filter(([, rest]) => rest === '')
    .map(([, , value]) => value);
}

/** A list of structures: `Prefix.member.N.Field=value` gives `[{ Field: value }, ...]`. */
export function queryStructList(params: URLSearchParams, prefix: string): Record<string, string>[] {
  return groupByIndex(indexedEntries(params, `${prefix}.member.`));
}

/** A map: `Prefix.entry.N.<keyName>` / `Prefix.entry.N.<valueName>...`, values as their flattened fields. */
export function queryMap(
  params: URLSearchParams,
  prefix: string,
  keyName = 'key',
  valueName = 'value',
): Map<string, Record<string, string>> {
  const result = new Map<string, Record<string, string>>();
  for (const entry of groupByIndex(indexedEntries(params, `${prefix}.entry.`))) {
    const key = entry[keyName];
    if (key === undefined) continue;
    const value: Record<string, string> = {};
    for (const [field, fieldValue] of Object.entries(entry)) {
      if (field === valueName) value[''] = fieldValue;
      else if (field.startsWith(`${valueName}.`)) value[field.slice(valueName.length + 1)] = fieldValue;
    }
    result.set(key, value);
  }
  return result;
}

/** An AWS tag as the query protocols carry it. */
export interface Tag {
  Key: string;
  Value: string;
}

/** Tags given as `Tags.member.N.Key` / `Tags.member.N.Value`. */
export function queryTags(params: URLSearchParams, prefix = 'Tags'): Tag[] {
  return queryStructList(params, prefix).map((t) => {
    if (t.Key === undefined) throw new AwsError('ValidationError', `A tag in ${prefix} has no Key`);
    return { Key: t.Key, Value: t.Value ?? '' };
  });
}

export type { Page } from './wire/pagination.ts';

/** How a listing names its paging parameters. */
export interface PagingStyle {
  /** The parameter carrying the marker from the previous page. @default 'Marker' */
  markerParam?: string;
  /** The parameter carrying the page size, or `null` for a fixed page size. @default 'MaxItems' */
  maxItemsParam?: string | null;
}

/**
 * Slice `items` by the request's marker and page size (default 100, as IAM documents and
 * as SNS uses for its fixed pages). Markers are opaque to callers.
 */
export function paginate<T>(items: readonly T[], params: URLSearchParams, style: PagingStyle = {}): Page<T> {
  const markerParam = style.markerParam ?? 'Marker';
  const maxItemsParam = style.maxItemsParam === undefined ? 'MaxItems' : style.maxItemsParam;
  const maxItems = Number((maxItemsParam && params.get(maxItemsParam)) || 100);
  return pageOf(items, {
    marker: params.get(markerParam) ?? undefined,
    maxItems,
    markerName: markerParam,
    maxItemsName: maxItemsParam ?? undefined,
  });
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

/** A list in the query protocols' encoding: `<member>` elements. */
export function members(items: readonly XmlValue[]): XmlObject {
  return { member: [...items] };
}

/**
 * The plain value of a result built with {@link members}: each `{ member: [...] }` becomes its
 * list, so the model's serializer can write it (operations written before the model path).
 */
export function unwrapMemberLists(value: XmlObject): Record<string, unknown> {
  const unwrap = (v: XmlValue): unknown => {
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === 'member') {
        const items = v.member;
        return Array.isArray(items) ? items.map(unwrap) : [unwrap(items)];
      }
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, unwrap(inner)]));
    }
    return v;
  };
  return unwrap(value) as Record<string, unknown>;
}

/**
 * A successful awsQuery response. Operations without output still answer with the
 * `<ActionResponse>` envelope and its `ResponseMetadata`, which is all the clients read.
 */
export function renderQueryResponse(options: {
  action: string;
  xmlns: string;
  requestId: string;
  result?: XmlObject;
}): SandboxResponse {
  const { action, xmlns, requestId, result } = options;
  const body: XmlObject = {};
  if (result) body[`${action}Result`] = result;
  body.ResponseMetadata = { RequestId: requestId };
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${xmlns}">${renderXml(body)}</${action}Response>`,
  };
}

/** `[index, rest-of-key, value]` for each parameter under `prefix` + `N`. */
function indexedEntries(params: URLSearchParams, prefix: string): [number, string, string][] {
  const entries: [number, string, string][] = [];
  for (const [key, value] of params) {
    if (!key.startsWith(prefix)) continue;
    const match = /^(\d+)(?:\.(.+))?$/.exec(key.slice(prefix.length));
    if (!match) continue;
    entries.push([Number(match[1]), match[2] ?? '', value]);
  }
  return entries.sort((a, b) => a[0] - b[0]);
}

function groupByIndex(entries: [number, string, string][]): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [index, field, value] of entries) {
    const item = byIndex.get(index) ?? {};
    item[field] = value;
    byIndex.set(index, item);
  }
  return [...byIndex.values()];
}
