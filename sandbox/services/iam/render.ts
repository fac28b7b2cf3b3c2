import { members, type Tag, type XmlObject } from '../../query-protocol.ts';
import type { IamAccessKey, IamAccount, IamInstanceProfile, IamRole, IamUser } from './model.ts';

/**
 * IAM returns policy documents URL-encoded (RFC 3986); the SDKs hand them over as such and
 * the CLI decodes them. Callers must `decodeURIComponent` before `JSON.parse`.
 */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document);
}

function tagsXml(tags: readonly Tag[]): XmlObject | undefined {
  return tags.length > 0 ? members(tags.map((t) => ({ Key: t.Key, Value: t.Value }))) : undefined;
}

/** The `User` shape. ListUsers leaves tags out, as AWS does; GetUser includes them. */
export function userXml(user: IamUser, options: { withTags: boolean }): XmlObject {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
    Tags: options.withTags ? tagsXml(user.tags) : undefined,
  };
}

/** The `AccessKeyMetadata` shape (never the secret: AWS shows it once, at creation). */
export function accessKeyMetadataXml(key: IamAccessKey): XmlObject {
  return {
    UserName: key.userName,
    AccessKeyId: key.accessKeyId,
    Status: key.status,
    CreateDate: key.createDate,
  };
}

/** The `Role` shape, trust policy URL-encoded. */
export function roleXml(role: IamRole): XmlObject {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: tagsXml(role.tags),
    RoleLastUsed: {},
  };
}

/** The `InstanceProfile` shape with its role (at most one) expanded. */
export function instanceProfileXml(profile: IamInstanceProfile, account: IamAccount): XmlObject {
  const roles = profile.roleNames.map((name) => roleXml(account.requireRole(name)));
  return {
    Path: profile.path,
    InstanceProfileName: profile.instanceProfileName,
    InstanceProfileId: profile.instanceProfileId,
    Arn: profile.arn,
    CreateDate: profile.createDate,
    Roles: members(roles),
    Tags: tagsXml(profile.tags),
  };
}
