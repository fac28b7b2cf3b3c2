import { matchesWildcard } from '#shared/policy/wildcard.ts';

/**
 * The request context condition keys are read from, by lower-cased key name (IAM key names
 * are case-insensitive): a single value, a multivalued key's values, or a boolean.
 */
export type ConditionContext = ReadonlyMap<string, ContextValue>;

/** One condition key's value in the request context. */
export type ContextValue = string | boolean | readonly string[];

type Compare = (contextValue: string, policyValue: string) => boolean;

/** `arn:partition:service:region:account:resource`: the resource part may hold colons. */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ArnEquals and ArnLike are the same test in IAM: part by part, `*` and `?` wildcards allowed. */
const arnLike: Compare = (value, pattern) => {
  const actual = arnParts(value);
  const wanted = arnParts(pattern);
  if (!actual || !wanted) return false;
  return wanted.every((part, i) => matchesWildcard(actual[i] ?? '', part));
};

/** The positive operators; each negated one (`StringNotEquals`...) is the negation of one of these. */
const COMPARISONS: Record<string, Compare> = {
  stringequals: (value, pattern) => value === pattern,
  stringequalsignorecase: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  stringlike: (value, pattern) => matchesWildcard(value, pattern),
  arnequals: arnLike,
  arnlike: arnLike,
  bool: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
};

const NEGATIONS: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
};

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

function asValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => String(v));
}

/** Whether one context value satisfies the operator against the policy's values. */
function valueMatches(op: Operator, contextValue: string, policyValues: readonly string[]): boolean {
  const any = policyValues.some((pattern) => op.compare(contextValue, pattern));
  // Negated operators hold when the value matches none of the policy's values.
  return op.negated ? !any : any;
}

/** One `"<operator>": { "<key>": <values> }` entry for one key. */
function keyHolds(op: Operator, contextValue: ContextValue | undefined, policyValues: string[]): boolean {
  if (contextValue === undefined) {
    // AWS: a missing key fails the condition, except with IfExists, with a negated operator
    // (nothing there matches the excluded values), and with ForAllValues (an empty set).
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
 * under it (AND), any of a key's values (OR; NOR for negated operators). Operators:
 * String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool and Null,
 * each with the `IfExists` suffix and the `ForAnyValue:`/`ForAllValues:` set qualifiers.
 * Returns `undefined` for an operator the sandbox does not know (Numeric*, Date*, IpAddress...):
 * the statement then does not apply at all, neither its Allow nor its Deny.
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
