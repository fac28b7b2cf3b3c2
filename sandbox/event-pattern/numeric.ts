import { invalidPattern } from './errors.ts';
import type { LeafPredicate } from './values.ts';

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

function operand(operator: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    invalidPattern(`Value of ${operator} must be numeric`);
  return value;
}

function bound(operator: string, limit: number): (n: number) => boolean {
  switch (operator) {
    case '>':
      return (n) => n > limit;
    case '>=':
      return (n) => n >= limit;
    case '<':
      return (n) => n < limit;
    default:
      return (n) => n <= limit;
  }
}

/**
 * A `numeric` match: `["=", x]`, one bound (`[">", x]`, `["<=", y]`, ...) or a range written
 * lower bound first (`[">", 0, "<=", 5]`), which is the only order EventBridge accepts. Only JSON
 * numbers match; the string `"5"` is not a number. Comparison is by value, so `3.0e2` equals `300`.
 */
export function compileNumeric(expression: unknown): LeafPredicate {
  if (!Array.isArray(expression)) invalidPattern('Value of numeric must be an array.');
  const [operator, first, upper, second, ...rest] = expression as unknown[];
  if (typeof operator !== 'string')
    invalidPattern(`Invalid member in numeric match: ${JSON.stringify(operator)}`);
  let test: (n: number) => boolean;
  if (operator === '=') {
    const target = operand(operator, first);
    if (expression.length > 2) invalidPattern('Too many elements in numeric expression');
    test = (n) => n === target;
  } else if (UPPER_BOUNDS.has(operator)) {
    test = bound(operator, operand(operator, first));
    if (expression.length > 2) invalidPattern('Too many elements in numeric expression');
  } else if (LOWER_BOUNDS.has(operator)) {
    const bottom = operand(operator, first);
    const lower = bound(operator, bottom);
    if (expression.length === 2) {
      test = lower;
    } else {
      if (typeof upper !== 'string') invalidPattern(`Bad value in numeric range: ${JSON.stringify(upper)}`);
      if (!UPPER_BOUNDS.has(upper)) invalidPattern(`Bad numeric range operator: ${upper}`);
      const top = operand(upper, second);
      if (rest.length > 0) invalidPattern('Too many terms in numeric range expression');
      if (!(bottom < top)) invalidPattern('Bottom must be less than top');
      const upperTest = bound(upper, top);
      test = (n) => lower(n) && upperTest(n);
    }
  } else {
    invalidPattern(`Unrecognized numeric range operator: ${operator}`);
  }
  return (value) => typeof value === 'number' && test(value);
}
