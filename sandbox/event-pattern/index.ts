/**
 * EventBridge event-pattern matching for the sandbox: the content-filtering language (exact
 * values, prefix, suffix, anything-but, numeric, exists, cidr, wildcard, equals-ignore-case, $or),
 * hand-written because no maintained npm package implements it.
 */
export { compilePattern, type EventPatternMatcher, matchesPattern, validatePattern } from './compile.ts';
export { InvalidEventPatternError } from './errors.ts';
