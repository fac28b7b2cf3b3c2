import { COMPARISONS, type Compare, NEGATIONS } from './condition-operators.ts';

/**
 * The request context condition keys are read from, by lower-cased key name (IAM key names
 * are case-insensitive): a single value, a multivalued key's values, or a boolean.
 */
export type ConditionContext = ReadonlyMap<string, ContextValue>;

/** One condition key's value in the request context. */
export type ContextValue = string | boolean | readonly string[];

/** How one operator of a `Condition` block is to be applied. */
interface Operator {
  compare: Compare;
  negated: boolean;
  ifExists: boolean;
  set?: 'forallvalues' | 'foranyvalue';
}

function parseOperator(name: string): Operator | undefined {
  let rest = name.toLowerCase();
  let set: Operator['set'];
  const qualifier = /^(forallvalues|foranyvalue):/.exec(rest);
  if (qualifier) {
    set = qualifier[1] as Operator['set'];
    rest = rest.slice(qualifier[0].length);
  }
  const ifExists = rest.endsWith('ifexists');
  if (ifExists) rest = rest.slice(0, -'ifexists'.length);
  const positive = NEGATIONS[rest] ?? rest;
  const compare = COMPARISONS[positive];
  return compare && { compare, negated: positive !== rest, ifExists, set };
}

/**
 * Whether IAM knows the condition operator `name` (`StringEquals`, `DateLessThanIfExists`,
 * `ForAnyValue:StringLike`, `Null`...), as it checks when a policy is stored.
 */
export function isConditionOperator(name: string): boolean {
  return name.toLowerCase() === 'null' || parseOperator(name) !== undefined;
}

function asValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => String(v));
}

/** Whether one context value satisfies the operator against the policy's values. */
function valueMatches(op: Operator, contextValue: string, policyValues: readonly string[]): boolean {
  const any = policyValues.some((pattern) => op.compare(contextValue, pattern));
  // Several policy values are ORed; for a negated operator NORed: it holds when none matches.
  return op.negated ? !any : any;
}

/** One `"<operator>": { "<key>": <values> }` entry for one key. */
function keyHolds(op: Operator, contextValue: ContextValue | undefined, policyValues: string[]): boolean {
  if (contextValue === undefined) {
    // A key missing from the request context fails the condition, except with ...IfExists,
    // with a negated operator (StringNotLike, NotIpAddress...: nothing there matches the
    // excluded values), and with ForAllValues (every value of an empty set matches).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    if (op.set === 'foranyvalue') return false;
    return op.ifExists || op.negated || op.set === 'forallvalues';
  }
  const values = typeof contextValue === 'boolean' ? [String(contextValue)] : asValues(contextValue);
  if (op.set === 'forallvalues') return values.every((v) => valueMatches(op, v, policyValues));
  if (op.set === 'foranyvalue') return values.some((v) => valueMatches(op, v, policyValues));
  // A single-valued operator on a multivalued key: any of its values will do.
  return values.some((v) => valueMatches(op, v, policyValues));
}

/**
 * Whether a statement's `Condition` block holds for the request: every operator, every key
 * under it (AND), any of a key's values (OR; NOR for negated operators). Every operator family
 * IAM documents: String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*
 * and Null, each (Null aside) with the `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:`
 * set qualifiers. Returns `undefined` for an operator IAM does not know (IAM refuses to store
 * such a policy; see `checkPolicyDocument`): the statement then does not apply at all.
 */
export function conditionsHold(condition: unknown, context: ConditionContext): boolean | undefined {
  if (condition === undefined || condition === null) return true;
  if (typeof condition !== 'object') return undefined;
  for (const [operatorName, keys] of Object.entries(condition as Record<string, unknown>)) {
    if (!keys || typeof keys !== 'object') return undefined;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      const contextValue = context.get(key.toLowerCase());
      if (operatorName.toLowerCase() === 'null') {
        // Null: "true" asks for the key to be absent, "false" for it to be present.
        const wantsAbsent = asValues(values).some((v) => v.toLowerCase() === 'true');
        if (wantsAbsent !== (contextValue === undefined)) return false;
        continue;
      }
      const op = parseOperator(operatorName);
      if (!op) return undefined;
      if (!keyHolds(op, contextValue, asValues(values))) return false;
    }
  }
  return true;
}
