import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { FindingSchema } from '../findings/finding.ts';
import type { PlaybookCatalog } from '../playbooks/definition.ts';
import type { UndoAction } from './actions.ts';
import { type FollowUpCancellation, followUpsToCancel } from './follow-ups.ts';
import {
  heldReversals,
  type StandingContainment,
  settingChangedBy,
  standingContainments,
  succeededRecordsOf,
} from './history.ts';
import { type ExecutionTrail, type Reversal, UnreadableTrailError } from './reverse.ts';
import type { TrailRecord } from './trail.ts';

/** The playbook name the undo state machine audits under. */
export const UNDO = 'undo';
/** The audit action of an undo's last record; with outcome `undone` it marks the target undone. */
export const UNDO_COMPLETE_ACTION = 'Undo';

/** Why an undo is refused, as a stable code (the message says it for people). */
export type UndoRefusalCode =
  | 'not-found'
  | 'undo-execution'
  | 'unknown-execution'
  | 'running'
  | 'not-undoable'
  | 'dry-run'
  | 'already-undone'
  | 'nothing-changed'
  | 'unreadable-trail'
  | 'follow-up-running';

/**
 * An undo that reverses nothing now because another containment of the same resource stands:
 * the finding's own containment is undone (recorded so), the resource stays contained for the
 * other finding, and the undo of the last standing containment makes these reversals too.
 */
export interface HeldReversal {
  /** Why, for people and the audit record. */
  readonly reason: string;
  readonly standing: StandingContainment[];
  /** What this undo would have reversed. */
  readonly actions: UndoAction[];
}

/** The reverse plan of one execution. */
export interface UndoPlan {
  readonly outcome: 'planned';
  readonly targetExecutionArn: string;
  readonly playbook: string;
  readonly findingId: string;
  /** In the order to make them: the reverse of the original steps. */
  readonly actions: UndoAction[];
  /** Follow-up executions stopped (and their pending approvals cancelled) before any action. */
  readonly followUps: FollowUpCancellation[];
  /** Present when another containment of the resource stands: nothing is reversed now. */
  readonly held?: HeldReversal;
  /** Earlier undone executions whose held-back reversal this undo makes (their actions are in `actions`). */
  readonly released: string[];
  /** What the undo leaves as it is, and what people should know (capacity raised, risk back). */
  readonly notes: string[];
}

/** An undo that will not run, and why. */
export interface UndoRefusal {
  readonly outcome: 'refused';
  readonly targetExecutionArn: string;
  readonly code: UndoRefusalCode;
  readonly reason: string;
  readonly playbook?: string;
  readonly findingId?: string;
}

/** What the planner knows of the execution to undo (DescribeExecution). */
export interface TargetExecution {
  readonly executionArn: string;
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`. */
  readonly status: string;
  /** The execution input, parsed. */
  readonly input: unknown;
}

/** A playbook execution's input, as far as undo reads it (see statemachines/playbook.ts). */
export const PlaybookExecutionInputSchema = z.looseObject({
  finding: FindingSchema,
  decision: z.looseObject({ playbook: z.string(), mode: z.string() }),
  audit: z.looseObject({ pk: z.string(), resourceKey: z.string() }),
  target: z.optional(
    z.looseObject({ accountId: z.string(), region: z.string(), roleArn: z.optional(z.string()) }),
  ),
});
export type PlaybookExecutionInput = z.infer<typeof PlaybookExecutionInputSchema>;

/** The undo state machine's own input. */
export const UndoInputSchema = z.object({
  executionArn: z.string().check(z.minLength(1)),
  dryRun: z._default(z.boolean(), false),
  requestedBy: z._default(z.string().check(z.minLength(1)), 'unknown'),
});
export type UndoInput = z.infer<typeof UndoInputSchema>;

/** What undo knows beyond the finding's records: the resource's history, and its follow-ups' status. */
export interface ResourceHistory {
  /** Every record under the resource's `byResource` key, any finding's. */
  readonly records: readonly TrailRecord[];
  /** DescribeExecution status of each follow-up execution handed over on the resource. */
  readonly followUpStatus: Readonly<Record<string, string>>;
}

const NO_HISTORY: ResourceHistory = { records: [], followUpStatus: {} };

/**
 * The reverse plan of one playbook execution, from its input and the audit records of its
 * finding (every record under the finding's `pk`; this function keeps the execution's own).
 * Only steps recorded as `succeeded` are reversed, in the reverse order of the playbook, so a
 * partly failed execution is undone as far as it got. Refused, with the reason, when there is
 * nothing to undo or it must not be undone.
 *
 * The resource's history decides how much is reversed now. While another finding's containment
 * of the same resource stands, nothing is (the plan says so in `held`, and why). Once none
 * stands, the plan also makes the reversals earlier undos held back. The running follow-ups of
 * what is reversed are stopped first, their pending approvals cancelled.
 *
 * How each playbook is undone (or why it is not) comes from its facts in `catalog`, which holds
 * at least the target's playbook and every playbook named in `history`: a playbook missing from
 * it is refused as having no undo.
 */
export function planUndo(
  catalog: PlaybookCatalog,
  target: TargetExecution,
  records: readonly TrailRecord[],
  history: ResourceHistory = NO_HISTORY,
): UndoPlan | UndoRefusal {
  const reverserOf = (playbook: string): ((trail: ExecutionTrail) => Reversal) | undefined => {
    const undo = catalog.get(playbook)?.undo;
    return undo && 'reverse' in undo ? undo.reverse : undefined;
  };
  const refuse = (
    code: UndoRefusalCode,
    reason: string,
    extra: { playbook?: string; findingId?: string } = {},
  ) => ({ outcome: 'refused', targetExecutionArn: target.executionArn, code, reason, ...extra }) as const;
  const arn = target.executionArn;
  if (UndoInputSchema.safeParse(target.input).success && !hasFinding(target.input))
    return refuse('undo-execution', `${arn} is an undo itself; undoing an undo is not supported`);
  const parsed = PlaybookExecutionInputSchema.safeParse(target.input);
  if (!parsed.success)
    return refuse('unknown-execution', `${arn} is not a playbook execution (its input names no finding)`);
  const input = parsed.data;
  const ids = { playbook: input.decision.playbook, findingId: input.finding.id };
  if (target.status === 'RUNNING' || target.status === 'PENDING_REDRIVE')
    return refuse('running', `${arn} is still running; undo it once it has ended`, ids);
  const undo = catalog.get(input.decision.playbook)?.undo;
  if (!undo) return refuse('not-undoable', `playbook ${input.decision.playbook} has no undo`, ids);
  if ('irreversible' in undo) return refuse('not-undoable', undo.irreversible, ids);
  const reverse = undo.reverse;
  if (input.decision.mode === 'dry-run')
    return refuse('dry-run', `${arn} was a dry run: it recorded a plan and changed nothing`, ids);
  const undone = records.find((r) => r.outcome === 'undone' && undoTargetOf(r) === arn);
  if (undone)
    return refuse(
      'already-undone',
      `${arn} was already undone by ${undone.executionArn} at ${undone.at}`,
      ids,
    );

  const own = records.filter((r) => r.executionArn === arn).sort((a, b) => a.at.localeCompare(b.at));
  const reversalOf = (playbook: string, succeeded: readonly TrailRecord[]) =>
    (reverserOf(playbook) ?? reverse)({ finding: input.finding, succeeded });
  let reversal: Reversal;
  // Runs of a playbook that changes one setting per control need each other only for the same
  // setting: RDS.7's deletion protection does not need RDS.16's tag copying to stay.
  const setting = settingChangedBy(arn, history.records) ?? settingChangedBy(arn, records);
  const needsThis = (other: string, playbook: string) =>
    setting === undefined ||
    playbook !== input.decision.playbook ||
    settingChangedBy(other, history.records) === setting;
  const standing = standingContainments(arn, history.records, (p) => reverserOf(p) !== undefined).filter(
    (s) => needsThis(s.executionArn, s.playbook),
  );
  const released =
    standing.length > 0
      ? []
      : heldReversals(arn, history.records).filter((other) =>
          needsThis(
            other,
            succeededRecordsOf(other, history.records)[0]?.playbook ?? input.decision.playbook,
          ),
        );
  let releasedActions: UndoAction[];
  try {
    reversal = reversalOf(
      input.decision.playbook,
      own.filter((r) => r.outcome === 'succeeded'),
    );
    releasedActions = released.flatMap((other) => {
      const succeeded = succeededRecordsOf(other, history.records);
      return reversalOf(succeeded[0]?.playbook ?? input.decision.playbook, succeeded).actions;
    });
  } catch (error) {
    if (!(error instanceof UnreadableTrailError)) throw error;
    return refuse(
      'unreadable-trail',
      `the audit trail of ${arn} cannot be undone automatically: ${error.message}`,
      ids,
    );
  }
  const contained = own.some((r) => r.outcome === 'contained');
  if (standing.length > 0) {
    if (reversal.actions.length === 0 && !contained)
      return refuse('nothing-changed', nothingChanged(arn, own), ids);
    const held = heldBy(standing, reversal.actions);
    return {
      outcome: 'planned',
      targetExecutionArn: arn,
      ...ids,
      actions: [],
      followUps: [],
      held,
      released: [],
      notes: [held.reason],
    };
  }
  const followUps = followUpsToCancel([arn, ...released], history.records, history.followUpStatus);
  const [inTheWay] = followUps.inTheWay;
  if (inTheWay) return refuse('follow-up-running', `${arn} cannot be undone yet: ${inTheWay.reason}`, ids);
  const actions = distinct([...reversal.actions, ...releasedActions]);
  if (actions.length === 0 && followUps.cancel.length === 0)
    return refuse('nothing-changed', nothingChanged(arn, own), ids);
  const notes = [...reversal.notes];
  if (target.status !== 'SUCCEEDED')
    notes.push(`${arn} ended ${target.status}: only the steps it recorded as succeeded are undone.`);
  if (released.length > 0)
    notes.push(
      `This also makes the reversal held back when ${released.join(', ')} was undone: no other containment of the resource stands now.`,
    );
  for (const f of followUps.cancel)
    notes.push(
      `Follow-up ${f.executionArn} is stopped first${f.approvalId ? ` and its approval request ${f.approvalId} cancelled` : ''}: it must not act on a resource back in service.`,
    );
  return {
    outcome: 'planned',
    targetExecutionArn: arn,
    ...ids,
    actions,
    followUps: followUps.cancel,
    released,
    notes,
  };
}

/** Why nothing is reversed while other containments stand. */
function heldBy(standing: readonly StandingContainment[], actions: UndoAction[]): HeldReversal {
  const others = standing
    .map((s) => `${s.executionArn} (${s.playbook}${s.findingId ? `, finding ${s.findingId}` : ''})`)
    .join(', ');
  return {
    reason: `the resource stays contained: ${others} still contains it and needs what this execution changed. Nothing is reversed now; the undo of the last standing containment reverses it.`,
    standing: [...standing],
    actions,
  };
}

/** The actions without repeats (two executions reverse the same call alike), first occurrence kept. */
function distinct(actions: readonly UndoAction[]): UndoAction[] {
  const seen = new Set<string>();
  return actions.filter((a) => {
    // Two statements removed from one bucket's policy are two actions, even with one request.
    const key = `${a.type}:${JSON.stringify(a.request)}:${a.statementSid ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The execution an undo record is about (its details name it). */
export function undoTargetOf(record: TrailRecord): string | undefined {
  if (!record.details) return undefined;
  try {
    const details = JSON.parse(record.details) as { targetExecutionArn?: unknown };
    return typeof details.targetExecutionArn === 'string' ? details.targetExecutionArn : undefined;
  } catch {
    // Details of other records may be any JSON text, or none: such a record is simply not an undo's.
    return undefined;
  }
}

function hasFinding(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'finding' in input;
}

/** Why an execution that ended changed nothing, from its records. */
function nothingChanged(arn: string, records: readonly TrailRecord[]): string {
  const outcomes = new Set(records.map((r) => r.outcome));
  const why = outcomes.has('denied')
    ? 'its approval was denied'
    : outcomes.has('defaulted')
      ? 'nobody approved it in time'
      : outcomes.has('skipped')
        ? 'the resource was already contained'
        : 'none of its recorded steps changed anything an undo reverses';
  return `${arn} changed nothing (${why}): there is nothing to undo`;
}
