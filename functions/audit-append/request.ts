import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type AuditRecord, AuditRecordSchema } from '#shared/audit/record.ts';

/**
 * The most records one batch lists. quarantine-instance lists twelve in its last step (the state
 * before, every call of its three phases, the target groups and `contained`): each is one chained
 * write, so the batch stays well inside the function's 15 s timeout.
 */
export const MAX_BATCH_RECORDS = 12;

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
 * A record the step lists whether or not the call it records ran: appended only when `appended`
 * is true. A state machine cannot leave a record out of a step's payload without a state of its
 * own (a Choice), so a phase a run skipped is listed with `appended: false` and leaves no record.
 */
export const ConditionalRecordSchema = z.strictObject({
  record: AuditRecordSchema,
  appended: z.boolean(),
});

/**
 * Several records of one playbook step, appended in this order, each its own link in the chain:
 * one invocation (one state transition) for several calls, every call still its own record.
 * Bounded so one invocation stays far inside the function's timeout; at least one record is
 * appended (a batch whose every record is left out is a mistake of the step that sent it).
 */
export const AppendBatchRequestSchema = z.strictObject({
  records: z.array(z.union([AuditRecordSchema, ConditionalRecordSchema])).check(
    z.minLength(1),
    z.maxLength(MAX_BATCH_RECORDS),
    z.refine((entries) => entries.some((e) => !('appended' in e) || e.appended), {
      message: 'every record of the batch is left out',
    }),
  ),
});
export type AppendBatchRequest = z.infer<typeof AppendBatchRequestSchema>;

/** The records a batch appends, in order: those listed as left out (`appended: false`) dropped. */
export function recordsToAppend(batch: AppendBatchRequest): AuditRecord[] {
  return batch.records.flatMap((entry) =>
    'appended' in entry ? (entry.appended ? [entry.record] : []) : [entry],
  );
}

/** What the appender accepts: one record with its metrics' inputs, or a batch. */
export const AppendAnyRequestSchema = z.union([AppendRequestSchema, AppendBatchRequestSchema]);
