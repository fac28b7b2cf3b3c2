import { AwsError } from '../../protocol.ts';
import type { XmlObject } from '../../query-protocol.ts';
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

/** An integer parameter within the API reference's valid range, or absent. */
function rangedParam(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const member = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    const bound = value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must have value ${bound}`,
    );
  }
  return value;
}

const flag = (params: URLSearchParams, name: string): boolean => params.get(name) === 'true';

const updateAccountPasswordPolicy: IamOperation = ({ params, account }) => {
  const maxPasswordAge = rangedParam(params, 'MaxPasswordAge', 1, 1095);
  const passwordReusePrevention = rangedParam(params, 'PasswordReusePrevention', 1, 24);
  policies.set(account, {
    minimumPasswordLength: rangedParam(params, 'MinimumPasswordLength', 6, 128) ?? 6,
    requireSymbols: flag(params, 'RequireSymbols'),
    requireNumbers: flag(params, 'RequireNumbers'),
    requireUppercaseCharacters: flag(params, 'RequireUppercaseCharacters'),
    requireLowercaseCharacters: flag(params, 'RequireLowercaseCharacters'),
    allowUsersToChangePassword: flag(params, 'AllowUsersToChangePassword'),
    ...(maxPasswordAge !== undefined && { maxPasswordAge }),
    ...(passwordReusePrevention !== undefined && { passwordReusePrevention }),
    hardExpiry: flag(params, 'HardExpiry'),
  });
  return undefined;
};

const getAccountPasswordPolicy: IamOperation = ({ account }) => {
  const policy = policies.get(account);
  if (!policy) throw noPolicy(account);
  const xml: XmlObject = {
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
  return { PasswordPolicy: xml };
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
