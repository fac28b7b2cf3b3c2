import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
import { renderXml } from '../query-protocol.ts';
import type { PublicAccessBlock } from './s3.ts';

/**
 * The sandbox's S3 Control, limited to the account's Block Public Access configuration
 * (GetPublicAccessBlock, PutPublicAccessBlock, DeletePublicAccessBlock), shaped by the
 * `@aws-sdk/client-s3-control` model: REST-XML on `/v20180820/configuration/publicAccessBlock`,
 * the account in the `x-amz-account-id` header (and, against AWS, in the host name's first label).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
 *
 * S3 Control signs with S3's signing name (`s3`): the server routes requests on this API's
 * versioned path here ({@link S3_CONTROL_PATH}).
 */

/** The path prefix of every S3 Control operation (the API version). */
export const S3_CONTROL_PATH = '/v20180820/';
const BLOCK_PATH = `${S3_CONTROL_PATH}configuration/publicAccessBlock`;
const S3_CONTROL_XMLNS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
const ACCOUNT_ID = /^\d{12}$/;
const SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** S3 Control (REST-XML): the account-level Block Public Access configuration, per account. */
export class S3ControlService implements SandboxService {
  /** The name the server routes S3 Control requests under; they are signed as `s3`. */
  readonly signingNames = ['s3-control'] as const;
  readonly protocol: Protocol = 'rest-xml';
  private readonly blocks = new Map<string, PublicAccessBlock>();

  operation(req: SandboxRequest): string {
    if (req.path !== BLOCK_PATH) return 'Unsupported';
    const verb = ({ GET: 'Get', PUT: 'Put', DELETE: 'Delete' } as const)[req.method];
    return verb ? `${verb}PublicAccessBlock` : 'Unsupported';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    const accountId = this.requestedAccount(req);
    switch (operation) {
      case 'PutPublicAccessBlock':
        this.blocks.set(accountId, readBlock(req));
        return empty(req, 200);
      case 'GetPublicAccessBlock': {
        const block = this.blocks.get(accountId);
        if (!block)
          throw new AwsError(
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            404,
          );
        return {
          status: 200,
          headers: { 'content-type': 'application/xml', 'x-amz-request-id': req.requestId },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration xmlns="${S3_CONTROL_XMLNS}">${renderXml({ ...block })}</PublicAccessBlockConfiguration>`,
        };
      }
      case 'DeletePublicAccessBlock':
        this.blocks.delete(accountId);
        return empty(req, 204);
      default:
        throw new AwsError(
          'NotImplemented',
          `The sandbox does not implement this S3 Control request (${req.method} ${req.path})`,
          501,
        );
    }
  }

  /** An account's configuration, for tests: undefined when it has none. */
  accountBlock(accountId: string): Readonly<PublicAccessBlock> | undefined {
    return this.blocks.get(accountId);
  }

  /**
   * The account the request names. It is required (the model binds `AccountId` to the header),
   * and a caller may only read or change its own account's configuration: the IAM actions
   * (`s3:GetAccountPublicAccessBlock`, `s3:PutAccountPublicAccessBlock`) take no resource, so
   * another account's id is refused as AWS refuses it, AccessDenied.
   */
  private requestedAccount(req: SandboxRequest): string {
    const accountId = req.headers['x-amz-account-id'];
    if (!accountId || !ACCOUNT_ID.test(accountId))
      throw new AwsError('InvalidRequest', 'Missing or invalid x-amz-account-id header', 400);
    if (accountId !== req.accountId) throw new AwsError('AccessDenied', 'Access Denied', 403);
    return accountId;
  }
}

/** The request body's four settings; a missing setting is off, as S3 reads it. */
function readBlock(req: SandboxRequest): PublicAccessBlock {
  const text = req.body.toString('utf8');
  const parsed =
    text.trim() && XMLValidator.validate(text) === true
      ? (xmlParser.parse(text) as Record<string, unknown>)
      : undefined;
  const config = parsed?.PublicAccessBlockConfiguration;
  if (!config || typeof config !== 'object')
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  const values = config as Record<string, unknown>;
  const block = {} as PublicAccessBlock;
  for (const setting of SETTINGS) block[setting] = String(values[setting] ?? '').toLowerCase() === 'true';
  return block;
}

function empty(req: SandboxRequest, status: number): SandboxResponse {
  return { status, headers: { 'x-amz-request-id': req.requestId } };
}
