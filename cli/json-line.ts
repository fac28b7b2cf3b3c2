import { jsonText } from '#shared/text/display.ts';

/**
 * Fields the trail and the approval records keep as JSON text (DynamoDB strings, hashed as they
 * are): `--json` output gives them as the JSON values they hold, so `jq .finding.resource` works.
 */
const EMBEDDED_JSON = new Set(['finding', 'before', 'after', 'details', 'plan']);

function parsed(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text; // Not JSON after all: kept as written.
  }
}

/** `value` with every {@link EMBEDDED_JSON} string field, at any depth, replaced by the value it encodes. */
export function expandEmbeddedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expandEmbeddedJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      typeof v === 'string' && EMBEDDED_JSON.has(key) ? parsed(v) : expandEmbeddedJson(v),
    ]),
  );
}

/**
 * One line of `--json` output: one object, on one line, nested values as JSON (never JSON in a
 * string), characters a terminal would act on escaped (see {@link jsonText}).
 */
export function jsonLine(value: unknown): string {
  return jsonText(expandEmbeddedJson(value));
}
