import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/** GetIPSet as deactivate-trusted-ip-list records it (its `before`), with the list it read. */
const TrustedListSchema = z.looseObject({
  DetectorId: z.string().check(z.minLength(1)),
  IpSetId: z.string().check(z.minLength(1)),
  list: z.looseObject({ Status: z.string() }),
});

/**
 * deactivate-trusted-ip-list: UpdateIPSet Activate=false, reversed (Activate=true) only when the
 * run found the list active (or activating); a run that found it inactive changed nothing.
 */
export function reverseDeactivateTrustedIpList(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'UpdateIPSet');
  if (!record) return { actions: [], notes: [] };
  const before = TrustedListSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success) return { actions: [], notes: ['The list the run deactivated was not recorded.'] };
  const { DetectorId, IpSetId, list } = before.data;
  if (list.Status !== 'ACTIVE' && list.Status !== 'ACTIVATING')
    return { actions: [], notes: ['The list was not active: nothing to reverse.'] };
  return {
    actions: [undoActions.reactivateTrustedIpList(DetectorId, IpSetId)],
    notes: ['GuardDuty raises no findings again about the addresses on the list once it is active.'],
  };
}
