import { z } from 'zod';

/**
 * An audit record as undo reads it: only the fields every record has had from the start, so the
 * planner does not depend on how the trail's keys or integrity fields are laid out.
 */
export const TrailRecordSchema = z.looseObject({
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  executionArn: z.string().optional(),
  before: z.string().optional(),
  after: z.string().optional(),
  details: z.string().optional(),
});
export type TrailRecord = z.infer<typeof TrailRecordSchema>;
