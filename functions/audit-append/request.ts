import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AuditRecordSchema } from '#shared/audit/record.ts';

/** The most records one batch appends. */
export const MAX_BATCH_RECORDS = 8;

/** What a writer sends: the record, and what the metrics need beyond it. */
export const AppendRequestSchema = z.strictObject({
  record: AuditRecordSchema,
  /** The finding's own time (ISO-8601), for the containment latency. */
  findingTime: z.optional(z.string()),
  /** This record is the playbook's first containment call. */
  containment: z.optional(z.boolean()),
  /** `false`: the writer counts this record's metrics itself, under its own service name. @default true */
  metrics: z.optional(z.boolean()),
});
export type AppendRequest = z.infer<typeof AppendRequestSchema>;

/**
 * Several records of one playbook step, appended in this order, each its own link in the chain:
 * one invocation (one state transition) for a phase of calls, every call still its own record.
 * Bounded so one invocation stays far inside the function's timeout.
 */
export const AppendBatchRequestSchema = z.strictObject({
  records: z.array(AuditRecordSchema).check(z.minLength(1), z.maxLength(MAX_BATCH_RECORDS)),
});
export type AppendBatchRequest = z.infer<typeof AppendBatchRequestSchema>;

/** What the appender accepts: one record with its metrics' inputs, or a batch. */
export const AppendAnyRequestSchema = z.union([AppendRequestSchema, AppendBatchRequestSchema]);
