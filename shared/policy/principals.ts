import type { Finding } from '#shared/findings/finding.ts';
import {
  firstMatchingPrincipal,
  type PrincipalArn,
  principalArn,
  principalMatches,
} from './principal-pattern.ts';

/** Matches the root user of any account in any partition. */
export const ROOT_PRINCIPAL_PATTERN = 'arn:*:iam::*:root';

/** The ARN partition of a region: China and GovCloud regions have their own. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A role session's ARN (`arn:aws:sts::1:assumed-role/Name/session`, what CloudTrail and
 * GuardDuty report for callers) names the role but is not the role's ARN, which is what
 * people list in policies. The role's path is not part of the session ARN, so the derived
 * ARN has none.
 */
function roleArnOfSession(arn: string): string | undefined {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : undefined;
}

/** A principal a finding involves, and whether its ARN carries the principal's real path. */
export interface FindingPrincipal extends PrincipalArn {
  /**
   * False for an ARN built from a name alone (GuardDuty reports a key's user by name; a role
   * session's ARN does not carry the role's path): the principal may sit at any path.
   */
  readonly pathKnown: boolean;
}

/**
 * Every principal a finding involves: the IAM user or role whose key it is about (derived from
 * the account and user name, since GuardDuty reports names rather than ARNs), and the caller.
 * Root appears as `arn:<partition>:iam::<account>:root`. Each ARN comes split into its parts, as
 * the principal patterns compare them.
 */
export function principalsOf(finding: Finding): FindingPrincipal[] {
  const partition = partitionOf(finding.region);
  // ARN → whether its path is known; one ARN reported both ways counts as known.
  const found = new Map<string, boolean>();
  const { resource, actor } = finding;
  if (resource.kind === 'AccessKey') {
    addReported(found, resource.principalArn);
    // Without a reported type, the key id tells: AKIA keys belong to IAM users, ASIA keys are
    // temporary credentials of a session whose principal the key alone does not name.
    const userType = resource.userType ?? (resource.accessKeyId.startsWith('AKIA') ? 'IAMUser' : undefined);
    if (userType === 'Root') addReported(found, `arn:${partition}:iam::${finding.accountId}:root`);
    else if (userType === 'AssumedRole')
      addDerived(found, `arn:${partition}:iam::${finding.accountId}:role/${resource.userName}`);
    else if (userType === 'IAMUser')
      addDerived(found, `arn:${partition}:iam::${finding.accountId}:user/${resource.userName}`);
  }
  if (actor) {
    addReported(found, actor.principalArn);
    if (actor.type === 'Root') addReported(found, `arn:${partition}:iam::${finding.accountId}:root`);
  }
  // Field by field: spreading the split ARN into a new object cost more than splitting it.
  return [...found].map(([arn, pathKnown]) => ({ arn, parts: principalArn(arn).parts, pathKnown }));
}

/** An ARN the source reported (its path is known), and the role of a role session's ARN (its path is not). */
function addReported(found: Map<string, boolean>, arn: string | undefined): void {
  if (!arn) return;
  found.set(arn, true);
  const roleArn = roleArnOfSession(arn);
  if (roleArn) addDerived(found, roleArn);
}

/** An ARN built from a name alone: its path is unknown, unless the source also reported it. */
function addDerived(found: Map<string, boolean>, arn: string): void {
  found.set(arn, found.get(arn) ?? false);
}

/**
 * The first of `patterns` one of the finding's principals matches, as IAM names them (see
 * `principal-pattern.ts`); a principal whose path the finding does not tell matches on its name.
 * `principals`: the finding's, when the caller has them already (see {@link principalsOf}).
 */
export function matchingPrincipal(
  finding: Finding,
  patterns: readonly string[],
  principals: readonly FindingPrincipal[] = principalsOf(finding),
): { arn: string; pattern: string } | undefined {
  for (const principal of principals) {
    const pattern = firstMatchingPrincipal(principal, patterns, { pathUnknown: !principal.pathKnown });
    if (pattern) return { arn: principal.arn, pattern };
  }
  return undefined;
}

/**
 * Why a finding's principal is protected, or `undefined` when none is. `principals`: the
 * finding's, when the caller has them already (see {@link principalsOf}).
 */
export function protectedPrincipalOf(
  finding: Finding,
  patterns: readonly string[],
  principals: readonly FindingPrincipal[] = principalsOf(finding),
): { arn: string; pattern: string } | undefined {
  // The root user is protected whatever the policy says: automation never acts on it.
  const root = principals.find((principal) => principalMatches(principal, ROOT_PRINCIPAL_PATTERN));
  if (root) return { arn: root.arn, pattern: ROOT_PRINCIPAL_PATTERN };
  return matchingPrincipal(finding, patterns, principals);
}
