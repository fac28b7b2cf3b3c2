import type { NormalizedSchema } from '@smithy/core/schema';
import type { FormNode } from './form-tree.ts';
import type { InputProblem } from './input-problems.ts';

/** The parts of an HTTP request a REST operation's input is bound to. */
export interface RestRequestParts {
  /** The path labels, decoded (from the route match). */
  readonly labels: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Parse a request body into the raw value the model reader walks (JSON: the parsed object). */
export type BodyParser = (body: Buffer, schema: NormalizedSchema) => unknown;

/**
 * A text value from the HTTP message (label, query string, header) for the model reader, which
 * converts text to the member's type (number, boolean, timestamp) as it does a form value.
 */
const text = (value: string): FormNode => ({ value, children: new Map() });

/**
 * Gather a REST request's input members where the model's HTTP binding traits put them (Smithy
 * HTTP bindings, https://smithy.io/2.0/spec/http-bindings.html): `@httpLabel` from the path,
 * `@httpQuery`/`@httpQueryParams` from the query string, `@httpHeader`/`@httpPrefixHeaders` from
 * headers, `@httpPayload` as the whole body, every other member from the body document. The result
 * is read and checked by `readInput`; query parameters and headers the model does not bind are
 * ignored, as AWS ignores them, but a body member that is bound elsewhere is reported as unknown.
 */
export function restRawInput(
  input: NormalizedSchema,
  parts: RestRequestParts,
  parseBody: BodyParser,
): { raw: Record<string, unknown>; problems: InputProblem[] } {
  const raw: Record<string, unknown> = {};
  const problems: InputProblem[] = [];
  const bound = new Set<string>();
  let payloadMember: [string, NormalizedSchema] | undefined;
  let queryParamsMember: string | undefined;
  const boundQuery = new Set<string>();
  for (const [name, member] of input.structIterator()) {
    const traits = member.getMergedTraits() as Record<string, unknown>;
    if (traits.httpLabel) {
      bound.add(name);
      const value = parts.labels[name];
      if (value !== undefined) raw[name] = text(value);
    } else if (typeof traits.httpQuery === 'string') {
      bound.add(name);
      boundQuery.add(traits.httpQuery);
      const values = parts.query.getAll(traits.httpQuery);
      if (values.length > 0) raw[name] = member.isListSchema() ? values.map(text) : text(values[0] as string);
    } else if (typeof traits.httpHeader === 'string') {
      bound.add(name);
      const value = parts.headers[traits.httpHeader.toLowerCase()];
      if (value !== undefined)
        raw[name] = member.isListSchema() ? value.split(',').map((v) => text(v.trim())) : text(value);
    } else if (typeof traits.httpPrefixHeaders === 'string') {
      bound.add(name);
      const prefix = traits.httpPrefixHeaders.toLowerCase();
      const map: Record<string, FormNode> = {};
      for (const [key, value] of Object.entries(parts.headers))
        if (key.startsWith(prefix)) map[key.slice(prefix.length)] = text(value);
      if (Object.keys(map).length > 0) raw[name] = map;
    } else if (traits.httpQueryParams) {
      bound.add(name);
      queryParamsMember = name;
    } else if (traits.httpPayload) {
      bound.add(name);
      payloadMember = [name, member];
    }
  }
  if (queryParamsMember) {
    const map: Record<string, FormNode> = {};
    for (const [key, value] of parts.query) if (!boundQuery.has(key)) map[key] = text(value);
    if (Object.keys(map).length > 0) raw[queryParamsMember] = map;
  }
  if (payloadMember) {
    const [name, member] = payloadMember;
    if (parts.body.length > 0) {
      raw[name] = member.isBlobSchema()
        ? parts.body
        : member.isStringSchema()
          ? parts.body.toString('utf8')
          : parseBody(parts.body, member);
    }
    return { raw, problems };
  }
  if (parts.body.length === 0) return { raw, problems };
  const parsed = parseBody(parts.body, input);
  // An XML document arrives as the tree of its root element's children.
  const document = isFormNode(parsed) ? Object.fromEntries(parsed.children) : parsed;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    problems.push({
      kind: 'type',
      path: '',
      wireName: '(body)',
      value: String(document),
      expected: 'a structure',
    });
    return { raw, problems };
  }
  for (const [key, value] of Object.entries(document)) {
    if (bound.has(key)) problems.push({ kind: 'unknown', path: key, wireName: key });
    else raw[key] = value;
  }
  return { raw, problems };
}

function isFormNode(value: unknown): value is FormNode {
  return typeof value === 'object' && value !== null && (value as FormNode).children instanceof Map;
}
