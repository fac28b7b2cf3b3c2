import type { Finding } from '#shared/findings/finding.ts';
import type { PlaybookFacts } from '#shared/playbooks/definition.ts';
import type { ExecutionTrail, Reversal } from '#shared/undo/reverse.ts';

/** The reverser a playbook's facts declare; a test fails loudly where there is none. */
export function reverserOf(facts: PlaybookFacts): (trail: ExecutionTrail) => Reversal {
  const { undo } = facts;
  if (!('reverse' in undo)) throw new Error(`${facts.name} declares no reverser`);
  return (trail) => undo.reverse(trail);
}

/** The session deny a revocation records as its `after`. */
export const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] };

/** A succeeded record of `action`, its before (and after) recorded as JSON text as the playbooks do. */
export const succeeded = (action: string, before: unknown, after?: unknown) => ({
  at: '2026-12-06T00:00:00Z',
  action,
  outcome: 'succeeded',
  before: JSON.stringify(before),
  ...(after !== undefined && { after: JSON.stringify(after) }),
});

/** One execution's succeeded records, for a finding in the test account and Region. */
export const trailOf = (...records: ExecutionTrail['succeeded']): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1' } as Finding,
  succeeded: records,
});
