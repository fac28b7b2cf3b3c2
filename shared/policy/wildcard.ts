/**
 * IAM-style wildcard matching for finding types, ARNs, regions, tag values and resource ids.
 *
 * Written by hand on purpose: the policy needs IAM's semantics, where `*` spans any run of
 * characters *including* `/` and `:` (`arn:aws:iam::*:role/*` must match a role with a path,
 * `UnauthorizedAccess:IAMUser/*` every IAM-user finding). The glob libraries present in
 * node_modules (picomatch, wildcard-match) are path globs where `*` stops at `/` and `!`, `{}`,
 * `()` and `[]` carry meaning (GuardDuty types contain `!`: `Backdoor:EC2/C&CActivity.B!DNS`),
 * and they are only transitive dev dependencies, so a production install would not have them.
 */

const compiled = new Map<string, RegExp>();

/** Characters that are special in a JavaScript regular expression. */
const REGEXP_SPECIAL = /[.+^${}()|[\]\\]/g;

/**
 * Compile `pattern` to an anchored, case-sensitive regular expression: `*` matches any run of
 * characters (possibly empty), `?` exactly one, everything else itself.
 */
export function wildcardToRegExp(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  const source = pattern.replace(REGEXP_SPECIAL, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  const regexp = new RegExp(`^${source}$`, 's');
  compiled.set(pattern, regexp);
  return regexp;
}

/** True when `value` matches the IAM-style wildcard `pattern` (see {@link wildcardToRegExp}). */
export function matchesWildcard(value: string, pattern: string): boolean {
  return wildcardToRegExp(pattern).test(value);
}

const compiledNames = new Map<string, RegExp>();

/**
 * True when the IAM name `value` (a user or role name, one segment of an ARN) matches `pattern`:
 * case-insensitively, because IAM names are unique regardless of case, and with `*` and `?`
 * never matching a `/`, so a wildcard in a name never reaches into a path.
 */
export function matchesNameWildcard(value: string, pattern: string): boolean {
  let regexp = compiledNames.get(pattern);
  if (!regexp) {
    const source = pattern.replace(REGEXP_SPECIAL, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]');
    regexp = new RegExp(`^${source}$`, 'is');
    compiledNames.set(pattern, regexp);
  }
  return regexp.test(value);
}

/** The first of `patterns` that `value` matches, or `undefined`. */
export function firstMatchingPattern(value: string, patterns: readonly string[]): string | undefined {
  return patterns.find((pattern) => matchesWildcard(value, pattern));
}
