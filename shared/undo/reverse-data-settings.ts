import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/*
 * Reversers of the playbooks that turn on a setting of a data resource (a table, a queue, a
 * topic): the setting goes back off only when the run's `before` record shows it was off, and
 * only the one setting the run changed.
 */

/** DescribeTable's table as protect-dynamodb-table records it (its `before`). */
const TableProtectionSchema = z.looseObject({ DeletionProtectionEnabled: z.boolean() });

/**
 * protect-dynamodb-table: UpdateTable turning deletion protection on, reversed only when it was
 * off before; a run that found it on changed nothing.
 */
export function reverseProtectDynamoDbTable(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  const record = trail.succeeded.findLast((r) => r.action === 'UpdateTable');
  if (!record || resource.kind !== 'Other') return { actions: [], notes: [] };
  const before = TableProtectionSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success || before.data.DeletionProtectionEnabled)
    return { actions: [], notes: ['Deletion protection was already on: nothing to reverse.'] };
  return { actions: [undoActions.unprotectTable(resource.id)], notes: [] };
}

/** The queue's URL and encryption attributes as encrypt-sqs-queue records them (its `before`). */
const QueueEncryptionSchema = z.looseObject({
  QueueUrl: z.string(),
  Attributes: z.looseObject({
    SqsManagedSseEnabled: z.optional(z.string()),
    KmsMasterKeyId: z.optional(z.string()),
  }),
});

/**
 * encrypt-sqs-queue: SetQueueAttributes turning SSE-SQS on, reversed only when the queue had
 * neither SSE-SQS nor a KMS key before; a run that found it encrypted changed nothing.
 */
export function reverseEncryptSqsQueue(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'SetQueueAttributes');
  if (!record) return { actions: [], notes: [] };
  const before = QueueEncryptionSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success)
    return { actions: [], notes: ['The queue as it was is not recorded: nothing to reverse.'] };
  const { SqsManagedSseEnabled, KmsMasterKeyId } = before.data.Attributes;
  if (SqsManagedSseEnabled === 'true' || KmsMasterKeyId)
    return { actions: [], notes: ['The queue was already encrypted: nothing to reverse.'] };
  return {
    actions: [undoActions.stopQueueEncryption(before.data.QueueUrl)],
    notes: ['Messages sent while the queue was encrypted stay readable: SQS decrypts them on receipt.'],
  };
}

/** The key encrypt-sns-topic sets: the AWS managed key of SNS, the one key every account has. */
export const TOPIC_KEY = 'alias/aws/sns';

/** The topic's key as encrypt-sns-topic records it (its `before`): empty when it had none. */
const TopicKeySchema = z.looseObject({ TopicArn: z.string(), KmsMasterKeyId: z.string() });

/**
 * encrypt-sns-topic: SetTopicAttributes setting a KMS key, reversed only when the topic had no
 * key before; a run that found it encrypted changed nothing.
 */
export function reverseEncryptSnsTopic(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'SetTopicAttributes');
  if (!record) return { actions: [], notes: [] };
  const before = TopicKeySchema.safeParse(JSON.parse(record.before ?? 'null'));
  const after = TopicKeySchema.safeParse(JSON.parse(record.after ?? 'null'));
  if (!before.success)
    return { actions: [], notes: ['The topic as it was is not recorded: nothing to reverse.'] };
  if (before.data.KmsMasterKeyId !== '')
    return { actions: [], notes: ['The topic was already encrypted: nothing to reverse.'] };
  const key = after.success ? after.data.KmsMasterKeyId : TOPIC_KEY;
  return { actions: [undoActions.stopTopicEncryption(before.data.TopicArn, key)], notes: [] };
}
