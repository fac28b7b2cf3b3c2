import type {
  AddRoleToInstanceProfileRequest,
  CreateInstanceProfileRequest,
  CreateRoleRequest,
  CreateServiceLinkedRoleRequest,
  GetInstanceProfileRequest,
  GetRoleRequest,
  ListInstanceProfilesRequest,
  ListRolesRequest,
  TagRoleRequest,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../protocol.ts';
import type { WithRequired } from '../../wire/model-service.ts';
import { pageOf } from '../../wire/pagination.ts';
import { type IamInstanceProfile, iamId, limitExceeded } from './model.ts';
import type { IamCall, IamOperation } from './operation.ts';
import { createServiceLinkedRole } from './service-linked-roles.ts';
import { mergeTags } from './users.ts';
import { checkName, checkPath, checkPolicyDocument } from './validation.ts';
import { instanceProfileView, roleView } from './views.ts';

/** Role sessions may last one to twelve hours; one hour unless the role says otherwise. */
function maxSessionDuration(seconds: number | undefined): number {
  if (seconds === undefined) return 3600;
  if (!Number.isInteger(seconds) || seconds < 3600 || seconds > 43_200) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${seconds}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
    );
  }
  return seconds;
}

const createRole: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<CreateRoleRequest, 'RoleName' | 'AssumeRolePolicyDocument'>>) => {
  const roleName = checkName('roleName', input.RoleName, 64);
  const path = checkPath(input.Path);
  const trustPolicy = input.AssumeRolePolicyDocument;
  checkPolicyDocument(trustPolicy, 'trust');
  const role = account.createRole({
    roleName,
    path,
    assumeRolePolicyDocument: trustPolicy,
    description: input.Description,
    maxSessionDuration: maxSessionDuration(input.MaxSessionDuration),
    tags: mergeTags([], input.Tags),
  });
  return { Role: roleView(role) };
};

const createInstanceProfile: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<CreateInstanceProfileRequest, 'InstanceProfileName'>>) => {
  const name = checkName('instanceProfileName', input.InstanceProfileName, 128);
  const path = checkPath(input.Path);
  const profile: IamInstanceProfile = {
    instanceProfileName: name,
    instanceProfileId: iamId('AIPA', 17),
    path,
    arn: account.arn('instance-profile', path, name),
    createDate: new Date(),
    roleNames: [],
    tags: mergeTags([], input.Tags),
  };
  account.addInstanceProfile(profile);
  return { InstanceProfile: instanceProfileView(profile, account) };
};

/** An instance profile holds at most one role (a hard AWS quota). */
const addRoleToInstanceProfile: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<AddRoleToInstanceProfileRequest, 'InstanceProfileName' | 'RoleName'>>) => {
  const profile = account.requireInstanceProfile(input.InstanceProfileName);
  const role = account.requireRole(input.RoleName);
  if (profile.roleNames.length >= 1) {
    throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
  }
  profile.roleNames.push(role.roleName);
  return undefined;
};

/** Role and instance-profile operations by action name. */
export const roleOperations: Record<string, IamOperation> = {
  CreateRole: createRole,
  CreateServiceLinkedRole: ({
    input,
    account,
  }: IamCall<WithRequired<CreateServiceLinkedRoleRequest, 'AWSServiceName'>>) => ({
    Role: roleView(createServiceLinkedRole(account, input.AWSServiceName, input.Description)),
  }),
  GetRole: ({ input, account }: IamCall<WithRequired<GetRoleRequest, 'RoleName'>>) => ({
    Role: roleView(account.requireRole(input.RoleName)),
  }),
  TagRole: ({ input, account }: IamCall<WithRequired<TagRoleRequest, 'RoleName'>>) => {
    const role = account.requireRole(input.RoleName);
    role.tags = mergeTags(role.tags, input.Tags);
    return undefined;
  },
  CreateInstanceProfile: createInstanceProfile,
  GetInstanceProfile: ({
    input,
    account,
  }: IamCall<WithRequired<GetInstanceProfileRequest, 'InstanceProfileName'>>) => {
    const profile = account.requireInstanceProfile(input.InstanceProfileName);
    return { InstanceProfile: instanceProfileView(profile, account) };
  },
  AddRoleToInstanceProfile: addRoleToInstanceProfile,
  ListRoles: ({ input, account }: IamCall<ListRolesRequest>) => {
    const prefix = input.PathPrefix ?? '/';
    const roles = [...account.roles.values()]
      .filter((r) => r.path.startsWith(prefix))
      .sort((a, b) => a.roleName.localeCompare(b.roleName));
    const page = pageOf(roles, { marker: input.Marker, maxItems: input.MaxItems });
    return { Roles: page.items.map(roleView), IsTruncated: page.isTruncated, Marker: page.marker };
  },
  ListInstanceProfiles: ({ input, account }: IamCall<ListInstanceProfilesRequest>) => {
    const prefix = input.PathPrefix ?? '/';
    const profiles = [...account.instanceProfiles.values()]
      .filter((p) => p.path.startsWith(prefix))
      .sort((a, b) => a.instanceProfileName.localeCompare(b.instanceProfileName));
    const page = pageOf(profiles, { marker: input.Marker, maxItems: input.MaxItems });
    return {
      InstanceProfiles: page.items.map((p) => instanceProfileView(p, account)),
      IsTruncated: page.isTruncated,
      Marker: page.marker,
    };
  },
};
