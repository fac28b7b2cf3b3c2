import { parseSslOnlyInput, planSslOnly, type SslOnlyPlan } from '#shared/bucket-policy/ssl-only-policy.ts';

/**
 * Called by the require-bucket-ssl state machine: the bucket policy with the SSL-only statement
 * added, or whether it is already there. Pure computation (JSONPath cannot add an element to a
 * list); the AWS calls stay in the state machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<SslOnlyPlan> {
  return planSslOnly(parseSslOnlyInput(event));
}
