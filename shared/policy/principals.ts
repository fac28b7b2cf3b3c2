import type { Finding } from '#shared/findings/finding.ts';
import { matchesWildcard } from './wildcard.ts';

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

/**
 * Every principal ARN a finding involves: the IAM user or role whose key it is about
 * (derived from the account and user name, since GuardDuty reports names rather than ARNs),
 * and the caller. Root appears as `arn:<partition>:iam::<account>:root`.
 */
export function principalArnsOf(finding: Finding): string[] {
  const partition = partitionOf(finding.region);
  const arns = new Set<string>();
  const add = (arn: string | undefined) => {
    if (!arn) return;
    arns.add(arn);
    const roleArn = roleArnOfSession(arn);
    if (roleArn) arns.add(roleArn);
  };
  const { resource, actor } = finding;
  if (resource.kind === 'AccessKey') {
    add(resource.principalArn);
    // Without a reported type, the key id tells: AKIA keys belong to IAM users, ASIA keys are
    // temporary credentials of a session whose principal the key alone does not name.
    const userType = resource.userType ?? (resource.accessKeyId.startsWith('AKIA') ? 'IAMUser' : undefined);
    if (userType === 'Root') add(`arn:${partition}:iam::${finding.accountId}:root`);
    else if (userType === 'AssumedRole')
      add(`arn:${partition}:iam::${finding.accountId}:role/${resource.userName}`);
    else if (userType === 'IAMUser')
      add(`arn:${partition}:iam::${finding.accountId}:user/${resource.userName}`);
  }
  if (actor) {
    add(actor.principalArn);
    if (actor.type === 'Root') add(`arn:${partition}:iam::${finding.accountId}:root`);
  }
  return [...arns];
}

/** Why a finding's principal is protected, or `undefined` when none is. */
export function protectedPrincipalOf(
  finding: Finding,
  patterns: readonly string[],
): { arn: string; pattern: string } | undefined {
  for (const arn of principalArnsOf(finding)) {
    // The root user is protected whatever the policy says: automation never acts on it.
    if (matchesWildcard(arn, ROOT_PRINCIPAL_PATTERN)) return { arn, pattern: ROOT_PRINCIPAL_PATTERN };
    const pattern = patterns.find((candidate) => matchesWildcard(arn, candidate));
    if (pattern) return { arn, pattern };
  }
  return undefined;
}
