import { AwsError } from '../../protocol.ts';
import { type IamAccount, noSuchEntity } from './model.ts';
import type { IamOperation } from './operation.ts';

/**
 * The account password policy, as UpdateAccountPasswordPolicy leaves it. Every parameter left out
 * of that call takes its default (the call replaces the whole policy, it does not merge), and
 * `MaxPasswordAge` and `PasswordReusePrevention` left out mean "never expire" and "reuse allowed":
 * GetAccountPasswordPolicy then leaves them out of its answer (it always answers `HardExpiry`, as in
 * the API reference's example).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PasswordPolicy.html
 */
export interface AccountPasswordPolicy {
  readonly minimumPasswordLength: number;
  readonly requireSymbols: boolean;
  readonly requireNumbers: boolean;
  readonly requireUppercaseCharacters: boolean;
  readonly requireLowercaseCharacters: boolean;
  readonly allowUsersToChangePassword: boolean;
  readonly maxPasswordAge?: number;
  readonly passwordReusePrevention?: number;
  readonly hardExpiry: boolean;
}

/** The policy of each account, kept beside the account's other IAM state. */
const policies = new WeakMap<IamAccount, AccountPasswordPolicy>();

/** IAM's answer when the account has no password policy (it then applies its default one). */
function noPolicy(account: IamAccount): AwsError {
  return noSuchEntity(`The Password Policy with domain name ${account.accountId} cannot be found.`);
}

/** An integer member within the API reference's valid range, or absent (the model has checked its type). */
function rangedMember(
  input: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const member = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    const bound =
      typeof value === 'number' && value > max
        ? `less than or equal to ${max}`
        : `greater than or equal to ${min}`;
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  return value;
}

const flag = (input: Record<string, unknown>, name: string): boolean => input[name] === true;

const updateAccountPasswordPolicy: IamOperation = ({ input, account }) => {
  const maxPasswordAge = rangedMember(input, 'MaxPasswordAge', 1, 1095);
  const passwordReusePrevention = rangedMember(input, 'PasswordReusePrevention', 1, 24);
  policies.set(account, {
    minimumPasswordLength: rangedMember(input, 'MinimumPasswordLength', 6, 128) ?? 6,
    requireSymbols: flag(input, 'RequireSymbols'),
    requireNumbers: flag(input, 'RequireNumbers'),
    requireUppercaseCharacters: flag(input, 'RequireUppercaseCharacters'),
    requireLowercaseCharacters: flag(input, 'RequireLowercaseCharacters'),
    allowUsersToChangePassword: flag(input, 'AllowUsersToChangePassword'),
    ...(maxPasswordAge !== undefined && { maxPasswordAge }),
    ...(passwordReusePrevention !== undefined && { passwordReusePrevention }),
    hardExpiry: flag(input, 'HardExpiry'),
  });
  return undefined;
};

const getAccountPasswordPolicy: IamOperation = ({ account }) => {
  const policy = policies.get(account);
  if (!policy) throw noPolicy(account);
  const passwordPolicy = {
    MinimumPasswordLength: policy.minimumPasswordLength,
    RequireSymbols: policy.requireSymbols,
    RequireNumbers: policy.requireNumbers,
    RequireUppercaseCharacters: policy.requireUppercaseCharacters,
    RequireLowercaseCharacters: policy.requireLowercaseCharacters,
    AllowUsersToChangePassword: policy.allowUsersToChangePassword,
    // True exactly when MaxPasswordAge is above 0 (the PasswordPolicy data type).
    ExpirePasswords: (policy.maxPasswordAge ?? 0) > 0,
    MaxPasswordAge: policy.maxPasswordAge,
    PasswordReusePrevention: policy.passwordReusePrevention,
    HardExpiry: policy.hardExpiry,
  };
  return { PasswordPolicy: passwordPolicy };
};

const deleteAccountPasswordPolicy: IamOperation = ({ account }) => {
  if (!policies.delete(account)) throw noPolicy(account);
  return undefined;
};

/** GetAccountPasswordPolicy, UpdateAccountPasswordPolicy and DeleteAccountPasswordPolicy. */
export const passwordPolicyOperations: Record<string, IamOperation> = {
  GetAccountPasswordPolicy: getAccountPasswordPolicy,
  UpdateAccountPasswordPolicy: updateAccountPasswordPolicy,
  DeleteAccountPasswordPolicy: deleteAccountPasswordPolicy,
};
