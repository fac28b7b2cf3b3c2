import { AwsError } from '../protocol.ts';

/**
 * The queue attributes SetQueueAttributes (and CreateQueue) take; any other name is refused with
 * InvalidAttributeName, as SQS does.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
const SETTABLE = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Refuse an attribute SQS does not let a caller set. */
export function checkSettable(attributes: Record<string, string>): void {
  for (const name of Object.keys(attributes))
    if (!SETTABLE.has(name)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`, 400);
}

/**
 * A new queue's attributes: SQS turns on SSE-SQS for a queue created without a KMS key and
 * without `SqsManagedSseEnabled` saying otherwise; GetQueueAttributes always answers the setting.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
 */
export function withEncryptionDefault(attributes: Record<string, string>): Record<string, string> {
  if (attributes.SqsManagedSseEnabled !== undefined) return { ...attributes };
  return { ...attributes, SqsManagedSseEnabled: attributes.KmsMasterKeyId ? 'false' : 'true' };
}

/** The attributes GetQueueAttributes answers for `names` (`All`, or the names asked, those the queue has). */
export function selectAttributes(
  all: Record<string, string>,
  names: readonly string[] | undefined,
): Record<string, string> {
  if (!names || names.length === 0 || names.includes('All')) return all;
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}
