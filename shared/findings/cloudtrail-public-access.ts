import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { InvalidFindingError } from '#shared/errors.ts';
import { requestAs } from './cloudtrail-request.ts';
import { BUCKET_NAME, type Resource } from './finding.ts';

/**
 * Block Public Access weakened, at a bucket (`PutBucketPublicAccessBlock`) or for the whole
 * account (`PutAccountPublicAccessBlock`, `DeleteAccountPublicAccessBlock`: CloudTrail names
 * S3 Control's account-level calls after the account, not after the API action,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-account-level-tracking).
 *
 * The request carries the whole new configuration (`PublicAccessBlockConfiguration`, the four
 * settings, each `true`/`false`; a setting left out is off). It does not carry the configuration
 * it replaced, so what was turned off cannot be told from the record alone: a call that leaves any
 * setting off is treated as weakening the block, and the playbooks turn every setting back on,
 * recording the configuration they found so undo can put exactly that back.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
 */

/** Severity scores of a Block Public Access call. */
export const PUBLIC_ACCESS_BLOCK_SEVERITY = {
  /** A setting left off (or the whole account configuration deleted): public grants may take effect. */
  weakened: 7,
  /** Every setting on: nothing was weakened. */
  allOn: 2,
} as const;

/** The four settings, as S3 names them. */
export const BLOCK_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const;

/** CloudTrail logs the XML body's values as booleans; strings are read too. */
const Setting = z.optional(z.union([z.boolean(), z.string()]));
const Configuration = z.looseObject(Object.fromEntries(BLOCK_SETTINGS.map((s) => [s, Setting])));
const PutRequest = z.looseObject({
  bucketName: z.optional(z.string()),
  PublicAccessBlockConfiguration: Configuration,
});

type Call = {
  detail: { eventName: string; requestParameters?: Record<string, unknown> | null };
};

/** What a Block Public Access call means: the resource, how bad, and the settings it left off. */
export interface PublicAccessAssessment {
  resource: Resource;
  score: number;
  title: string;
  change: Record<string, unknown>;
}

/** The settings a configuration leaves off (absent counts as off, as S3 reads it). */
function settingsOff(configuration: Record<string, unknown>): string[] {
  return BLOCK_SETTINGS.filter((s) => String(configuration[s] ?? 'false').toLowerCase() !== 'true');
}

function assessPut(event: Call, level: 'bucket' | 'account'): PublicAccessAssessment {
  const request = requestAs(event, PutRequest);
  const off = settingsOff(request.PublicAccessBlockConfiguration);
  const change = { settingsOff: off };
  const score = off.length > 0 ? PUBLIC_ACCESS_BLOCK_SEVERITY.weakened : PUBLIC_ACCESS_BLOCK_SEVERITY.allOn;
  if (level === 'account') {
    const title =
      off.length > 0
        ? `Account-level Block Public Access weakened (${off.join(', ')} off)`
        : 'Account-level Block Public Access set, every setting on';
    return { resource: { kind: 'Account' }, score, title, change };
  }
  const bucketName = request.bucketName ?? '';
  if (!BUCKET_NAME.test(bucketName))
    throw new InvalidFindingError(`${event.detail.eventName} names no usable bucket ("${bucketName}")`, [
      `detail.requestParameters.bucketName: "${bucketName}" is not a bucket name`,
    ]);
  const title =
    off.length > 0
      ? `Block Public Access weakened on bucket ${bucketName} (${off.join(', ')} off)`
      : `Block Public Access set on bucket ${bucketName}, every setting on`;
  return { resource: { kind: 'Bucket', bucketName }, score, title, change };
}

/** The Block Public Access calls, by CloudTrail event name. */
export const PUBLIC_ACCESS_CALLS: Readonly<Record<string, (event: Call) => PublicAccessAssessment>> = {
  PutBucketPublicAccessBlock: (event) => assessPut(event, 'bucket'),
  PutAccountPublicAccessBlock: (event) => assessPut(event, 'account'),
  DeleteAccountPublicAccessBlock: () => ({
    resource: { kind: 'Account' },
    score: PUBLIC_ACCESS_BLOCK_SEVERITY.weakened,
    title: 'Account-level Block Public Access removed',
    change: { settingsOff: [...BLOCK_SETTINGS] },
  }),
};
