/** Malformed patterns and the reason EventBridge gives (a fragment of it). */
export const invalidCases: { name: string; pattern: unknown; reason: RegExp }[] = [
  { name: 'not an object', pattern: ['aws.ec2'], reason: /Filter is not an object/ },
  { name: 'JSON text that does not parse', pattern: '{"source": [', reason: /not valid JSON/ },
  {
    name: 'scalar field value',
    pattern: { source: 'aws.ec2' },
    reason: /"source" must be an object or an array/,
  },
  { name: 'empty pattern', pattern: {}, reason: /Empty objects are not allowed/ },
  { name: 'empty nested object', pattern: { detail: {} }, reason: /Empty objects are not allowed/ },
  { name: 'empty value list', pattern: { source: [] }, reason: /Empty arrays are not allowed/ },
  {
    name: 'nested array in a value list',
    pattern: { source: [['a']] },
    reason: /must be String, number, true, false, or null/,
  },
  {
    name: 'unknown operator',
    pattern: { source: [{ startsWith: 'aws' }] },
    reason: /Unrecognized match type startsWith/,
  },
  {
    name: 'two operators in one expression',
    pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
    reason: /Only one key allowed/,
  },
  { name: 'empty match expression', pattern: { source: [{}] }, reason: /Match expression name not found/ },
  {
    name: 'prefix of a number',
    pattern: { source: [{ prefix: 5 }] },
    reason: /prefix match pattern must be a string/,
  },
  {
    name: 'exists with a string',
    pattern: { source: [{ exists: 'true' }] },
    reason: /exists match pattern must be either true or false/,
  },
  {
    name: 'numeric not a list',
    pattern: { n: [{ numeric: '>5' }] },
    reason: /Value of numeric must be an array/,
  },
  {
    name: 'numeric unknown operator',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    reason: /Unrecognized numeric range operator: !=/,
  },
  {
    name: 'numeric string operand',
    pattern: { n: [{ numeric: ['>', '5'] }] },
    reason: /Value of > must be numeric/,
  },
  {
    name: 'numeric upper bound first',
    pattern: { n: [{ numeric: ['<', 10, '>', 0] }] },
    reason: /Too many elements/,
  },
  {
    name: 'numeric empty range',
    pattern: { n: [{ numeric: ['>', 10, '<', 5] }] },
    reason: /Bottom must be less than top/,
  },
  {
    name: 'numeric = with a range',
    pattern: { n: [{ numeric: ['=', 1, '<', 5] }] },
    reason: /Too many elements/,
  },
  {
    name: 'anything-but mixed list',
    pattern: { s: [{ 'anything-but': ['a', 1] }] },
    reason: /mixed type is not supported/,
  },
  {
    name: 'anything-but null',
    pattern: { s: [{ 'anything-but': [null] }] },
    reason: /null\|boolean is not supported/,
  },
  {
    name: 'anything-but empty prefix',
    pattern: { s: [{ 'anything-but': { prefix: '' } }] },
    reason: /Null prefix\/suffix not allowed/,
  },
  {
    name: 'anything-but unknown operator',
    pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    reason: /Unsupported anything-but pattern: numeric/,
  },
  {
    name: 'anything-but boolean',
    pattern: { s: [{ 'anything-but': true }] },
    reason: /must be an array or single string\/number value/,
  },
  { name: 'cidr without a prefix length', pattern: { ip: [{ cidr: '10.0.0.1' }] }, reason: /Malformed CIDR/ },
  {
    name: 'cidr prefix length too long',
    pattern: { ip: [{ cidr: '10.0.0.0/33' }] },
    reason: /Malformed CIDR/,
  },
  {
    name: 'cidr that is not an address',
    pattern: { ip: [{ cidr: 'example.com/8' }] },
    reason: /Malformed CIDR/,
  },
  {
    name: 'consecutive wildcards',
    pattern: { k: [{ wildcard: 'a**b' }] },
    reason: /Consecutive wildcard characters at pos 2/,
  },
  {
    name: 'wildcard with a bad escape',
    pattern: { k: [{ wildcard: 'a\\d' }] },
    reason: /Invalid escape character at pos 1/,
  },
  { name: '$or that is not a list', pattern: { $or: { a: ['x'] } }, reason: /It must be an Array/ },
  { name: '$or with one branch', pattern: { $or: [{ a: ['x'] }] }, reason: /at least 2 Objects/ },
  {
    name: '$or with a scalar branch',
    pattern: { $or: [{ a: ['x'] }, 'b'] },
    reason: /Only JSON object is allowed/,
  },
  {
    name: 'operator name as a field inside $or',
    pattern: { $or: [{ numeric: [1] }, { prefix: ['a'] }] },
    reason: /reserved keyword/,
  },
  {
    name: 'prefix with an unknown sub-operator',
    pattern: { s: [{ prefix: { wildcard: 'a*' } }] },
    reason: /Unsupported prefix pattern/,
  },
];
