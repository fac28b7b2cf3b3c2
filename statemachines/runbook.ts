/**
 * A playbook's runbook in plain words, for the people who are paged when it stops: what each
 * step does, what to do when it stops there, what to check afterwards and how to undo. The text
 * lives in the playbook's definition; each step names the states it is made of, and the runbook
 * generator (`remediate runbook`) checks those names against the built state machine, so a
 * renamed or added call without words fails the docs test instead of drifting.
 */

/** One step as a person outside engineering reads it. */
export interface RunbookStep {
  /** A short imperative title: `Disable the key`. */
  readonly title: string;
  /** What it does and why, in a sentence or two. */
  readonly does: string;
  /**
   * The states of the step: exact names, or patterns where `*` stands for any text. States inside
   * a Map or Parallel may be named too, so a stop there links its own place.
   */
  readonly states: readonly string[];
  /** What to do when the playbook stops at this step and hands over to a person. */
  readonly ifItStops: string;
}

/** The plain-language part of a playbook's definition. */
export interface PlaybookRunbook {
  readonly steps: readonly RunbookStep[];
  /** What to look at once the playbook ended, one check per line. */
  readonly checkAfterwards: readonly string[];
  /** How to undo what the playbook did. */
  readonly undo: string;
  /** Who starts it when no policy rule routes to it (undo: a person). @default none */
  readonly startedBy?: string;
}

/** Whether the state `name` belongs to a step with these patterns. */
export function stepHasState(step: Pick<RunbookStep, 'states'>, name: string): boolean {
  return step.states.some((pattern) => {
    const parts = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('.*')}$`).test(name);
  });
}

/** Steps every playbook shares, from the fragments; matched after the playbook's own. */
export const SHARED_STEPS: readonly RunbookStep[] = [
  {
    title: 'Wait for a person to approve',
    does: 'In approve mode the playbook sends the on-call engineer a link to the approval page and waits. Nothing is changed until someone approves; if nobody answers in time it asks the escalation contacts once, then follows the policy (proceed or stop).',
    states: ['*approval: *', 'Approval: *'],
    ifItStops:
      'The answer to the request could not be checked, or the request could not be recorded or sent. Nothing was changed after the request. Look at the request with `remediate approvals show <id>` and decide again from the CLI, or start the playbook again.',
  },
  {
    title: 'Look at what depends on the resource',
    does: 'Before asking for approval, the playbook reads what approving puts at risk (when a key was last used, what an instance serves) so the approval page can show it. It only reads.',
    states: ['Risk: *'],
    ifItStops:
      'These reads never stop the playbook: a failed read is shown on the approval page as unavailable.',
  },
  {
    title: 'Make sure only one playbook acts on the resource',
    does: 'The playbook claims the resource, so two findings about the same resource never change it at the same time. If another run holds the claim and is still running, this run stops and records that.',
    states: ['Claim resource', 'Read claim', 'Read claim holder', 'Take over claim'],
    ifItStops:
      'Nothing was changed yet. Another run may be acting on the same resource: look at the timeline of the resource with `remediate audit --resource <id>`, then start the playbook again if needed.',
  },
  {
    title: 'Start the follow-up playbook',
    does: 'When the policy names a follow-up (`next:`), the playbook starts it as its last step.',
    states: ['Start follow-up playbook'],
    ifItStops:
      'Everything this playbook had to do is done; only the follow-up did not start. Start it by hand or ask the platform team.',
  },
  {
    title: 'Write the audit trail',
    does: 'After every step the playbook writes what it did, with the state before and after, to the append-only audit trail.',
    states: ['Audit *'],
    ifItStops:
      'The audit trail could not be written. The step before it did happen. Tell the platform team; the trail (`remediate audit --finding <id>`) shows the last step recorded.',
  },
  {
    title: 'Notify',
    does: 'Tell the on-call topic what happened.',
    states: ['Notify *'],
    ifItStops:
      'The notification could not be sent; everything before it is done. Check the topic subscriptions, then read the timeline with `remediate audit --finding <id>`.',
  },
  {
    title: 'Dry run: record the plan',
    does: 'In dry-run mode the playbook only records what it would do, and changes nothing.',
    states: ['Build plan', 'Record plan*', 'Plan recorded'],
    ifItStops: 'Nothing was changed. The plan could not be recorded; tell the platform team.',
  },
];

/** Where the generated runbooks are, relative to the repository root. */
export const RUNBOOK_DIR = 'docs/runbooks';

/** The anchor of a state in its playbook's runbook: `stopped-at-deactivate-access-key`. */
export function runbookAnchor(state: string): string {
  const slug = state
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `stopped-at-${slug}`;
}

/** The runbook of a playbook, at the place that says what to do when it stopped in `state`. */
export function runbookLink(playbook: string, state?: string): string {
  return `${RUNBOOK_DIR}/${playbook}.md${state ? `#${runbookAnchor(state)}` : ''}`;
}
