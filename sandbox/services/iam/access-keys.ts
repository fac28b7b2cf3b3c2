import type {
  DeleteAccessKeyRequest,
  GetAccessKeyLastUsedRequest,
  ListAccessKeysRequest,
  UpdateAccessKeyRequest,
} from '@aws-sdk/client-iam';
import type { WithRequired } from '../../wire/model-service.ts';
import { pageOf } from '../../wire/pagination.ts';
import { type IamAccessKey, iamId, limitExceeded, noSuchEntity, secretAccessKey } from './model.ts';
import { type IamCall, type IamOperation, targetUserName } from './operation.ts';
import { checkStatus } from './validation.ts';
import { accessKeyMetadataView } from './views.ts';

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

    ListAccessKeys: (call: IamCall<ListAccessKeysRequest>) => {
      const user = call.account.requireUser(targetUserName(call));
      const page = pageOf(call.account.accessKeysOf(user.userName), {
        marker: call.input.Marker,
        maxItems: call.input.MaxItems,
      });
      return {
        AccessKeyMetadata: page.items.map(accessKeyMetadataView),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    UpdateAccessKey: (call: IamCall<WithRequired<UpdateAccessKeyRequest, 'AccessKeyId' | 'Status'>>) => {
      const { AccessKeyId: accessKeyId, Status: status } = call.input;
      const user = call.account.requireUser(targetUserName(call));
      // The model's enum has `Expired` too; a caller can only set a key Active or Inactive.
      call.account.requireAccessKeyOf(user.userName, accessKeyId).status = checkStatus(status);
      return undefined;
    },

    DeleteAccessKey: (call: IamCall<WithRequired<DeleteAccessKeyRequest, 'AccessKeyId'>>) => {
      const accessKeyId = call.input.AccessKeyId;
      const user = call.account.requireUser(targetUserName(call));
      const key = call.account.requireAccessKeyOf(user.userName, accessKeyId);
      call.account.accessKeys.delete(accessKeyId);
      lifecycle.deleted(key, call.account.accountId);
      return undefined;
    },

    GetAccessKeyLastUsed: ({
      input,
      account,
    }: IamCall<WithRequired<GetAccessKeyLastUsedRequest, 'AccessKeyId'>>) => {
      const accessKeyId = input.AccessKeyId;
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
