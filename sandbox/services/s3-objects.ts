import { createHash } from 'node:crypto';
import { AwsError, type SandboxRequest, type SandboxResponse } from '../protocol.ts';

/*
 * Objects of the sandbox's S3: enough for a test to upload a file with tags (as GuardDuty Malware
 * Protection tags a scanned object), read it back, and be refused by a bucket policy conditioned
 * on those tags (s3:ExistingObjectTag/<key>, evaluated by the sandbox's IAM). No versions, no
 * multipart uploads, no ranges.
 */

/** One stored object: its bytes and its tag set. */
export interface StoredObject {
  body: Buffer;
  tags: Record<string, string>;
  etag: string;
}

/** The object operations the sandbox answers, by method and `?tagging`. */
export function objectOperation(req: SandboxRequest, verb: string): string {
  const tagging = req.query.has('tagging');
  if (verb === 'Put') return tagging ? 'PutObjectTagging' : 'PutObject';
  if (verb === 'Get') return tagging ? 'GetObjectTagging' : 'GetObject';
  if (verb === 'Delete' && !tagging) return 'DeleteObject';
  return 'Unsupported';
}

/**
 * The tag set of a PutObject `x-amz-tagging` header: URL query parameters, as the API reference
 * says (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 */
export function taggingHeader(value: string | undefined): Record<string, string> {
  if (!value) return {};
  return Object.fromEntries(new URLSearchParams(value));
}

/** The `<Tagging><TagSet><Tag>` of a PutObjectTagging body, as fast-xml-parser reads it. */
export function tagSetOf(body: Record<string, unknown>): Record<string, string> {
  const set = (body.Tagging as { TagSet?: { Tag?: unknown } } | undefined)?.TagSet?.Tag;
  const tags = set === undefined ? [] : Array.isArray(set) ? set : [set];
  const out: Record<string, string> = {};
  for (const tag of tags as { Key?: unknown; Value?: unknown }[]) {
    if (typeof tag?.Key !== 'string')
      throw new AwsError('MalformedXML', 'The XML you provided was not well-formed');
    out[tag.Key] = String(tag.Value ?? '');
  }
  // S3 allows up to 10 tags per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html).
  if (Object.keys(out).length > 10) throw new AwsError('BadRequest', 'Object tags cannot be greater than 10');
  return out;
}

export function storedObject(body: Buffer, tags: Record<string, string>): StoredObject {
  return { body, tags, etag: `"${createHash('md5').update(body).digest('hex')}"` };
}

export function requireObject(objects: Map<string, StoredObject> | undefined, key: string): StoredObject {
  const object = objects?.get(key);
  if (!object) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
  return object;
}

export function objectResponse(req: SandboxRequest, object: StoredObject): SandboxResponse {
  return {
    status: 200,
    headers: {
      'x-amz-request-id': req.requestId,
      'content-type': 'application/octet-stream',
      etag: object.etag,
      'x-amz-tagging-count': String(Object.keys(object.tags).length),
    },
    body: object.body,
  };
}
