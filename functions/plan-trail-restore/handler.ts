import {
  parseTrailRestoreInput,
  planTrailRestore,
  type TrailRestorePlan,
} from '#shared/drift/trail-restore.ts';

/**
 * Called by the restore-trail-settings state machine: which trail settings to turn back on.
 * Pure computation (JSONPath cannot rebuild a list of selectors); the AWS calls stay in the state
 * machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<TrailRestorePlan> {
  return planTrailRestore(parseTrailRestoreInput(event));
}
