import { invalidPattern } from './errors.ts';
import type { LeafPredicate } from './values.ts';
import { compileWildcard } from './wildcard.ts';

/**
 * The string operators. Each matches string values only: EventBridge compares a pattern string
 * with the JSON text of the value (quotes included), so a number or `null` never has a prefix.
 */

const fold = (text: string): string => text.toLowerCase();

/** `prefix`: the value starts with `prefix` (optionally ignoring case). */
export function prefixOf(prefix: string, ignoreCase = false): LeafPredicate {
  if (!ignoreCase) return (value) => typeof value === 'string' && value.startsWith(prefix);
  const folded = fold(prefix);
  return (value) => typeof value === 'string' && fold(value).startsWith(folded);
}

/** `suffix`: the value ends with `suffix` (optionally ignoring case). */
export function suffixOf(suffix: string, ignoreCase = false): LeafPredicate {
  if (!ignoreCase) return (value) => typeof value === 'string' && value.endsWith(suffix);
  const folded = fold(suffix);
  return (value) => typeof value === 'string' && fold(value).endsWith(folded);
}

/** `equals-ignore-case`: the value equals one of `texts`, case aside. */
export function equalsIgnoringCase(texts: readonly string[]): LeafPredicate {
  const folded = new Set(texts.map(fold));
  return (value) => typeof value === 'string' && folded.has(fold(value));
}

/** `wildcard`: the value matches one of the wildcard `patterns`. */
export function wildcardOf(patterns: readonly string[]): LeafPredicate {
  const expressions = patterns.map(compileWildcard);
  return (value) => typeof value === 'string' && expressions.some((re) => re.test(value));
}

/** A required string operand, or the EventBridge-style complaint about it. */
export function stringOperand(operator: string, value: unknown): string {
  if (typeof value !== 'string') invalidPattern(`${operator} match pattern must be a string`);
  return value;
}

/** A string, or a non-empty list of strings (as `anything-but` sub-operators accept). */
export function stringOrStrings(operator: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
    return value as string[];
  }
  return invalidPattern(`${operator} match pattern must be a string or a non-empty list of strings`);
}

/**
 * The operand of `prefix` / `suffix`: a string, or `{ "equals-ignore-case": "..." }`.
 * Returns the text and whether case is ignored.
 */
export function affixOperand(operator: string, value: unknown): { text: string; ignoreCase: boolean } {
  if (typeof value === 'string') return { text: value, ignoreCase: false };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      invalidPattern(`Unsupported ${operator} pattern: ${keys.join(', ') || '{}'}`);
    }
    const text = stringOperand(`${operator}/equals-ignore-case`, (value as Record<string, unknown>)[keys[0]]);
    return { text, ignoreCase: true };
  }
  return invalidPattern(`${operator} match pattern must be a string`);
}
