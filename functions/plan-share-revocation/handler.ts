import {
  parseShareRevocationInput,
  planShareRevocation,
  type ShareRevocationPlan,
} from '#shared/sharing/share-revocation.ts';

/**
 * Called by the revoke-outside-sharing state machine: which permissions of the snapshot or image
 * to remove. Pure computation (JSONPath cannot compare two lists); the AWS calls stay in the state
 * machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<ShareRevocationPlan> {
  return planShareRevocation(parseShareRevocationInput(event));
}
