import { AwsError } from '../../protocol.ts';
import { members, paginate, queryList, queryTags, requiredParam, type Tag } from '../../query-protocol.ts';
import { iamId, limitExceeded } from './model.ts';
import type { IamCall, IamOperation } from './operation.ts';
import { userXml } from './render.ts';
import { checkName, checkPath } from './validation.ts';

/** AWS allows 50 tags on an IAM resource. */
const MAX_TAGS = 50;

/** Merge `added` over `existing` by key (TagUser/TagRole overwrite a key's value), within the quota. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const tag of added) byKey.set(tag.Key, tag);
  if (byKey.size > MAX_TAGS) {
    throw limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  }
  return [...byKey.values()];
}

const createUser: IamOperation = ({ params, account }) => {
  const userName = checkName('userName', requiredParam(params, 'UserName'), 64);
  const path = checkPath(params.get('Path'));
  const user = {
    userName,
    userId: iamId('AIDA', 17),
    path,
    arn: account.arn('user', path, userName),
    createDate: new Date(),
    tags: mergeTags([], queryTags(params)),
    policies: new Map<string, string>(),
  };
  account.addUser(user);
  return { User: userXml(user, { withTags: true }) };
};

/** GetUser without a name describes the caller, as AWS does. */
const getUser: IamOperation = (call) => {
  const userName = call.params.get('UserName') ?? call.callerUserName;
  if (!userName) {
    throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
  }
  return { User: userXml(call.account.requireUser(userName), { withTags: true }) };
};

const listUsers: IamOperation = ({ params, account }) => {
  const prefix = params.get('PathPrefix') ?? '/';
  const users = [...account.users.values()]
    .filter((u) => u.path.startsWith(prefix))
    .sort((a, b) => a.userName.localeCompare(b.userName));
  const page = paginate(users, params);
  return {
    Users: members(page.items.map((u) => userXml(u, { withTags: false }))),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
};

/** AWS refuses to delete a user that still has keys or inline policies (DeleteConflict, 409). */
const deleteUser: IamOperation = ({ params, account }) => {
  const user = account.requireUser(requiredParam(params, 'UserName'));
  if (account.accessKeysOf(user.userName).length > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete access keys first.', 409);
  }
  if (user.policies.size > 0) {
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
  }
  account.deleteUser(user.userName);
  return undefined;
};

const tagUser: IamOperation = ({ params, account }) => {
  const user = account.requireUser(requiredParam(params, 'UserName'));
  user.tags = mergeTags(user.tags, queryTags(params));
  return undefined;
};

const untagUser: IamOperation = ({ params, account }) => {
  const user = account.requireUser(requiredParam(params, 'UserName'));
  const removed = new Set(queryList(params, 'TagKeys'));
  user.tags = user.tags.filter((t) => !removed.has(t.Key));
  return undefined;
};

const listUserTags: IamOperation = ({ params, account }: IamCall) => {
  const user = account.requireUser(requiredParam(params, 'UserName'));
  const page = paginate(user.tags, params);
  return {
    Tags: members(page.items.map((t) => ({ Key: t.Key, Value: t.Value }))),
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
