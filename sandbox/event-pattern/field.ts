import { invalidPattern } from './errors.ts';
import { compileAddressEquality } from './ip-address.ts';
import { compileMatchExpression } from './operators.ts';
import {
  hasLeaf,
  isJsonObject,
  isLeafValue,
  type LeafPredicate,
  type LeafValue,
  someLeaf,
} from './values.ts';

/** Decides whether one event field (its raw value, `undefined` when absent) satisfies the pattern. */
export type FieldMatcher = (value: unknown) => boolean;

/** Exact values: strings, numbers, booleans and null, each matching only its own type. */
function exactValues(values: readonly LeafValue[]): LeafPredicate | undefined {
  if (values.length === 0) return undefined;
  const exact = new Set<LeafValue>(values);
  const addresses = values
    .filter((v): v is string => typeof v === 'string')
    .map(compileAddressEquality)
    .filter((p): p is LeafPredicate => p !== undefined);
  if (addresses.length === 0) return (value) => exact.has(value);
  return (value) => exact.has(value) || addresses.some((same) => same(value));
}

/**
 * Compile the value list of one pattern field (`"state": ["running", {"prefix": "stop"}]`).
 * The entries are alternatives: the field matches when any of them does, and a field whose event
 * value is an array matches when any element does. Existence (`exists`) is decided on leaves
 * only: a field holding an object or an empty array does not "exist" as far as EventBridge goes.
 */
export function compileFieldValues(field: string, values: readonly unknown[]): FieldMatcher {
  if (values.length === 0) invalidPattern('Empty arrays are not allowed');
  const literals: LeafValue[] = [];
  const tests: LeafPredicate[] = [];
  let whenPresent = false;
  let whenAbsent = false;
  for (const entry of values) {
    if (isJsonObject(entry)) {
      const condition = compileMatchExpression(entry);
      if (condition.kind === 'test') tests.push(condition.test);
      else if (condition.present) whenPresent = true;
      else whenAbsent = true;
    } else if (isLeafValue(entry)) {
      literals.push(entry);
    } else {
      invalidPattern(`Match value of "${field}" must be String, number, true, false, or null`);
    }
  }
  const exact = exactValues(literals);
  if (exact) tests.unshift(exact);
  const anyTest: LeafPredicate | undefined =
    tests.length === 0 ? undefined : tests.length === 1 ? tests[0] : (v) => tests.some((t) => t(v));
  return (value) => {
    if (anyTest && someLeaf(value, anyTest)) return true;
    if (whenPresent || whenAbsent) return hasLeaf(value) ? whenPresent : whenAbsent;
    return false;
  };
}
