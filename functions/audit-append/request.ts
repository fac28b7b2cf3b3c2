import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { AuditRecordSchema } from '#shared/audit/record.ts';

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
