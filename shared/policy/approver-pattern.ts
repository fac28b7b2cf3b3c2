import * as z from 'zod/mini';
import '#shared/validation-messages.ts';

/**
 * What an approver entry must name: an IAM user or role (or a role session), by an ARN whose
 * partition and account may be wildcards but whose principal name starts with something
 * written out. `"*"`, `"arn:*"` or `"arn:aws:iam::*:role/*"` would let any principal able to
 * invoke the decision function approve: they disable the safety, so they are refused.
 * ARN formats: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
const APPROVER_ARN = /^arn:[^:]+:(iam::[^:]+:(user|role)|sts::[^:]+:assumed-role)\/(.+)$/;

/** True when `name` (what follows `user/`, `role/` or `assumed-role/`) has a character that is not a wildcard. */
function namesSomeone(name: string): boolean {
  // A path pins a group (`role/oncall/*`); `role/*` or `role/*/*` pins nothing.
  return /[^*?/]/.test(name);
}

/** One entry of `approvals.approvers`: an IAM principal ARN wildcard that names someone. */
export const ApproverPatternSchema = z.string({ error: 'expected an IAM principal ARN' }).check(
  z.refine((pattern) => {
    const arn = APPROVER_ARN.exec(pattern);
    return arn !== null && namesSomeone(arn[3] ?? '');
  }, 'expected an IAM user or role ARN whose name is written out, e.g. "arn:aws:iam::111122223333:role/OnCall*": a wildcard-only approver would let anyone decide'),
);
