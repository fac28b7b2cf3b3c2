import type { ResourceKind } from '../findings/finding.ts';
import type { ExecutionTrail, Reversal } from '../undo/reverse.ts';

/**
 * How an execution of a playbook is undone: a reverser that turns its audit trail into the
 * reverse calls, or the reason its changes cannot or must not be reversed. Required, so a
 * playbook cannot be registered without saying which.
 */
export type PlaybookUndo =
  | { readonly reverse: (trail: ExecutionTrail) => Reversal }
  | { readonly irreversible: string };

/**
 * Everything about a playbook that is plain data: what the policy, the undo planner, the
 * containment metric and the docs read. It lives in `shared/playbooks/<name>.ts` (the file
 * named after the playbook), because `shared/` code (the undo planner, the policy check) needs
 * it and may not import `statemachines/`; the playbook's states (`statemachines/<name>.ts`)
 * spread it into the `PlaybookDefinition` the registry lists.
 */
export interface PlaybookFacts {
  /** What the policy names; kebab-case, and the file name of these facts. */
  readonly name: string;
  /** One sentence: what the playbook does. */
  readonly description: string;
  /**
   * The finding resource kinds the playbook acts on. The policy check refuses a rule that could
   * route a finding of any other kind to it.
   */
  readonly resourceKinds: readonly [ResourceKind, ...ResourceKind[]];
  /**
   * The audit action of the playbook's first containment call: the time of its `succeeded`
   * record minus the finding's time is the `ContainmentLatency` metric. `null` for a playbook
   * that contains nothing itself (a follow-up that recovers a resource already contained).
   */
  readonly containmentAction: string | null;
  /** What the playbook does, step by step, in plain language: for approvals, notifications, runbooks. */
  readonly steps: readonly [string, ...string[]];
  /** How an execution is undone, or why it is not. */
  readonly undo: PlaybookUndo;
  /** Whether the playbook ends with the hand-over step, so a policy rule may name a `next:`. @default false */
  readonly handsOver?: boolean;
  /**
   * The AWS Foundational Security Best Practices controls (Security Hub control ids such as
   * `EC2.1`) whose failed findings this playbook remediates: what `docs/controls.md` counts.
   * @default []
   */
  readonly controls?: readonly string[];
  /**
   * For a playbook that changes only the one setting a finding's control names (one playbook for
   * the controls of one resource type): that setting, by control id. Each setting of a resource is
   * then its own remediation, so findings of two controls on one resource each get theirs, while
   * one control reported twice (by Security Hub and by its Config rule) is still one.
   * The classifier reads it from `control-settings.ts` (one line there per such playbook; a test
   * holds the two equal), so that it never loads the facts and their undo reversers.
   * @default none: one run fixes all of the resource, whichever control reported it
   */
  readonly settingOfControl?: Readonly<Record<string, string>>;
}

/** The plain-data facts of the playbooks of one deployment, by name. */
export type PlaybookCatalog = ReadonlyMap<string, PlaybookFacts>;

/** Playbook names are kebab-case: the policy's names and the facts' file names. */
export const PLAYBOOK_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
