import { type PublicAccessPlan, planPublicAccessRemoval } from '#shared/lambda-policy/plan.ts';

/**
 * Called by the remove-public-lambda-access state machine: the statements of a function's
 * policy that make it public, each with the AddPermission request that would restore it. Pure
 * computation (JSONPath cannot filter statements by their principal and conditions); the Lambda
 * calls stay in the state machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<PublicAccessPlan> {
  return planPublicAccessRemoval(event);
}
