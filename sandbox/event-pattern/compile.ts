/*
 * EventBridge's content-filtering language, written here by hand: no maintained npm package
 * implements it (the reference implementation is the Java library aws/event-ruler), so this
 * module follows the EventBridge user guide and event-ruler's documented semantics.
 */
import { invalidPattern } from './errors.ts';
import { compileFieldValues } from './field.ts';
import { OPERATOR_NAMES } from './operators.ts';
import { fieldOf, isJsonObject, type JsonObject, objectsIn } from './values.ts';

/** A compiled event pattern: true when the event matches. */
export type EventPatternMatcher = (event: unknown) => boolean;

/** Matches the object found at one level of the event (`undefined` when there is none). */
type LevelMatcher = (level: JsonObject | undefined) => boolean;

const OR = '$or';

function allOf(checks: readonly LevelMatcher[]): LevelMatcher {
  if (checks.length === 1) return checks[0] as LevelMatcher;
  return (level) => {
    for (const check of checks) if (!check(level)) return false;
    return true;
  };
}

/**
 * A nested pattern object applies to the object under `key`. When the event holds an array of
 * objects there, the pattern must match within one element (EventBridge's array-consistent
 * matching); when it holds no object at all, only absence conditions (`exists: false`) can match.
 */
function nested(key: string, child: LevelMatcher): LevelMatcher {
  return (level) => {
    const objects = objectsIn(fieldOf(level, key));
    if (objects.length === 0) return child(undefined);
    return objects.some(child);
  };
}

function compileOr(branches: unknown): LevelMatcher {
  if (!Array.isArray(branches)) invalidPattern(`It must be an Array followed with ${OR}.`);
  if (branches.some((b) => !isJsonObject(b))) {
    invalidPattern(`Only JSON object is allowed in array of ${OR} relationship.`);
  }
  if (branches.length < 2) invalidPattern(`There must have at least 2 Objects in ${OR} relationship.`);
  const compiled = branches.map((b) => compileLevel(b as JsonObject, true));
  return (level) => compiled.some((branch) => branch(level));
}

function compileLevel(pattern: JsonObject, insideOr: boolean): LevelMatcher {
  const entries = Object.entries(pattern);
  if (entries.length === 0) invalidPattern('Empty objects are not allowed');
  const checks: LevelMatcher[] = [];
  for (const [key, value] of entries) {
    if (key === OR) {
      checks.push(compileOr(value));
      continue;
    }
    if (insideOr && OPERATOR_NAMES.has(key)) {
      invalidPattern(`${key} is a reserved keyword which cannot be used as a field name inside ${OR}.`);
    }
    if (Array.isArray(value)) {
      const field = compileFieldValues(key, value);
      checks.push((level) => field(fieldOf(level, key)));
    } else if (isJsonObject(value)) {
      checks.push(nested(key, compileLevel(value, insideOr)));
    } else {
      invalidPattern(`"${key}" must be an object or an array`);
    }
  }
  return allOf(checks);
}

/** The pattern as an object: EventBridge carries patterns as JSON text, the CDK template as objects. */
function patternObject(pattern: unknown): JsonObject {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (err) {
      invalidPattern(`Filter is not valid JSON: ${(err as Error).message}`, err);
    }
  }
  if (!isJsonObject(parsed)) invalidPattern('Filter is not an object');
  return parsed;
}

/**
 * Validate `pattern` once and return a fast matcher for it, so a rule's pattern is parsed when
 * the rule is created, not for every event. Accepts the pattern as an object or as JSON text.
 * @throws InvalidEventPatternError when the pattern is malformed.
 */
export function compilePattern(pattern: unknown): EventPatternMatcher {
  const root = compileLevel(patternObject(pattern), false);
  // An event that is not a JSON object has no fields at all.
  return (event) => root(isJsonObject(event) ? event : undefined);
}

/**
 * Check that `pattern` is a well-formed EventBridge event pattern.
 * @throws InvalidEventPatternError with EventBridge's reason when it is not.
 */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

/**
 * True when `event` matches `pattern`. Compiles the pattern on every call: for many events,
 * use {@link compilePattern} once instead.
 * @throws InvalidEventPatternError when the pattern is malformed.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(event);
}
