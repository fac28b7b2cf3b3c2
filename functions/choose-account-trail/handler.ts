import {
  type AccountTrailChoice,
  chooseAccountTrail,
  parseAccountTrailInput,
} from '#shared/drift/account-trail.ts';

/**
 * Called by the restore-trail-settings state machine for an account finding (CloudTrail.1): which
 * of the account's trails to fix. Pure computation (the state language cannot rank trails); the
 * AWS calls stay in the state machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<AccountTrailChoice> {
  return chooseAccountTrail(parseAccountTrailInput(event));
}
