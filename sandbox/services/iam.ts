import { AwsError, type SandboxRequest } from '../protocol.ts';
import type { SigningKey, SigningKeySource } from '../signing/signing-keys.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { accessKeyOperations } from './iam/access-keys.ts';
import { inlinePolicyOperations } from './iam/inline-policies.ts';
import { attachedPolicyDocuments, managedPolicyOperations } from './iam/managed-policies.ts';
import { type AccessKeyLastUse, type IamAccessKey, IamAccount, type Tag } from './iam/model.ts';
import type { IamOperation } from './iam/operation.ts';
import { passwordPolicyOperations } from './iam/password-policy.ts';
import { roleOperations } from './iam/roles.ts';
import { createServiceLinkedRole } from './iam/service-linked-roles.ts';
import { userOperations } from './iam/users.ts';

/** A read-only view of an access key, for tests and the demo. */
export interface AccessKeyView {
  readonly accountId: string;
  readonly userName: string;
  readonly accessKeyId: string;
  readonly status: 'Active' | 'Inactive';
  readonly createDate: Date;
  readonly lastUsed?: Readonly<AccessKeyLastUse>;
}

/** A read-only view of a user, for tests and the demo. */
export interface UserView {
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly arn: string;
  readonly tags: readonly Tag[];
  /** Inline policy documents by policy name, as submitted (not URL-encoded). */
  readonly policies: Readonly<Record<string, string>>;
  readonly accessKeyIds: readonly string[];
}

/** A read-only view of a role, for tests, the demo and STS. */
export interface RoleView {
  readonly accountId: string;
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  /** Longest session AssumeRole may grant, in seconds. */
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
  /** Inline policy documents by policy name, as submitted (the role's identity policies). */
  readonly policies: Readonly<Record<string, string>>;
  /** The trust policy (`AssumeRolePolicyDocument`), as submitted. */
  readonly trustPolicy: string;
}

/**
 * The sandbox's IAM: users, access keys, inline policies, roles and instance profiles,
 * kept per account and served over the awsQuery protocol like iam.amazonaws.com. Registered
 * with the server, its users' keys sign requests to every service (while Active).
 */
export class IamService extends ModelService implements SigningKeySource {
  readonly signingNames = ['iam'] as const;
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-iam', 'IAMClient');
  private readonly accounts = new Map<string, IamAccount>();
  /** Keys that existed and were deleted: AWS rejects requests signed with them. */
  private readonly deletedKeyIds = new Set<string>();
  protected readonly operations: Record<string, OperationHandler>;

  constructor() {
    super();
    const keys = accessKeyOperations({
      deleted: (key) => this.deletedKeyIds.add(key.accessKeyId),
    });
    const operations: Record<string, IamOperation> = {
      ...userOperations,
      ...keys,
      ...inlinePolicyOperations,
      ...roleOperations,
      ...passwordPolicyOperations,
      ...managedPolicyOperations,
    };
    // The model has read and checked the request, and writes the output each operation returns.
    this.operations = Object.fromEntries(
      Object.entries(operations).map(([name, run]) => [
        name,
        (req: SandboxRequest, input: Record<string, unknown>) => {
          const caller = this.authenticate(req);
          const result = run({
            input,
            account: this.account(req.accountId),
            req,
            callerUserName: caller?.accountId === req.accountId ? caller.userName : undefined,
          });
          return result;
        },
      ]),
    );
  }

  /**
   * Record the use of the key that signed `req` (GetAccessKeyLastUsed reports it) and return it
   * when IAM issued it. The server has verified the signature and refused Inactive and deleted
   * keys on every service already; they are refused here too (`InvalidClientTokenId`, 403) for a
   * request handed to IAM by other means.
   */
  authenticate(req: SandboxRequest): AccessKeyView | undefined {
    const keyId = req.accessKeyId;
    if (!keyId) return undefined;
    const invalid = new AwsError(
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
      403,
    );
    if (this.deletedKeyIds.has(keyId)) throw invalid;
    const found = this.findKey(keyId);
    if (!found) return undefined;
    if (found.key.status === 'Inactive') throw invalid;
    found.key.lastUsed = { date: new Date(), serviceName: req.service, region: req.region };
    return toAccessKeyView(found.key, found.accountId);
  }

  /** A user's access key, its secret and status, for the server to verify signatures with. */
  signingKey(accessKeyId: string): SigningKey | undefined {
    const found = this.findKey(accessKeyId);
    if (!found) return undefined;
    const { key, accountId } = found;
    return {
      accessKeyId,
      secretAccessKey: key.secretAccessKey,
      accountId,
      active: key.status === 'Active',
    };
  }

  /** The access key `accessKeyId` of `accountId`, if it exists. */
  accessKey(accountId: string, accessKeyId: string): AccessKeyView | undefined {
    const key = this.accounts.get(accountId)?.accessKeys.get(accessKeyId);
    return key && toAccessKeyView(key, accountId);
  }

  /** The access key `accessKeyId` in whichever account holds it. */
  findAccessKey(accessKeyId: string): AccessKeyView | undefined {
    const found = this.findKey(accessKeyId);
    return found && toAccessKeyView(found.key, found.accountId);
  }

  /** The user `userName` of `accountId` (names match regardless of case, as in IAM). */
  user(accountId: string, userName: string): UserView | undefined {
    const account = this.accounts.get(accountId);
    const user = account?.findUser(userName);
    if (!account || !user) return undefined;
    return {
      accountId,
      userName: user.userName,
      userId: user.userId,
      arn: user.arn,
      tags: user.tags.map((t) => ({ ...t })),
      policies: Object.fromEntries(user.policies),
      accessKeyIds: account.accessKeysOf(user.userName).map((k) => k.accessKeyId),
    };
  }

  /**
   * Create `service`'s service-linked role in `accountId`, as a service does on its caller's
   * behalf once the caller may `iam:CreateServiceLinkedRole` (GuardDuty's CreateDetector).
   */
  createServiceLinkedRole(accountId: string, service: string): void {
    createServiceLinkedRole(this.account(accountId), service);
  }

  /** The role `roleName` of `accountId`, if it exists. */
  role(accountId: string, roleName: string): RoleView | undefined {
    const account = this.accounts.get(accountId);
    // Roles are kept by their name in lower case: IAM names are unique regardless of case.
    const role = account?.roles.get(roleName.toLowerCase());
    if (!account || !role) return undefined;
    return {
      accountId,
      roleName: role.roleName,
      roleId: role.roleId,
      arn: role.arn,
      maxSessionDuration: role.maxSessionDuration,
      tags: role.tags.map((t) => ({ ...t })),
      // Identity policies: inline, then the managed policies attached (evaluated alike).
      policies: { ...Object.fromEntries(role.policies), ...attachedPolicyDocuments(account, role) },
      trustPolicy: role.assumeRolePolicyDocument,
    };
  }

  /**
   * The role an ARN names (`arn:aws:iam::<account>:role/<path><name>`), if it exists with that
   * path: a role ARN with the wrong path names no role.
   */
  roleByArn(roleArn: string): RoleView | undefined {
    const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const role = match && this.role(match[1] ?? '', match[2] ?? '');
    return role && role.arn.toLowerCase() === roleArn.toLowerCase() ? role : undefined;
  }

  private account(accountId: string): IamAccount {
    let account = this.accounts.get(accountId);
    if (!account) {
      account = new IamAccount(accountId);
      this.accounts.set(accountId, account);
    }
    return account;
  }

  private findKey(accessKeyId: string): { key: IamAccessKey; accountId: string } | undefined {
    for (const [accountId, account] of this.accounts) {
      const key = account.accessKeys.get(accessKeyId);
      if (key) return { key, accountId };
    }
    return undefined;
  }
}

function toAccessKeyView(key: IamAccessKey, accountId: string): AccessKeyView {
  return {
    accountId,
    userName: key.userName,
    accessKeyId: key.accessKeyId,
    status: key.status,
    createDate: key.createDate,
    lastUsed: key.lastUsed && { ...key.lastUsed },
  };
}
