import { AwsError } from '../../protocol.ts';
import { members, paginate, queryTags, requiredParam } from '../../query-protocol.ts';
import { type IamInstanceProfile, type IamRole, iamId, limitExceeded } from './model.ts';
import type { IamOperation } from './operation.ts';
import { instanceProfileXml, roleXml } from './render.ts';
import { mergeTags } from './users.ts';
import { checkName, checkPath, checkPolicyDocument } from './validation.ts';

/** Role sessions may last one to twelve hours; one hour unless the role says otherwise. */
function maxSessionDuration(value: string | null): number {
  if (value === null) return 3600;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43_200) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
    );
  }
  return seconds;
}

const createRole: IamOperation = ({ params, account }) => {
  const roleName = checkName('roleName', requiredParam(params, 'RoleName'), 64);
  const path = checkPath(params.get('Path'));
  const trustPolicy = requiredParam(params, 'AssumeRolePolicyDocument');
  checkPolicyDocument(trustPolicy, 'trust');
  const role: IamRole = {
    roleName,
    roleId: iamId('AROA', 17),
    path,
    arn: account.arn('role', path, roleName),
    createDate: new Date(),
    assumeRolePolicyDocument: trustPolicy,
    description: params.get('Description') ?? undefined,
    maxSessionDuration: maxSessionDuration(params.get('MaxSessionDuration')),
    tags: mergeTags([], queryTags(params)),
    policies: new Map(),
  };
  account.addRole(role);
  return { Role: roleXml(role) };
};

const createInstanceProfile: IamOperation = ({ params, account }) => {
  const name = checkName('instanceProfileName', requiredParam(params, 'InstanceProfileName'), 128);
  const path = checkPath(params.get('Path'));
  const profile: IamInstanceProfile = {
    instanceProfileName: name,
    instanceProfileId: iamId('AIPA', 17),
    path,
    arn: account.arn('instance-profile', path, name),
    createDate: new Date(),
    roleNames: [],
    tags: mergeTags([], queryTags(params)),
  };
  account.addInstanceProfile(profile);
  return { InstanceProfile: instanceProfileXml(profile, account) };
};

/** An instance profile holds at most one role (a hard AWS quota). */
const addRoleToInstanceProfile: IamOperation = ({ params, account }) => {
  const profile = account.requireInstanceProfile(requiredParam(params, 'InstanceProfileName'));
  const role = account.requireRole(requiredParam(params, 'RoleName'));
  if (profile.roleNames.length >= 1) {
    throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
  }
  profile.roleNames.push(role.roleName);
  return undefined;
};

/** Role and instance-profile operations by action name. */
export const roleOperations: Record<string, IamOperation> = {
  CreateRole: createRole,
  GetRole: ({ params, account }) => ({
    Role: roleXml(account.requireRole(requiredParam(params, 'RoleName'))),
  }),
  TagRole: ({ params, account }) => {
    const role = account.requireRole(requiredParam(params, 'RoleName'));
    role.tags = mergeTags(role.tags, queryTags(params));
    return undefined;
  },
  CreateInstanceProfile: createInstanceProfile,
  GetInstanceProfile: ({ params, account }) => {
    const profile = account.requireInstanceProfile(requiredParam(params, 'InstanceProfileName'));
    return { InstanceProfile: instanceProfileXml(profile, account) };
  },
  AddRoleToInstanceProfile: addRoleToInstanceProfile,
  ListRoles: ({ params, account }) => {
    const prefix = params.get('PathPrefix') ?? '/';
    const roles = [...account.roles.values()]
      .filter((r) => r.path.startsWith(prefix))
      .sort((a, b) => a.roleName.localeCompare(b.roleName));
    const page = paginate(roles, params);
    return { Roles: members(page.items.map(roleXml)), IsTruncated: page.isTruncated, Marker: page.marker };
  },
  ListInstanceProfiles: ({ params, account }) => {
    const prefix = params.get('PathPrefix') ?? '/';
    const profiles = [...account.instanceProfiles.values()]
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => a.instanceProfileName.localeCompare(b.instanceProfileName));
    const page = paginate(profiles, params);
    return {
      InstanceProfiles: members(page.items.map((p) => instanceProfileXml(p, account))),
      IsTruncated: page.isTruncated,
      Marker: page.marker,
    };
  },
};
