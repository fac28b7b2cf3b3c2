import { matchesNameWildcard, matchesWildcard } from './wildcard.ts';

/**
 * Principal patterns (`protectedPrincipals`, rule `principals`, `approvals.approvers`) matched
 * the way IAM identifies principals, not as plain text. An IAM user or role ARN is
 * `arn:<partition>:iam::<account>:<user|role>/<path><name>`, where the path is `/` or
 * `/a/b/` and the name is unique in the account regardless of case
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html). So:
 * - the partition, service, region and account are wildcards as written;
 * - the name (the last `/` part) matches case-insensitively, and a `*` or `?` in it never
 *   spans a `/`: `user/oncall-*` is not `user/oncall-contractors/mallory`;
 * - the path is matched only where the pattern writes one: `user/break-glass` is the user at
 *   path `/`, `user/emergency/break-glass` the one at `/emergency/`, and `user/*\/break-glass`
 *   one at any path but `/` (a `*` there spans path levels, as in an IAM policy);
 * - `user/*` and `role/*` alone are every user or role, whatever the path, as in an IAM policy.
 */

/** Resource types whose ARN is `<type>/<path><name>`. */
const PATH_TYPES = new Set(['user', 'role', 'group']);

interface ArnParts {
  /** partition, service, region, account */
  readonly head: readonly string[];
  readonly resource: string;
}

function arnParts(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { head: parts.slice(1, 5), resource: parts.slice(5).join(':') };
}

/**
 * A principal's ARN split once into the parts patterns compare: a finding's principals are
 * checked against every rule that names principals, so they are split once per finding.
 */
export interface PrincipalArn {
  readonly arn: string;
  /** Undefined when `arn` is not an ARN (`*`): then it is matched as plain text. */
  readonly parts: ArnParts | undefined;
}

/** `arn` split into the parts principal patterns compare. */
export function principalArn(arn: string): PrincipalArn {
  return { arn, parts: arnParts(arn) };
}

/** Options of {@link principalMatches}. */
export interface PrincipalMatchOptions {
  /**
   * The ARN was built from a name alone (GuardDuty reports a user's name; a role session's ARN
   * carries no path), so its real path is unknown: match it on the name alone, whatever path
   * the pattern writes. For protection only, where matching more is the safe side. @default false
   */
  readonly pathUnknown?: boolean;
}

/** Whether the principal `arn` matches the principal pattern `pattern` (see the module comment). */
export function principalMatches(
  arn: string | PrincipalArn,
  pattern: string,
  options: PrincipalMatchOptions = {},
): boolean {
  return firstMatchingPrincipal(arn, [pattern], options) !== undefined;
}

/** The first of `patterns` that `arn` matches, or `undefined`. */
export function firstMatchingPrincipal(
  arn: string | PrincipalArn,
  patterns: readonly string[],
  { pathUnknown = false }: PrincipalMatchOptions = {},
): string | undefined {
  const principal = typeof arn === 'string' ? principalArn(arn) : arn;
  return patterns.find((pattern) => matcherOf(pattern)(principal, pathUnknown));
}

/** A compiled principal pattern: does the principal match it? */
type PrincipalMatcher = (principal: PrincipalArn, pathUnknown: boolean) => boolean;

// One matcher per pattern: patterns come from the policy (a bounded set) and every finding is
// checked against the same few, so each is split into its parts once, not once per finding.
const matchers = new Map<string, PrincipalMatcher>();

function matcherOf(pattern: string): PrincipalMatcher {
  let matcher = matchers.get(pattern);
  if (!matcher) {
    const wanted = arnParts(pattern);
    const resourceMatches = wanted && compileResource(wanted.resource);
    matcher = ({ arn, parts }, pathUnknown) =>
      // Not an ARN (`*`): a plain wildcard. A `*` part matches any text, so it needs no test.
      !wanted || !parts || !resourceMatches
        ? matchesWildcard(arn, pattern)
        : wanted.head.every((part, i) => part === '*' || matchesWildcard(parts.head[i] ?? '', part)) &&
          resourceMatches(parts.resource, pathUnknown);
    matchers.set(pattern, matcher);
  }
  return matcher;
}

function compileResource(pattern: string): (resource: string, pathUnknown: boolean) => boolean {
  const slash = pattern.indexOf('/');
  // `root`, `*`: no path or name to tell apart.
  if (slash < 0) return (resource) => matchesWildcard(resource, pattern);
  const type = pattern.slice(0, slash);
  const rest = pattern.slice(slash + 1);
  const wanted = rest.split('/');
  const wantedPath = wanted.slice(0, -1).join('/');
  return (resource, pathUnknown) => {
    const [valueType, ...segments] = resource.split('/');
    if (valueType !== type) return false;
    if (rest === '*') return true;
    if (!PATH_TYPES.has(type)) {
      // `assumed-role/<role>/<session>`: part by part; the role's name case-insensitively. The
      // value's parts are split at `/`, so no wildcard matching one spans a `/`.
      return (
        segments.length === wanted.length &&
        wanted.every((part, i) =>
          i === 0 ? matchesNameWildcard(segments[i] ?? '', part) : matchesWildcard(segments[i] ?? '', part),
        )
      );
    }
    if (!matchesNameWildcard(segments.at(-1) ?? '', wanted.at(-1) ?? '')) return false;
    if (pathUnknown) return true;
    const path = segments.slice(0, -1).join('/');
    // No path in the pattern is the path `/`; a path in the pattern never matches `/`.
    if (wantedPath === '') return path === '';
    return path !== '' && matchesWildcard(path, wantedPath);
  };
}
