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
  return matcherOf(pattern)(typeof arn === 'string' ? principalArn(arn) : arn, options.pathUnknown ?? false);
}

/** The first of `patterns` that `arn` matches, or `undefined`. */
export function firstMatchingPrincipal(
  arn: string | PrincipalArn,
  patterns: readonly string[],
  options: PrincipalMatchOptions = {},
): string | undefined {
  const principal = typeof arn === 'string' ? principalArn(arn) : arn;
  const pathUnknown = options.pathUnknown ?? false;
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
    matcher = compilePattern(pattern);
    matchers.set(pattern, matcher);
  }
  return matcher;
}

function compilePattern(pattern: string): PrincipalMatcher {
  const wanted = arnParts(pattern);
  // Not an ARN (`*`): a plain wildcard.
  if (!wanted) return ({ arn }) => matchesWildcard(arn, pattern);
  // A `*` part matches any text, so only the other parts need a test.
  const head = wanted.head.flatMap((part, i) => (part === '*' ? [] : [{ part, i }]));
  const resourceMatches = compileResource(wanted.resource);
  return (principal, pathUnknown) => {
    const value = principal.parts;
    if (!value) return matchesWildcard(principal.arn, pattern);
    if (!head.every(({ part, i }) => matchesWildcard(value.head[i] ?? '', part))) return false;
    return resourceMatches(principal, pathUnknown);
  };
}

function compileResource(pattern: string): PrincipalMatcher {
  const slash = pattern.indexOf('/');
  // `root`, `*`: no path or name to tell apart.
  if (slash < 0) return ({ parts }) => matchesWildcard(parts?.resource ?? '', pattern);
  const type = pattern.slice(0, slash);
  const rest = pattern.slice(slash + 1);
  const wanted = rest.split('/');
  const wantedName = wanted.at(-1) ?? '';
  const wantedPath = wanted.slice(0, -1).join('/');
  const pathTyped = PATH_TYPES.has(type);
  return ({ parts }, pathUnknown) => {
    // `<type>/<segments...>`, split only past the type check: most patterns name another type.
    const resource = parts?.resource ?? '';
    const typeEnd = resource.indexOf('/');
    if ((typeEnd < 0 ? resource : resource.slice(0, typeEnd)) !== type) return false;
    if (rest === '*') return true;
    const segments = typeEnd < 0 ? [] : resource.slice(typeEnd + 1).split('/');
    if (!pathTyped) {
      // `assumed-role/<role>/<session>`: part by part; the role's name case-insensitively.
      return (
        segments.length === wanted.length &&
        wanted.every((part, i) =>
          i === 0 ? matchesNameWildcard(segments[i] ?? '', part) : matchesSegment(segments[i] ?? '', part),
        )
      );
    }
    const name = segments.at(-1) ?? '';
    if (!matchesNameWildcard(name, wantedName)) return false;
    if (pathUnknown) return true;
    const path = segments.slice(0, -1).join('/');
    // No path in the pattern is the path `/`; a path in the pattern never matches `/`.
    if (wantedPath === '') return path === '';
    return path !== '' && matchesWildcard(path, wantedPath);
  };
}

/** One `/`-free segment, case-sensitively, its wildcards not spanning a `/`. */
function matchesSegment(value: string, pattern: string): boolean {
  return !value.includes('/') && matchesWildcard(value, pattern);
}
