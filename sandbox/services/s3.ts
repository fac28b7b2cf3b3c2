import { createHash } from 'node:crypto';
import type { CreateBucketRequest, PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AwsError, type SandboxRequest } from '../protocol.ts';
import type { InputShapeError } from '../wire/input-problems.ts';
import { ModelService, type OperationHandler } from '../wire/model-service.ts';
import { ServiceModel } from '../wire/service-model.ts';
import { requireObject, type StoredObject, storedObject, taggingHeader, tagSetOf } from './s3-objects.ts';

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

/** The request names a bucket: every operation served here but ListBuckets. */
type ForBucket = { Bucket: string };
/** The request names an object of the bucket. */
type ForObject = ForBucket & { Key: string };

const MALFORMED_XML =
  'The XML you provided was not well-formed or did not validate against our published schema';

/**
 * S3 (REST-XML): buckets, Block Public Access, bucket policies, read and written from the SDK's
 * model of S3. State is per account.
 */
export class S3Service extends ModelService {
  readonly signingNames = ['s3'] as const;
  readonly protocol = 'rest-xml' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-s3', 'S3Client');
  /** Bucket names are global across accounts, as in S3; each bucket records its owner. */
  private readonly buckets = new Map<string, BucketState>();

  /** An object's tags, for IAM's `s3:ExistingObjectTag/<key>` condition keys. */
  objectTags(bucket: string, key: string): Readonly<Record<string, string>> | undefined {
    return this.buckets.get(bucket)?.objects?.get(key)?.tags;
  }

  protected readonly operations: Readonly<Record<string, OperationHandler>> = {
    ListBuckets: (req: SandboxRequest) => this.listBuckets(req),
    CreateBucket: (req, input: ForBucket & CreateBucketRequest) => this.createBucket(req, input),
    HeadBucket: (req, input: ForBucket) => ({ BucketRegion: this.ownedBucket(req, input.Bucket).region }),
    PutPublicAccessBlock: (
      req,
      input: ForBucket & { PublicAccessBlockConfiguration: PublicAccessBlockConfiguration },
    ) => {
      const config = input.PublicAccessBlockConfiguration;
      // Missing switches are off.
      this.ownedBucket(req, input.Bucket).publicAccessBlock = {
        BlockPublicAcls: config.BlockPublicAcls === true,
        IgnorePublicAcls: config.IgnorePublicAcls === true,
        BlockPublicPolicy: config.BlockPublicPolicy === true,
        RestrictPublicBuckets: config.RestrictPublicBuckets === true,
      };
      return {};
    },
    GetPublicAccessBlock: (req, input: ForBucket) => {
      const bucket = this.ownedBucket(req, input.Bucket);
      if (!bucket.publicAccessBlock) {
        throw new AwsError(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      }
      return { PublicAccessBlockConfiguration: { ...bucket.publicAccessBlock } };
    },
    DeletePublicAccessBlock: (req, input: ForBucket) => {
      this.ownedBucket(req, input.Bucket).publicAccessBlock = undefined;
      return {};
    },
    PutBucketPolicy: (req, input: ForBucket & { Policy: string }) => {
      this.putBucketPolicy(this.ownedBucket(req, input.Bucket), input.Policy);
      return {};
    },
    GetBucketPolicy: (req, input: ForBucket) => ({
      Policy: requirePolicy(this.ownedBucket(req, input.Bucket)),
    }),
    DeleteBucketPolicy: (req, input: ForBucket) => {
      this.ownedBucket(req, input.Bucket).policy = undefined;
      return {};
    },
    PutObject: (req, input: ForObject & { Body?: Uint8Array; Tagging?: string }) => {
      const bucket = this.ownedBucket(req, input.Bucket);
      bucket.objects ??= new Map<string, StoredObject>();
      const object = storedObject(Buffer.from(input.Body ?? new Uint8Array()), taggingHeader(input.Tagging));
      bucket.objects.set(input.Key, object);
      return { ETag: object.etag };
    },
    GetObject: (req, input: ForObject) => {
      const object = requireObject(this.ownedBucket(req, input.Bucket).objects, input.Key);
      return {
        Body: object.body,
        ETag: object.etag,
        ContentType: 'application/octet-stream',
        TagCount: Object.keys(object.tags).length,
      };
    },
    DeleteObject: (req, input: ForObject) => {
      this.ownedBucket(req, input.Bucket).objects?.delete(input.Key);
      return {};
    },
    PutObjectTagging: (req, input: ForObject & { Tagging: { TagSet: { Key: string; Value: string }[] } }) => {
      requireObject(this.ownedBucket(req, input.Bucket).objects, input.Key).tags = tagSetOf(
        input.Tagging.TagSet,
      );
      return {};
    },
    GetObjectTagging: (req, input: ForObject) => {
      const { tags } = requireObject(this.ownedBucket(req, input.Bucket).objects, input.Key);
      return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
    },
    GetBucketPolicyStatus: (req, input: ForBucket) => {
      const bucket = this.ownedBucket(req, input.Bucket);
      // A public policy stops granting public access once RestrictPublicBuckets is on.
      const isPublic =
        isPublicBucketPolicy(requirePolicy(bucket)) && !bucket.publicAccessBlock?.RestrictPublicBuckets;
      return { PolicyStatus: { IsPublic: isPublic } };
    },
  };

  /** A bucket's policy and owner, for IAM to evaluate with the caller's identity policies. */
  bucketPolicy(name: string): { document?: string; accountId: string } | undefined {
    const bucket = this.buckets.get(name);
    return bucket && { document: bucket.policy, accountId: bucket.accountId };
  }

  /** A request without a bucket lists the caller's buckets, whatever else it carries. */
  override operation(req: SandboxRequest): string | Promise<string> {
    if (!addressedBucket(req)) return req.method === 'GET' ? 'ListBuckets' : 'Unsupported';
    return super.operation(req);
  }

  /** S3's model leaves the bucket to the endpoint: it is the host's first label(s) or the first path segment. */
  protected override restAddress(req: SandboxRequest): { path: string; labels: Record<string, string> } {
    const path = req.rawPath ?? req.path;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const virtual = VIRTUAL_HOST.exec(host)?.[1];
    if (virtual) return { path, labels: { Bucket: virtual } };
    const [, first = '', ...rest] = path.split('/');
    if (!first) return { path, labels: {} };
    return { path: `/${rest.join('/')}`, labels: { Bucket: decodeURIComponent(first) } };
  }

  /**
   * S3's answers to a request its schema refuses (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
   * `MissingRequestBodyError` when the body it needs is empty, `InvalidArgument` for a value
   * outside what S3 accepts, `MalformedXML` for a body that does not validate against its schema.
   */
  protected override inputError(error: InputShapeError): AwsError {
    const [first] = error.problems;
    if (first?.kind === 'missing' && !first.path.includes('.'))
      return new AwsError('MissingRequestBodyError', 'Request Body is empty');
    if (first?.kind === 'enum') return new AwsError('InvalidArgument', error.message);
    return new AwsError('MalformedXML', MALFORMED_XML);
  }

  /** A bucket's state, for tests and the demo. */
  bucket(name: string): Readonly<BucketState> | undefined {
    return this.buckets.get(name);
  }

  private listBuckets(req: SandboxRequest): object {
    const owned = [...this.buckets.values()]
      .filter((b) => b.accountId === req.accountId)
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      Buckets: owned.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: b.region })),
      Owner: { ID: canonicalUserId(req.accountId) },
    };
  }

  private createBucket(req: SandboxRequest, input: ForBucket & CreateBucketRequest): object {
    const name = input.Bucket;
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
    const region = input.CreateBucketConfiguration?.LocationConstraint || req.region;
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
    return { Location: `/${name}` };
  }

  /** Block Public Access refuses a public policy with AccessDenied once BlockPublicPolicy is on. */
  private putBucketPolicy(bucket: BucketState, policy: string): void {
    const isPublic = isPublicBucketPolicy(policy);
    if (isPublic && bucket.publicAccessBlock?.BlockPublicPolicy) {
      throw new AwsError('AccessDenied', 'Access Denied', 403);
    }
    bucket.policy = policy;
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
