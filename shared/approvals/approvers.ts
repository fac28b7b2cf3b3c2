import { firstMatchingPrincipal } from '#shared/policy/principal-pattern.ts';

/**
 * The ARNs an approver's identity stands for: the caller ARN STS reports and, for a role session
 * (`arn:aws:sts::1:assumed-role/OnCall/alice`), the role's ARN, which is what policies list.
 * A session's ARN does not carry the role's path, so the role's ARN has none: it matches
 * patterns written without a path (`role/OnCall`), never one that names a path.
 */
export function approverArns(callerArn: string): string[] {
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return session ? [callerArn, `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`] : [callerArn];
}

/**
 * Whether the policy's allow-list admits this caller, matched as IAM names principals (see
 * `principal-pattern.ts`): a user's path must be matched by the pattern, so
 * `user/oncall-*` never admits `user/oncall-contractors/mallory`. An empty list admits nobody:
 * approving by CLI must be granted explicitly, never by default.
 */
export function approverAllowed(callerArn: string, allowList: readonly string[]): boolean {
  return approverArns(callerArn).some((arn) => firstMatchingPrincipal(arn, allowList) !== undefined);
}
