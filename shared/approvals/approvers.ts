import { firstMatchingPattern } from '#shared/policy/wildcard.ts';

/**
 * The ARNs an approver's identity stands for: the caller ARN STS reports and, for a role session
 * (`arn:aws:sts::1:assumed-role/OnCall/alice`), the role's ARN, which is what policies list.
 */
export function approverArns(callerArn: string): string[] {
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return session ? [callerArn, `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`] : [callerArn];
}

/**
 * Whether the policy's allow-list admits this caller. An empty list admits nobody: approving by
 * CLI must be granted explicitly, never by default.
 */
export function approverAllowed(callerArn: string, allowList: readonly string[]): boolean {
  return approverArns(callerArn).some((arn) => firstMatchingPattern(arn, allowList) !== undefined);
}
