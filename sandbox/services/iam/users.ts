import type {
  CreateUserRequest,
  DeleteUserRequest,
  GetUserRequest,
  ListUsersRequest,
  ListUserTagsRequest,
  TagUserRequest,
  UntagUserRequest,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../protocol.ts';
import type { WithRequired } from '../../wire/model-service.ts';
import { pageOf } from '../../wire/pagination.ts';
import { iamId, limitExceeded, type Tag } from './model.ts';
import type { IamCall, IamOperation } from './operation.ts';
import { checkName, checkPath } from './validation.ts';
import { userView } from './views.ts';

/** AWS allows 50 tags on an IAM resource. */
const MAX_TAGS = 50;

/** Merge `added` over `existing` by key (TagUser/TagRole overwrite a key's value), within the quota. */
export function mergeTags(
  existing: readonly Tag[],
  added: readonly { Key: string | undefined; Value: string | undefined }[] = [],
): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  // Key and Value are required members of Tag: the model has refused a tag without them.
  for (const { Key, Value } of added)
    byKey.set(Key as string, { Key: Key as string, Value: Value as string });
  if (byKey.size > MAX_TAGS) {
    throw limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  }
  return [...byKey.values()];
}

const createUser: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<CreateUserRequest, 'UserName'>>) => {
  const userName = checkName('userName', input.UserName, 64);
  const path = checkPath(input.Path);
  const user = {
    userName,
    userId: iamId('AIDA', 17),
    path,
    arn: account.arn('user', path, userName),
    createDate: new Date(),
    tags: mergeTags([], input.Tags),
    policies: new Map<string, string>(),
  };
  account.addUser(user);
  return { User: userView(user, { withTags: true }) };
};

/** GetUser without a name describes the caller, as AWS does. */
const getUser: IamOperation = (call: IamCall<GetUserRequest>) => {
  const userName = call.input.UserName ?? call.callerUserName;
  if (!userName) {
    throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
  }
  return { User: userView(call.account.requireUser(userName), { withTags: true }) };
};

const listUsers: IamOperation = ({ input, account }: IamCall<ListUsersRequest>) => {
  const prefix = input.PathPrefix ?? '/';
  const users = [...account.users.values()]
    .filter((u) => u.path.startsWith(prefix))
    .sort((a, b) => a.userName.localeCompare(b.userName));
  const page = pageOf(users, { marker: input.Marker, maxItems: input.MaxItems });
  return {
    Users: page.items.map((u) => userView(u, { withTags: false })),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
};

/** AWS refuses to delete a user that still has keys or inline policies (DeleteConflict, 409). */
const deleteUser: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<DeleteUserRequest, 'UserName'>>) => {
  const user = account.requireUser(input.UserName);
  if (account.accessKeysOf(user.userName).length > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete access keys first.', 409);
  }
  if (user.policies.size > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
  }
  account.deleteUser(user.userName);
  return undefined;
};

const tagUser: IamOperation = ({ input, account }: IamCall<WithRequired<TagUserRequest, 'UserName'>>) => {
  const user = account.requireUser(input.UserName);
  user.tags = mergeTags(user.tags, input.Tags);
  return undefined;
};

const untagUser: IamOperation = ({ input, account }: IamCall<WithRequired<UntagUserRequest, 'UserName'>>) => {
  const user = account.requireUser(input.UserName);
  const removed = new Set(input.TagKeys);
  user.tags = user.tags.filter((t) => !removed.has(t.Key));
  return undefined;
};

const listUserTags: IamOperation = ({
  input,
  account,
}: IamCall<WithRequired<ListUserTagsRequest, 'UserName'>>) => {
  const user = account.requireUser(input.UserName);
  const page = pageOf(user.tags, { marker: input.Marker, maxItems: input.MaxItems });
  return {
    Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
};

/** User operations by action name. */
export const userOperations: Record<string, IamOperation> = {
  CreateUser: createUser,
  GetUser: getUser,
  ListUsers: listUsers,
  DeleteUser: deleteUser,
  TagUser: tagUser,
  UntagUser: untagUser,
  ListUserTags: listUserTags,
};
