import { AwsError } from '../protocol.ts';

/**
 * The topic attributes SetTopicAttributes (and CreateTopic) take, as the API reference lists them;
 * any other name is refused with InvalidParameter, as SNS does.
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 */
const SETTABLE = new Set([
  'DeliveryPolicy',
  'DisplayName',
  'Policy',
  'TracingConfig',
  'KmsMasterKeyId',
  'SignatureVersion',
  'ContentBasedDeduplication',
  'FifoThroughputScope',
  'ArchivePolicy',
  'FifoTopic',
  'DataProtectionPolicy',
  'HTTPSuccessFeedbackRoleArn',
  'HTTPFailureFeedbackRoleArn',
  'HTTPSuccessFeedbackSampleRate',
  'SQSSuccessFeedbackRoleArn',
  'SQSFailureFeedbackRoleArn',
  'SQSSuccessFeedbackSampleRate',
  'LambdaSuccessFeedbackRoleArn',
  'LambdaFailureFeedbackRoleArn',
  'LambdaSuccessFeedbackSampleRate',
]);

/** The attributes after SetTopicAttributes of `name` to `value`: an empty value removes it (KmsMasterKeyId: SSE off). */
export function setTopicAttribute(
  attributes: Record<string, string>,
  name: string,
  value: string | undefined,
): Record<string, string> {
  if (!SETTABLE.has(name))
    throw new AwsError(
      'InvalidParameter',
      `Invalid parameter: AttributeName Reason: Unknown attribute ${name}`,
    );
  const next = { ...attributes };
  if (value === undefined || value === '') delete next[name];
  else next[name] = value;
  return next;
}

/** Refuse attributes CreateTopic does not take. */
export function checkTopicAttributes(attributes: Record<string, string>): Record<string, string> {
  let checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) checked = setTopicAttribute(checked, name, value);
  return checked;
}
