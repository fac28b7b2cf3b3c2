/** A JSON value that is not an object or an array: what event patterns compare against. */
export type LeafValue = string | number | boolean | null;

/** A test of one leaf value of the event. */
export type LeafPredicate = (value: LeafValue) => boolean;

/** A JSON object, as parsed: not null, not an array. */
export type JsonObject = Record<string, unknown>;

/** True for JSON objects (and only them: arrays and null are not objects here). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for the JSON scalars a pattern can match: string, finite number, boolean, null. */
export function isLeafValue(value: unknown): value is LeafValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * The field `key` of `value`, when `value` is an object that owns it. Own properties only,
 * so an event never "has" `constructor` or `__proto__` through the prototype chain.
 */
export function fieldOf(value: unknown, key: string): unknown {
  return isJsonObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/**
 * Call `visit` with every leaf of an event value, descending into arrays (EventBridge matches a
 * pattern against an array field if any element matches, at any depth of nesting). Objects are
 * not leaves. Stops early and returns true as soon as `visit` does.
 */
export function someLeaf(value: unknown, visit: (leaf: LeafValue) => boolean): boolean {
  if (Array.isArray(value)) {
    for (const element of value) if (someLeaf(element, visit)) return true;
    return false;
  }
  return isLeafValue(value) && visit(value);
}

/** True when the event value holds at least one leaf (a scalar, or an array containing one). */
export function hasLeaf(value: unknown): boolean {
  return someLeaf(value, () => true);
}

/** The objects an event value holds: itself if it is one, or those inside it if it is an array. */
export function objectsIn(value: unknown, into: JsonObject[] = []): JsonObject[] {
  if (Array.isArray(value)) for (const element of value) objectsIn(element, into);
  else if (isJsonObject(value)) into.push(value);
  return into;
}
