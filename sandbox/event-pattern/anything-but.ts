import { invalidPattern } from './errors.ts';
import { equalsIgnoringCase, prefixOf, stringOrStrings, suffixOf, wildcardOf } from './strings.ts';
import { isJsonObject, type LeafPredicate } from './values.ts';

function excludedValues(operand: unknown): LeafPredicate {
  if (typeof operand === 'string') return (value) => value === operand;
  if (typeof operand === 'number' && Number.isFinite(operand)) return (value) => value === operand;
  if (Array.isArray(operand)) {
    const allStrings = operand.length > 0 && operand.every((v) => typeof v === 'string');
    const allNumbers =
      operand.length > 0 && operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (operand.some((v) => v === null || typeof v === 'boolean' || typeof v === 'object')) {
      invalidPattern('Inside anything but list, start|null|boolean is not supported.');
    }
    if (!allStrings && !allNumbers) {
      invalidPattern(
        'Inside anything but list, either all values are number or string, mixed type is not supported',
      );
    }
    // A Set compares with SameValueZero: "5" and 5 stay distinct, as in EventBridge.
    const excluded = new Set<unknown>(operand);
    return (value) => excluded.has(value);
  }
  return invalidPattern('Value of anything-but must be an array or single string/number value.');
}

function excludedByOperator(operand: Record<string, unknown>): LeafPredicate {
  const keys = Object.keys(operand);
  if (keys.length !== 1) invalidPattern('Only one key allowed in match expression');
  const operator = keys[0] as string;
  const value = operand[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') invalidPattern('prefix/suffix match pattern must be a string');
      if (value === '') invalidPattern('Null prefix/suffix not allowed');
      return operator === 'prefix' ? prefixOf(value) : suffixOf(value);
    }
    case 'wildcard':
      return wildcardOf(stringOrStrings('anything-but/wildcard', value));
    case 'equals-ignore-case':
      return equalsIgnoringCase(stringOrStrings('anything-but/equals-ignore-case', value));
    default:
      return invalidPattern(`Unsupported anything-but pattern: ${operator}`);
  }
}

/**
 * `anything-but`: true for every value the operand does not exclude. EventBridge assumes an
 * anything-but matched unless the value is proven excluded, so values of another type match
 * (`{"anything-but": 5}` matches `"5"` and `null`). The field itself must still be present:
 * an absent field has no value to compare.
 */
export function compileAnythingBut(operand: unknown): LeafPredicate {
  const excluded = isJsonObject(operand) ? excludedByOperator(operand) : excludedValues(operand);
  return (value) => !excluded(value);
}
