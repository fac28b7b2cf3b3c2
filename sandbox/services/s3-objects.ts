import { createHash } from 'node:crypto';
import { AwsError } from '../protocol.ts';

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

/**
 * The tag set of a PutObject `x-amz-tagging` header: URL query parameters, as the API reference
 * says (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 */
export function taggingHeader(value: string | undefined): Record<string, string> {
  if (!value) return {};
  return Object.fromEntries(new URLSearchParams(value));
}

/** The tag set of a PutObjectTagging request, as the S3 model read it (`Tagging.TagSet`). */
export function tagSetOf(tagSet: readonly { Key: string; Value: string }[]): Record<string, string> {
  const out = Object.fromEntries(tagSet.map((tag) => [tag.Key, tag.Value]));
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
