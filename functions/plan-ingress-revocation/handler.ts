import {
  type IngressRevocationPlan,
  parseIngressRevocationInput,
  planIngressRevocation,
} from '#shared/drift/ingress-revocation.ts';

/**
 * Called by the revoke-open-ingress state machine: which rules of the group to revoke. Pure
 * computation (Step Functions JSONPath cannot filter a list by port ranges); the AWS calls
 * themselves stay in the state machine, so this function needs no permissions.
 */
export async function handler(event: unknown): Promise<IngressRevocationPlan> {
  return planIngressRevocation(parseIngressRevocationInput(event));
}
