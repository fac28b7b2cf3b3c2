import type { AccessKeyMetadata, InstanceProfile, Role, Tag, User } from '@aws-sdk/client-iam';
import type { IamAccessKey, IamAccount, IamInstanceProfile, IamRole, IamUser } from './model.ts';

/**
 * IAM returns policy documents URL-encoded (RFC 3986); the SDKs hand them over as such and
 * the CLI decodes them. Callers must `decodeURIComponent` before `JSON.parse`.
 */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document);
}

function tagsOf(tags: readonly Tag[]): Tag[] | undefined {
  return tags.length > 0 ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;
}

/** A user as IAM describes it. ListUsers leaves tags out, as AWS does; GetUser includes them. */
export function userView(user: IamUser, options: { withTags: boolean }): User {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
    Tags: options.withTags ? tagsOf(user.tags) : undefined,
  };
}

/** A key's metadata (never the secret: AWS shows it once, at creation). */
export function accessKeyMetadataView(key: IamAccessKey): AccessKeyMetadata {
  return {
    UserName: key.userName,
    AccessKeyId: key.accessKeyId,
    Status: key.status,
    CreateDate: key.createDate,
  };
}

/** A role, its trust policy URL-encoded. */
export function roleView(role: IamRole): Role {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: tagsOf(role.tags),
    RoleLastUsed: {},
  };
}

/** An instance profile with its role (at most one) expanded. */
export function instanceProfileView(profile: IamInstanceProfile, account: IamAccount): InstanceProfile {
  return {
    Path: profile.path,
    InstanceProfileName: profile.instanceProfileName,
    InstanceProfileId: profile.instanceProfileId,
    Arn: profile.arn,
    CreateDate: profile.createDate,
    Roles: profile.roleNames.map((name) => roleView(account.requireRole(name))),
    Tags: tagsOf(profile.tags),
  };
}
