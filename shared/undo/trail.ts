import * as z from 'zod/mini';
import '#shared/validation-messages.ts';

/**
 * An audit record as undo reads it: only the fields every record has had from the start, so the
 * planner does not depend on how the trail's keys or integrity fields are laid out.
 */
export const TrailRecordSchema = z.looseObject({
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  executionArn: z.optional(z.string()),
  playbook: z.optional(z.string()),
  findingId: z.optional(z.string()),
  before: z.optional(z.string()),
  after: z.optional(z.string()),
  details: z.optional(z.string()),
});
export type TrailRecord = z.infer<typeof TrailRecordSchema>;
