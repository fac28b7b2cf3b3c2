import { RemediationError } from '#shared/errors.ts';
import type { Policy } from '#shared/policy/schema.ts';
import type { StateMachineDefinition } from '#statemachines/playbook.ts';
import { type RunbookStep, SHARED_STEPS, stepHasState } from '#statemachines/runbook.ts';
import { type PlaybookState, playbookStates } from './states.ts';

/** A playbook's runbook cannot be written: its words and its states disagree. */
export class RunbookError extends RemediationError {
  override name = 'RunbookError';
}

/** What starts a playbook: a rule that routes to it, or a rule that names it as the follow-up. */
export interface Trigger {
  readonly ruleId: string;
  readonly description?: string;
  readonly mode: string;
  readonly followUp: boolean;
}

/** Everything a runbook page says, ready to render as Markdown or HTML. */
export interface Runbook {
  readonly playbook: string;
  readonly description: string;
  readonly triggers: readonly Trigger[];
  /** The playbook's own steps, then the shared ones it uses; each with the states it covers. */
  readonly steps: readonly (RunbookStep & {
    readonly covered: readonly string[];
    readonly shared: boolean;
  })[];
  readonly checkAfterwards: readonly string[];
  readonly undo: string;
  readonly startedBy?: string;
}

/** States that do something (call AWS, a function, a Map over calls); the rest only route. */
const ACTING = new Set(['Task', 'Map', 'Parallel']);

/**
 * The runbook of `playbook` under `policy`. Every acting state of the built state machine must
 * belong to a step, and every step must name at least one state that exists: otherwise a
 * {@link RunbookError} says which, so words and states cannot drift apart.
 */
export function runbookOf(playbook: StateMachineDefinition, policy: Policy): Runbook {
  const words = playbook.runbook;
  if (!words)
    throw new RunbookError(`playbook ${playbook.name} has no runbook words (its definition's runbook)`);
  const states = playbookStates(playbook);
  const own = words.steps.map((step) => ({ ...step, covered: namesOf(step, states), shared: false }));
  for (const step of own)
    if (step.covered.length === 0)
      throw new RunbookError(
        `runbook step "${step.title}" of ${playbook.name} names no state of it (${step.states.join(', ')})`,
      );
  // The shared steps cover top-level states only; a playbook names its own nested ones.
  const topLevel = states.filter((s) => !s.nested);
  const shared = SHARED_STEPS.map((step) => ({
    ...step,
    covered: namesOf(step, topLevel).filter((n) => !own.some((o) => o.covered.includes(n))),
    shared: true,
  })).filter((step) => step.covered.length > 0);
  const steps = [...own, ...shared];
  const missing = topLevel.filter(
    (s) => ACTING.has(s.type) && !steps.some((step) => step.covered.includes(s.name)),
  );
  if (missing.length > 0)
    throw new RunbookError(
      `playbook ${playbook.name}: no runbook step covers ${missing.map((s) => `"${s.name}"`).join(', ')}; add it to a step of its runbook`,
    );
  return {
    playbook: playbook.name,
    description: playbook.description,
    triggers: triggersOf(playbook.name, policy),
    steps,
    checkAfterwards: words.checkAfterwards,
    undo: words.undo,
    ...(words.startedBy ? { startedBy: words.startedBy } : {}),
  };
}

function namesOf(step: Pick<RunbookStep, 'states'>, states: readonly PlaybookState[]): string[] {
  return states.filter((s) => stepHasState(step, s.name)).map((s) => s.name);
}

function triggersOf(playbook: string, policy: Policy): Trigger[] {
  const triggers: Trigger[] = [];
  for (const rule of policy.rules) {
    const mode = rule.mode ?? policy.defaults.mode;
    if (rule.playbook === playbook)
      triggers.push({ ruleId: rule.id, description: rule.description, mode, followUp: false });
    if (rule.next?.playbook === playbook)
      triggers.push({
        ruleId: rule.id,
        description: rule.description,
        mode: rule.next.mode ?? policy.defaults.mode,
        followUp: true,
      });
  }
  return triggers;
}
