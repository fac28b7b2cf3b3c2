import { members, paginate, requiredParam } from '../../query-protocol.ts';
import { type IamAccessKey, iamId, limitExceeded, noSuchEntity, secretAccessKey } from './model.ts';
import { type IamOperation, targetUserName } from './operation.ts';
import { accessKeyMetadataXml } from './render.ts';
import { checkStatus } from './validation.ts';

/** AWS allows two access keys per user, so a key can be rotated without downtime. */
const ACCESS_KEYS_PER_USER = 2;

/** Hooks into the key lifecycle, for what lives outside one account's state. */
export interface AccessKeyLifecycle {
  /** A key was deleted: requests signed with it must be refused from now on. */
  deleted(key: IamAccessKey, accountId: string): void;
}

/** Access key operations by action name. */
export function accessKeyOperations(lifecycle: AccessKeyLifecycle): Record<string, IamOperation> {
  const createAccessKey: IamOperation = (call) => {
    const user = call.account.requireUser(targetUserName(call));
    if (call.account.accessKeysOf(user.userName).length >= ACCESS_KEYS_PER_USER) {
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    const key: IamAccessKey = {
      // Long-term keys start with AKIA; temporary (STS) keys with ASIA.
      accessKeyId: iamId('AKIA', 16),
      secretAccessKey: secretAccessKey(),
      userName: user.userName,
      status: 'Active',
      createDate: new Date(),
    };
    call.account.accessKeys.set(key.accessKeyId, key);
    return {
      AccessKey: {
        UserName: key.userName,
        AccessKeyId: key.accessKeyId,
        Status: key.status,
        SecretAccessKey: key.secretAccessKey,
        CreateDate: key.createDate,
      },
    };
  };

  return {
    CreateAccessKey: createAccessKey,

    ListAccessKeys: (call) => {
      const user = call.account.requireUser(targetUserName(call));
      const page = paginate(call.account.accessKeysOf(user.userName), call.params);
      return {
        AccessKeyMetadata: members(page.items.map(accessKeyMetadataXml)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    UpdateAccessKey: (call) => {
      const accessKeyId = requiredParam(call.params, 'AccessKeyId');
      const status = checkStatus(requiredParam(call.params, 'Status'));
      const user = call.account.requireUser(targetUserName(call));
      call.account.requireAccessKeyOf(user.userName, accessKeyId).status = status;
      return undefined;
    },

    DeleteAccessKey: (call) => {
      const accessKeyId = requiredParam(call.params, 'AccessKeyId');
      const user = call.account.requireUser(targetUserName(call));
      const key = call.account.requireAccessKeyOf(user.userName, accessKeyId);
      call.account.accessKeys.delete(accessKeyId);
      lifecycle.deleted(key, call.account.accountId);
      return undefined;
    },

    GetAccessKeyLastUsed: ({ params, account }) => {
      const accessKeyId = requiredParam(params, 'AccessKeyId');
      const key = account.accessKeys.get(accessKeyId);
      if (!key) throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
      // A key never used reports N/A for service and region and no date, as AWS does.
      return {
        UserName: key.userName,
        AccessKeyLastUsed: {
          LastUsedDate: key.lastUsed?.date,
          ServiceName: key.lastUsed?.serviceName ?? 'N/A',
          Region: key.lastUsed?.region ?? 'N/A',
        },
      };
    },
  };
}
