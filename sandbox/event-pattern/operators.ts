import { compileAnythingBut } from './anything-but.ts';
import { invalidPattern } from './errors.ts';
import { compileCidr } from './ip-address.ts';
import { compileNumeric } from './numeric.ts';
import {
  affixOperand,
  equalsIgnoringCase,
  prefixOf,
  stringOperand,
  suffixOf,
  wildcardOf,
} from './strings.ts';
import type { JsonObject, LeafPredicate } from './values.ts';

/** The operator names of EventBridge content filtering; none may be a field name inside `$or`. */
export const OPERATOR_NAMES: ReadonlySet<string> = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
]);

/**
 * One compiled match expression: either a test on each leaf value of the field, or an
 * existence test on the field as a whole (`exists` is about presence, not values).
 */
export type MatchCondition = { kind: 'test'; test: LeafPredicate } | { kind: 'exists'; present: boolean };

/** Compile one `{ "<operator>": <operand> }` object from a pattern's value list. */
export function compileMatchExpression(expression: JsonObject): MatchCondition {
  const keys = Object.keys(expression);
  if (keys.length === 0) invalidPattern('Match expression name not found');
  if (keys.length > 1) invalidPattern('Only one key allowed in match expression');
  const operator = keys[0] as string;
  const operand = expression[operator];
  const test = (predicate: LeafPredicate): MatchCondition => ({ kind: 'test', test: predicate });
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') invalidPattern('exists match pattern must be either true or false.');
      return { kind: 'exists', present: operand };
    case 'prefix': {
      const { text, ignoreCase } = affixOperand('prefix', operand);
      return test(prefixOf(text, ignoreCase));
    }
    case 'suffix': {
      const { text, ignoreCase } = affixOperand('suffix', operand);
      return test(suffixOf(text, ignoreCase));
    }
    case 'equals-ignore-case':
      return test(equalsIgnoringCase([stringOperand('equals-ignore-case', operand)]));
    case 'wildcard':
      return test(wildcardOf([stringOperand('wildcard', operand)]));
    case 'anything-but':
      return test(compileAnythingBut(operand));
    case 'numeric':
      return test(compileNumeric(operand));
    case 'cidr':
      return test(compileCidr(operand));
    default:
      return invalidPattern(`Unrecognized match type ${operator}`);
  }
}
