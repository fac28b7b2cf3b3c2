import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';

/** The change remove-public-lambda-access records as the details of its `RemovePermission` record. */
const RemovedSchema = z.looseObject({
  functionName: z.string(),
  removed: z.array(
    z.looseObject({
      sid: z.string(),
      statement: z.unknown(),
      restore: z.optional(z.record(z.string(), z.unknown())),
      notRestorable: z.optional(z.string()),
    }),
  ),
});

/**
 * remove-public-lambda-access: put each removed statement back with AddPermission, where the
 * API can write it exactly; a statement it cannot is named in the notes and left out, never
 * approximated. The function is public again afterwards, so the notes say so.
 */
export function reverseRemovePublicLambdaAccess(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'RemovePermission');
  if (!record?.details) return { actions: [], notes: [] };
  let json: unknown;
  try {
    json = JSON.parse(record.details);
  } catch (error) {
    throw new UnreadableTrailError("the RemovePermission record's details are not JSON", { cause: error });
  }
  const parsed = RemovedSchema.safeParse(json);
  if (!parsed.success)
    throw new UnreadableTrailError(
      "the RemovePermission record's details are not as the playbook writes them",
    );
  const { functionName, removed } = parsed.data;
  const actions = removed.flatMap((r) =>
    r.restore ? [undoActions.addPermission(r.restore, r.statement)] : [],
  );
  const notes = removed
    .filter((r) => !r.restore)
    .map(
      (r) =>
        `Statement ${r.sid} is not restored: ${r.notRestorable ?? 'AddPermission cannot restore it exactly'}. Its text is in the audit record; add it back by hand if it is wanted.`,
    );
  if (actions.length > 0)
    notes.unshift(
      `Lambda function ${functionName} can be invoked publicly again, as its restored statements allow.`,
    );
  return { actions, notes };
}
