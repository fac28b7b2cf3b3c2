import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3-control';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import type { InputShapeError } from '../wire/input-problems.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import type { PublicAccessBlock } from './s3.ts';

/**
 * The sandbox's S3 Control, limited to the account's Block Public Access configuration
 * (GetPublicAccessBlock, PutPublicAccessBlock, DeletePublicAccessBlock), read and written from the
 * `@aws-sdk/client-s3-control` model: REST-XML on `/v20180820/configuration/publicAccessBlock`,
 * the account bound to the `x-amz-account-id` header and to the host name's first label (the
 * model's `{AccountId}.` host prefix).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
 */

const ACCOUNT_ID = /^\d{12}$/;
/** The header the model binds every operation's `AccountId` to. */
const ACCOUNT_HEADER = 'x-amz-account-id';
/** The path prefix of every S3 Control operation (the API version in the model's `@http` URIs). */
const API_VERSION_PATH = '/v20180820/';

/** The account a host name names by the model's `{AccountId}.` host prefix, if it does. */
function hostAccount(req: SandboxRequest): string | undefined {
  const first = (req.headers.host ?? '').split('.')[0] ?? '';
  return ACCOUNT_ID.test(first) ? first : undefined;
}

/**
 * Whether a request signed with S3's signing name is addressed to S3 Control, as its clients
 * address it: the account in the `x-amz-account-id` header or in front of the host name, on a
 * path of the S3 Control API. S3's own operations bind neither, so a bucket named like the API
 * version stays S3's.
 */
export function isS3ControlRequest(req: SandboxRequest): boolean {
  const addressed = req.headers[ACCOUNT_HEADER] !== undefined || hostAccount(req) !== undefined;
  return addressed && req.path.startsWith(API_VERSION_PATH);
}

/** S3 Control (REST-XML): the account-level Block Public Access configuration, per account. */
export class S3ControlService extends ModelService {
  /** The name the server routes S3 Control requests under ({@link isS3ControlRequest}); they are signed as `s3`. */
  readonly signingNames = ['s3-control'] as const;
  readonly protocol = 'rest-xml' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-s3-control', 'S3ControlClient');
  private readonly blocks = new Map<string, PublicAccessBlock>();

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    PutPublicAccessBlock: (
      req,
      input: { AccountId?: string; PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration },
    ) => {
      const accountId = this.requestedAccount(req, input.AccountId);
      const config = input.PublicAccessBlockConfiguration;
      if (!config) throw new AwsError('MissingRequestBodyError', 'Request Body is empty');
      // A switch left out is off, as S3 reads it.
      this.blocks.set(accountId, {
        BlockPublicAcls: config.BlockPublicAcls === true,
        IgnorePublicAcls: config.IgnorePublicAcls === true,
        BlockPublicPolicy: config.BlockPublicPolicy === true,
        RestrictPublicBuckets: config.RestrictPublicBuckets === true,
      });
      return {};
    },
    GetPublicAccessBlock: (req, input: { AccountId?: string }) => {
      const block = this.blocks.get(this.requestedAccount(req, input.AccountId));
      if (!block)
        throw new AwsError(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      return { PublicAccessBlockConfiguration: { ...block } };
    },
    DeletePublicAccessBlock: (req, input: { AccountId?: string }) => {
      this.blocks.delete(this.requestedAccount(req, input.AccountId));
      return {};
    },
  };

  /** An account's configuration, for tests: undefined when it has none. */
  accountBlock(accountId: string): Readonly<PublicAccessBlock> | undefined {
    return this.blocks.get(accountId);
  }

  /**
   * S3's answers to a request its schema refuses, which S3 Control shares
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): `InvalidRequest` without
   * the account, `MalformedXML` for a body that does not validate against the schema (an unknown
   * element, a value of the wrong type).
   */
  protected override inputError(error: InputShapeError): AwsError {
    const [first] = error.problems;
    if (first?.kind === 'missing' && first.path === 'accountId') return missingAccount();
    return new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }

  /**
   * The account the request names. It is required (the header, or the host prefix when the header
   * is absent; both must agree), and a caller may only read or change its own account's
   * configuration: the IAM actions (`s3:GetAccountPublicAccessBlock`,
   * `s3:PutAccountPublicAccessBlock`) take no resource, so another account's id is refused as AWS
   * refuses it, AccessDenied.
   */
  private requestedAccount(req: SandboxRequest, fromHeader: string | undefined): string {
    const fromHost = hostAccount(req);
    const accountId = fromHeader ?? fromHost;
    if (!accountId || !ACCOUNT_ID.test(accountId) || (fromHost && fromHost !== accountId))
      throw missingAccount();
    if (accountId !== req.accountId) throw new AwsError('AccessDenied', 'Access Denied', 403);
    return accountId;
  }
}

function missingAccount(): AwsError {
  return new AwsError('InvalidRequest', 'Missing or invalid x-amz-account-id header', 400);
}
