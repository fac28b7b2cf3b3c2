import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import {
  AwsError,
  type Protocol,
  type SandboxRequest,
  type SandboxResponse,
  type SandboxService,
} from '../protocol.ts';
import { renderXml, type XmlObject } from '../query-protocol.ts';
import {
  objectOperation,
  objectResponse,
  requireObject,
  type StoredObject,
  storedObject,
  taggingHeader,
  tagSetOf,
} from './s3-objects.ts';

/**
 * The sandbox's S3, limited to the bucket controls the playbooks use: public access block,
 * bucket policy and policy status; and plain objects with tags (./s3-objects.ts).
 *
 * Clients should use path-style addressing (`/bucket?publicAccessBlock`): give the
 * JavaScript SDK client `forcePathStyle: true` against the sandbox. It picks path style by
 * itself only for an IP endpoint (`http://127.0.0.1:4566`); with a host name such as
 * `localhost` it would look up `bucket.localhost`, which does not resolve everywhere.
 * Virtual-hosted requests that do arrive (`Host: bucket.localhost:4566`) are understood.
 */

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** The four switches of S3 Block Public Access. */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

/** A bucket and the controls the sandbox keeps for it. */
export interface BucketState {
  name: string;
  accountId: string;
  region: string;
  creationDate: Date;
  publicAccessBlock?: PublicAccessBlock;
  /** The bucket policy exactly as submitted. */
  policy?: string;
  /** Objects by key. */
  objects?: Map<string, StoredObject>;
}

/** Host names that carry a bucket as their first label(s) in virtual-hosted addressing. */
const VIRTUAL_HOST = /^(.+?)\.(localhost|127\.0\.0\.1|s3[.-]([\w-]+\.)*amazonaws\.com)$/;

/** Bucket naming rules: 3-63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

const BucketPolicyStatement = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Principal: z.optional(z.unknown()),
  Condition: z.optional(z.unknown()),
});
const BucketPolicy = z.looseObject({
  Statement: z.union([BucketPolicyStatement, z.array(BucketPolicyStatement).check(z.minLength(1))]),
});

function malformedPolicy(): AwsError {
  return new AwsError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
}

/**
 * Whether a bucket policy grants public access: an unconditional `Allow` to everyone
 * (`"Principal": "*"` or `{"AWS": "*"}`). S3 also treats some conditions as non-public
 * (source VPC, IP ranges...); here any condition does, which is what the playbooks need.
 * Throws `MalformedPolicy` (400) for a document S3 would refuse.
 */
export function isPublicBucketPolicy(policy: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(policy);
  } catch (err) {
    throw Object.assign(malformedPolicy(), { cause: err });
  }
  const parsed = BucketPolicy.safeParse(json);
  if (!policy.trimStart().startsWith('{') || !parsed.success) {
    throw malformedPolicy();
  }
  const statements = Array.isArray(parsed.data.Statement) ? parsed.data.Statement : [parsed.data.Statement];
  return statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && isEveryone(s.Principal));
}

function isEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object' && 'AWS' in principal) {
    const aws = (principal as { AWS: unknown }).AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  }
  return false;
}

/** The object key a request addresses, after the bucket; `undefined` for a bucket request. */
function addressedKey(req: SandboxRequest): string | undefined {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const segments = req.path.split('/').slice(VIRTUAL_HOST.test(host) ? 1 : 2);
  const key = segments.join('/');
  return key === '' ? undefined : decodeURIComponent(key);
}

/** The bucket a request addresses: the first path segment, or the host's first label(s). */
function addressedBucket(req: SandboxRequest): string | undefined {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const virtual = VIRTUAL_HOST.exec(host)?.[1];
  if (virtual) return virtual;
  const segment = req.path.split('/')[1];
  return segment ? decodeURIComponent(segment) : undefined;
}

/** S3 identifies accounts by a 64-hex-digit canonical user id. */
function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`sandbox-canonical-${accountId}`).digest('hex');
}

function xmlResponse(req: SandboxRequest, root: string, content: XmlObject): SandboxResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': req.requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${renderXml(content)}</${root}>`,
  };
}

function emptyResponse(
  req: SandboxRequest,
  status: number,
  headers: Record<string, string> = {},
): SandboxResponse {
  return { status, headers: { 'x-amz-request-id': req.requestId, ...headers } };
}

/** Parse an XML request body, answering `MalformedXML` (400) as S3 does. */
function parseXmlBody(req: SandboxRequest): Record<string, unknown> {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return {};
  if (XMLValidator.validate(text) !== true) {
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  return xmlParser.parse(text) as Record<string, unknown>;
}

/** S3 (REST-XML): buckets, Block Public Access, bucket policies. State is per account. */
export class S3Service implements SandboxService {
  readonly signingNames = ['s3'] as const;
  readonly protocol: Protocol = 'rest-xml';
  /** Bucket names are global across accounts, as in S3; each bucket records its owner. */
  private readonly buckets = new Map<string, BucketState>();

  /** A bucket's policy and owner, for IAM to evaluate with the caller's identity policies. */
  bucketPolicy(name: string): { document?: string; accountId: string } | undefined {
    const bucket = this.buckets.get(name);
    return bucket && { document: bucket.policy, accountId: bucket.accountId };
  }

  /** An object's tags, for IAM's `s3:ExistingObjectTag/<key>` condition keys. */
  objectTags(bucket: string, key: string): Readonly<Record<string, string>> | undefined {
    return this.buckets.get(bucket)?.objects?.get(key)?.tags;
  }

  operation(req: SandboxRequest): string {
    const bucket = addressedBucket(req);
    if (!bucket) return req.method === 'GET' ? 'ListBuckets' : 'Unsupported';
    const verb = ({ GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head' } as const)[req.method];
    if (!verb) return 'Unsupported';
    if (addressedKey(req) !== undefined) return objectOperation(req, verb);
    if (req.query.has('publicAccessBlock')) {
      return verb === 'Head' ? 'Unsupported' : `${verb}PublicAccessBlock`;
    }
    if (req.query.has('policyStatus')) return verb === 'Get' ? 'GetBucketPolicyStatus' : 'Unsupported';
    if (req.query.has('policy')) return verb === 'Head' ? 'Unsupported' : `${verb}BucketPolicy`;
    if (verb === 'Put') return 'CreateBucket';
    if (verb === 'Head') return 'HeadBucket';
    return 'Unsupported';
  }

  async handle(req: SandboxRequest, operation: string): Promise<SandboxResponse> {
    if (operation === 'ListBuckets') return this.listBuckets(req);
    const name = addressedBucket(req) ?? '';
    if (operation === 'CreateBucket') return this.createBucket(req, name);
    const bucket = this.ownedBucket(req, name);
    switch (operation) {
      case 'HeadBucket':
        return emptyResponse(req, 200, { 'x-amz-bucket-region': bucket.region });
      case 'PutPublicAccessBlock':
        bucket.publicAccessBlock = readPublicAccessBlock(parseXmlBody(req));
        return emptyResponse(req, 200);
      case 'GetPublicAccessBlock':
        if (!bucket.publicAccessBlock) {
          throw new AwsError(
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            404,
          );
        }
        return xmlResponse(req, 'PublicAccessBlockConfiguration', { ...bucket.publicAccessBlock });
      case 'DeletePublicAccessBlock':
        bucket.publicAccessBlock = undefined;
        return emptyResponse(req, 204);
      case 'PutBucketPolicy':
        return this.putBucketPolicy(req, bucket);
      case 'GetBucketPolicy':
        return {
          ...emptyResponse(req, 200, { 'content-type': 'application/json' }),
          body: requirePolicy(bucket),
        };
      case 'DeleteBucketPolicy':
        bucket.policy = undefined;
        return emptyResponse(req, 204);
      case 'PutObject': {
        const objects = bucket.objects ?? new Map<string, StoredObject>();
        bucket.objects = objects;
        const object = storedObject(req.body, taggingHeader(req.headers['x-amz-tagging']));
        objects.set(addressedKey(req) ?? '', object);
        return emptyResponse(req, 200, { etag: object.etag });
      }
      case 'GetObject':
        return objectResponse(req, requireObject(bucket.objects, addressedKey(req) ?? ''));
      case 'DeleteObject':
        bucket.objects?.delete(addressedKey(req) ?? '');
        return emptyResponse(req, 204);
      case 'PutObjectTagging':
        requireObject(bucket.objects, addressedKey(req) ?? '').tags = tagSetOf(parseXmlBody(req));
        return emptyResponse(req, 200);
      case 'GetObjectTagging': {
        const { tags } = requireObject(bucket.objects, addressedKey(req) ?? '');
        return xmlResponse(req, 'Tagging', {
          TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        });
      }
      case 'GetBucketPolicyStatus': {
        // A public policy stops granting public access once RestrictPublicBuckets is on.
        const isPublic =
          isPublicBucketPolicy(requirePolicy(bucket)) && !bucket.publicAccessBlock?.RestrictPublicBuckets;
        return xmlResponse(req, 'PolicyStatus', { IsPublic: isPublic });
      }
      default:
        throw new AwsError(
          'NotImplemented',
          `The sandbox does not implement this S3 request (${req.method} ${req.path})`,
          501,
        );
    }
  }

  /** A bucket's state, for tests and the demo. */
  bucket(name: string): Readonly<BucketState> | undefined {
    return this.buckets.get(name);
  }

  private listBuckets(req: SandboxRequest): SandboxResponse {
    const owned = [...this.buckets.values()]
      .filter((b) => b.accountId === req.accountId)
      .sort((a, b) => a.name.localeCompare(b.name));
    return xmlResponse(req, 'ListAllMyBucketsResult', {
      Buckets: {
        Bucket: owned.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: b.region })),
      },
      Owner: { ID: canonicalUserId(req.accountId) },
    });
  }

  private createBucket(req: SandboxRequest, name: string): SandboxResponse {
    if (!BUCKET_NAME.test(name) || name.includes('..')) {
      throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.');
    }
    const existing = this.buckets.get(name);
    if (existing && existing.accountId !== req.accountId) {
      throw new AwsError(
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        409,
      );
    }
    const config = parseXmlBody(req).CreateBucketConfiguration as { LocationConstraint?: string } | undefined;
    const region = config?.LocationConstraint || req.region;
    // us-east-1 keeps its legacy answer for re-creating your own bucket: success.
    if (existing && region !== 'us-east-1') {
      throw new AwsError(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
      );
    }
    if (!existing) {
      this.buckets.set(name, { name, accountId: req.accountId, region, creationDate: new Date() });
    }
    return emptyResponse(req, 200, { location: `/${name}` });
  }

  /** Block Public Access refuses a public policy with AccessDenied once BlockPublicPolicy is on. */
  private putBucketPolicy(req: SandboxRequest, bucket: BucketState): SandboxResponse {
    const policy = req.body.toString('utf8');
    const isPublic = isPublicBucketPolicy(policy);
    if (isPublic && bucket.publicAccessBlock?.BlockPublicPolicy) {
      throw new AwsError('AccessDenied', 'Access Denied', 403);
    }
    bucket.policy = policy;
    return emptyResponse(req, 204);
  }

  /** A bucket of the caller's account; another account's bucket is AccessDenied, as without a grant. */
  private ownedBucket(req: SandboxRequest, name: string): BucketState {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    if (bucket.accountId !== req.accountId) throw new AwsError('AccessDenied', 'Access Denied', 403);
    return bucket;
  }
}

function requirePolicy(bucket: BucketState): string {
  if (bucket.policy === undefined) {
    throw new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
  }
  return bucket.policy;
}

/** Missing switches are off; S3 accepts `true`/`TRUE`. */
function readPublicAccessBlock(body: Record<string, unknown>): PublicAccessBlock {
  const config = body.PublicAccessBlockConfiguration;
  if (config === undefined || typeof config !== 'object') {
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  const values = config as Record<string, unknown>;
  const flag = (name: keyof PublicAccessBlock) => String(values[name] ?? '').toLowerCase() === 'true';
  return {
    BlockPublicAcls: flag('BlockPublicAcls'),
    IgnorePublicAcls: flag('IgnorePublicAcls'),
    BlockPublicPolicy: flag('BlockPublicPolicy'),
    RestrictPublicBuckets: flag('RestrictPublicBuckets'),
  };
}
