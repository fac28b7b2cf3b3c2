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
export function principalMatches(arn: string, pattern: string, options: PrincipalMatchOptions = {}): boolean {
  const value = arnParts(arn);
  const wanted = arnParts(pattern);
  // Not an ARN (`*`): a plain wildcard.
  if (!value || !wanted) return matchesWildcard(arn, pattern);
  if (!wanted.head.every((part, i) => matchesWildcard(value.head[i] ?? '', part))) return false;
  return resourceMatches(value.resource, wanted.resource, options.pathUnknown ?? false);
}

function resourceMatches(value: string, pattern: string, pathUnknown: boolean): boolean {
  const slash = pattern.indexOf('/');
  // `root`, `*`: no path or name to tell apart.
  if (slash < 0) return matchesWildcard(value, pattern);
  const type = pattern.slice(0, slash);
  const rest = pattern.slice(slash + 1);
  const [valueType = '', ...segments] = value.split('/');
  if (valueType !== type) return false;
  if (rest === '*') return true;
  const wanted = rest.split('/');
  if (!PATH_TYPES.has(type)) {
    // `assumed-role/<role>/<session>`: part by part; the role's name case-insensitively.
    return (
      segments.length === wanted.length &&
      wanted.every((part, i) =>
        i === 0 ? matchesNameWildcard(segments[i] ?? '', part) : matchesSegment(segments[i] ?? '', part),
      )
    );
  }
  const name = segments.at(-1) ?? '';
  if (!matchesNameWildcard(name, wanted.at(-1) ?? '')) return false;
  if (pathUnknown) return true;
  const path = segments.slice(0, -1).join('/');
  const wantedPath = wanted.slice(0, -1).join('/');
  // No path in the pattern is the path `/`; a path in the pattern never matches `/`.
  if (wantedPath === '') return path === '';
  return path !== '' && matchesWildcard(path, wantedPath);
}

/** One `/`-free segment, case-sensitively, its wildcards not spanning a `/`. */
function matchesSegment(value: string, pattern: string): boolean {
  return !value.includes('/') && matchesWildcard(value, pattern);
}

/** The first of `patterns` that `arn` matches, or `undefined`. */
export function firstMatchingPrincipal(
  arn: string,
  patterns: readonly string[],
  options: PrincipalMatchOptions = {},
): string | undefined {
  return patterns.find((pattern) => principalMatches(arn, pattern, options));
}
