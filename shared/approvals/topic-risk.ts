import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { displayText } from '#shared/text/display.ts';

/**
 * What encrypting an SNS topic with the AWS managed key (`alias/aws/sns`) puts at risk. That key's
 * policy cannot be changed, so AWS services that publish to a topic as a service principal
 * (EventBridge rules, CloudWatch alarms, S3 event notifications, ...) cannot use it, and their
 * messages to the encrypted topic are lost; they need a customer managed key whose policy lets
 * them in. The topic policy shows which services are allowed to publish.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */

/** A read that failed: the Catch of the read step puts Step Functions' error here. */
const ReadErrorSchema = z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) });

/** What the gate hands over for a topic: GetTopicAttributes' answer (its Policy), or the error. */
export const TopicReadSchema = z.object({
  kind: z.literal('SnsTopic'),
  read: z.optional(z.object({ Attributes: z.optional(z.record(z.string(), z.string())) })),
  error: z.optional(ReadErrorSchema),
});

/** The topic's risk as the approval record keeps it. */
export const TopicRiskSchema = z.object({
  kind: z.literal('SnsTopic'),
  /** The AWS service principals the topic policy allows to publish (`events.amazonaws.com`). */
  servicePublishers: z.optional(z.array(z.string())),
  /** Why the topic policy could not be read. */
  unavailable: z.optional(z.string()),
});
export type TopicRisk = z.infer<typeof TopicRiskSchema>;

const StatementSchema = z.looseObject({
  Effect: z.optional(z.string()),
  Principal: z.optional(z.unknown()),
  Action: z.optional(z.union([z.string(), z.array(z.string())])),
});
const PolicySchema = z.looseObject({
  Statement: z.optional(z.union([StatementSchema, z.array(StatementSchema)])),
});

const publishes = (action: string) => /^(\*|sns:\*|sns:publish)$/i.test(action);

/** The service principals allowed sns:Publish by the topic policy text (untrusted: shown as data only). */
function servicePublishersOf(policyText: string | undefined): string[] {
  if (!policyText) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(policyText);
  } catch (error) {
    if (error instanceof SyntaxError) return [];
    throw error;
  }
  const policy = PolicySchema.safeParse(parsed);
  if (!policy.success) return [];
  const services = new Set<string>();
  for (const statement of [policy.data.Statement ?? []].flat()) {
    if (statement.Effect !== 'Allow' || ![statement.Action ?? []].flat().some(publishes)) continue;
    const principal = statement.Principal as { Service?: unknown } | undefined;
    for (const service of [principal?.Service ?? []].flat())
      if (typeof service === 'string') services.add(displayText(service, 100));
  }
  return [...services].sort();
}

/** The facts of a topic read, ready to store. */
export function topicRiskOf(read: z.infer<typeof TopicReadSchema>): TopicRisk {
  if (read.error)
    return {
      kind: 'SnsTopic',
      unavailable: displayText(`${read.error.Error ?? 'error'}: ${read.error.Cause ?? ''}`, 300),
    };
  return { kind: 'SnsTopic', servicePublishers: servicePublishersOf(read.read?.Attributes?.Policy) };
}

/** The topic's risk in sentences. */
export function topicRiskLines(risk: TopicRisk): string[] {
  const warning =
    'Encrypted with the AWS managed key (alias/aws/sns), the topic stops receiving messages from AWS services that publish to it (EventBridge rules, CloudWatch alarms, S3 event notifications): that key cannot let them in. They need a customer managed key instead.';
  if (risk.unavailable) return [warning, `The topic policy could not be read: ${risk.unavailable}.`];
  const services = risk.servicePublishers ?? [];
  return [
    warning,
    services.length > 0
      ? `Its topic policy lets these AWS services publish: ${services.join(', ')}. Their messages would be lost: deny, and encrypt it with a customer managed key by hand.`
      : 'Its topic policy lets no AWS service publish to it.',
  ];
}
