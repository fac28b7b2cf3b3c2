import { BlockList, isIP } from 'node:net';
import { matchesWildcard } from '#shared/policy/wildcard.ts';

/**
 * The comparisons behind IAM's condition operators, one per positive operator: each negated
 * operator (`StringNotEquals`, `NumericNotEquals`, `DateNotEquals`, `NotIpAddress`,
 * `ArnNotLike`...) is the negation of one of these.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export type Compare = (contextValue: string, policyValue: string) => boolean;

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

/** A number as IAM reads one (`"10"`, `"-1.5"`); anything else compares as nothing. */
function numberOf(text: string): number | undefined {
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

/**
 * A date as IAM reads one: an ISO 8601 date or date-time (`2026-01-01`, `2026-01-01T12:00:00Z`)
 * or UNIX epoch seconds (`1767225600`), the two forms the Date operators take.
 */
function timeOf(text: string): number | undefined {
  if (/^\d+$/.test(text.trim())) return Number(text) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Compare two values read by `read`; either unreadable makes the comparison false. */
function ordered<T>(read: (text: string) => T | undefined, test: (a: T, b: T) => boolean): Compare {
  return (value, pattern) => {
    const a = read(value);
    const b = read(pattern);
    return a !== undefined && b !== undefined && test(a, b);
  };
}

/**
 * Whether an address (`203.0.113.7`, `2001:db8::1`) lies in a policy's CIDR block
 * (`203.0.113.0/24`; a bare address is its own /32 or /128). Node's `BlockList` does the
 * subnet arithmetic for both families.
 */
const inCidr: Compare = (address, cidr) => {
  const [network = '', prefixText] = cidr.trim().split('/');
  const family = isIP(network);
  if (family === 0 || isIP(address) !== family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const prefix = prefixText === undefined ? (family === 4 ? 32 : 128) : numberOf(prefixText);
  if (prefix === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
    return false;
  const block = new BlockList();
  block.addSubnet(network, prefix, type);
  return block.check(address, type);
};

/** The positive operators, by lower-cased name (operator names are case-insensitive here). */
export const COMPARISONS: Readonly<Record<string, Compare>> = {
  stringequals: (value, pattern) => value === pattern,
  stringequalsignorecase: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  stringlike: (value, pattern) => matchesWildcard(value, pattern),
  numericequals: ordered(numberOf, (a, b) => a === b),
  numericlessthan: ordered(numberOf, (a, b) => a < b),
  numericlessthanequals: ordered(numberOf, (a, b) => a <= b),
  numericgreaterthan: ordered(numberOf, (a, b) => a > b),
  numericgreaterthanequals: ordered(numberOf, (a, b) => a >= b),
  dateequals: ordered(timeOf, (a, b) => a === b),
  datelessthan: ordered(timeOf, (a, b) => a < b),
  datelessthanequals: ordered(timeOf, (a, b) => a <= b),
  dategreaterthan: ordered(timeOf, (a, b) => a > b),
  dategreaterthanequals: ordered(timeOf, (a, b) => a >= b),
  bool: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  // Both sides are base64 text: equal encodings are equal bytes.
  binaryequals: (value, pattern) => value === pattern,
  ipaddress: inCidr,
  arnequals: arnLike,
  arnlike: arnLike,
};

/** Each negated operator and the positive one it negates. */
export const NEGATIONS: Readonly<Record<string, string>> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  numericnotequals: 'numericequals',
  datenotequals: 'dateequals',
  notipaddress: 'ipaddress',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
};
