import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type PasswordPolicyRequest, undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

/** GetAccountPasswordPolicy's `PasswordPolicy`, as set-password-policy records it (its `before`). */
const PasswordPolicySchema = z.looseObject({
  MinimumPasswordLength: z.optional(z.number()),
  RequireSymbols: z.optional(z.boolean()),
  RequireNumbers: z.optional(z.boolean()),
  RequireUppercaseCharacters: z.optional(z.boolean()),
  RequireLowercaseCharacters: z.optional(z.boolean()),
  AllowUsersToChangePassword: z.optional(z.boolean()),
  MaxPasswordAge: z.optional(z.number()),
  PasswordReusePrevention: z.optional(z.number()),
  HardExpiry: z.optional(z.boolean()),
});

/** The before-state: the policy as read, or the marker the playbook records when there was none. */
const BeforeSchema = z.union([
  z.looseObject({ PasswordPolicy: PasswordPolicySchema }),
  z.looseObject({ NoPasswordPolicy: z.literal(true) }),
]);

/**
 * The request that puts `policy` back exactly. UpdateAccountPasswordPolicy replaces the whole
 * policy and gives every parameter left out its default, so every setting is sent: the recorded
 * value, or the API's default where the read left it out (IAM leaves out what is unset).
 * MaxPasswordAge and PasswordReusePrevention unset mean "never expire" and "reuse allowed"; the API
 * takes no 0 for them (1–1095 and 1–24), so they are left out of the request instead.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
 */
function restoreRequest(policy: z.infer<typeof PasswordPolicySchema>): PasswordPolicyRequest {
  return {
    MinimumPasswordLength: policy.MinimumPasswordLength ?? 6,
    RequireSymbols: policy.RequireSymbols ?? false,
    RequireNumbers: policy.RequireNumbers ?? false,
    RequireUppercaseCharacters: policy.RequireUppercaseCharacters ?? false,
    RequireLowercaseCharacters: policy.RequireLowercaseCharacters ?? false,
    AllowUsersToChangePassword: policy.AllowUsersToChangePassword ?? false,
    HardExpiry: policy.HardExpiry ?? false,
    ...(policy.MaxPasswordAge ? { MaxPasswordAge: policy.MaxPasswordAge } : {}),
    ...(policy.PasswordReusePrevention ? { PasswordReusePrevention: policy.PasswordReusePrevention } : {}),
  };
}

/**
 * set-password-policy: UpdateAccountPasswordPolicy, reversed by putting the recorded policy back
 * exactly, or by deleting the policy when the account had none (IAM's default applies again).
 */
export function reverseSetPasswordPolicy(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'UpdateAccountPasswordPolicy');
  if (!record) return { actions: [], notes: [] };
  let json: unknown;
  try {
    json = JSON.parse(record.before ?? 'null');
  } catch (error) {
    throw new UnreadableTrailError('the UpdateAccountPasswordPolicy record’s before is not JSON', {
      cause: error,
    });
  }
  const before = BeforeSchema.safeParse(json);
  if (!before.success)
    throw new UnreadableTrailError(
      'the UpdateAccountPasswordPolicy record’s before is neither a password policy nor "no policy"',
    );
  const { accountId } = trail.finding;
  const note = 'Passwords set while the stricter policy applied stay as they are.';
  const { data } = before;
  if (!('PasswordPolicy' in data) || data.PasswordPolicy === undefined)
    return { actions: [undoActions.deletePasswordPolicy(accountId)], notes: [note] };
  const policy = PasswordPolicySchema.parse(data.PasswordPolicy);
  return {
    actions: [undoActions.restorePasswordPolicy(accountId, restoreRequest(policy))],
    notes: [note],
  };
}
