import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/** What recreate-flow-logs records as its CreateFlowLogs `after`: per call, the ids it created. */
const RecreatedSchema = z.array(z.looseObject({ FlowLogIds: z.array(z.string()) }));

/**
 * recreate-flow-logs: CreateFlowLogs, reversed by deleting exactly the flow logs the run created
 * (the deleted ones are not brought back by undo: they were already gone before the run).
 */
export function reverseRecreateFlowLogs(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'CreateFlowLogs');
  if (!record) return { actions: [], notes: [] };
  const after = RecreatedSchema.safeParse(JSON.parse(record.after ?? 'null'));
  if (!after.success) return { actions: [], notes: ['The flow logs the run created were not recorded.'] };
  const ids = after.data.flatMap((call) => call.FlowLogIds);
  if (ids.length === 0) return { actions: [], notes: ['The run created no flow log: nothing to reverse.'] };
  return {
    actions: [undoActions.deleteFlowLogs(ids)],
    notes: ['Traffic of those resources is no longer logged once the flow logs are deleted.'],
  };
}
