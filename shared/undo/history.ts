import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import type { TrailRecord } from './trail.ts';

/**
 * A resource's history as undo reads it: every audit record under the resource's `byResource`
 * key (see shared/audit/resource-key.ts), whichever finding wrote it. Two findings on one
 * resource (two GuardDuty findings on one leaked key) each run their playbook; the second
 * changes little or nothing because the first already contained the resource, yet its finding
 * still needs that containment. Undo reads this history so that it never reverses what another
 * standing containment needs.
 */

/** Another execution whose containment of the same resource stands (it contained, and is not undone). */
export interface StandingContainment {
  readonly executionArn: string;
  readonly playbook: string;
  readonly findingId?: string;
}

/** What undo reads of an `Undo … undone` record's details (the plan it carried out). */
const UndoneDetailsSchema = z.looseObject({
  targetExecutionArn: z.string(),
  held: z.optional(z.looseObject({ reason: z.string() })),
  released: z._default(z.array(z.string()), []),
});
type UndoneDetails = z.infer<typeof UndoneDetailsSchema>;

/** The executions already undone on this resource, by target, with what each undo held back or released. */
export function undoneExecutions(
  records: readonly TrailRecord[],
): Map<string, UndoneDetails & { at: string }> {
  const undone = new Map<string, UndoneDetails & { at: string }>();
  for (const record of records) {
    if (record.outcome !== 'undone' || !record.details) continue;
    let json: unknown;
    try {
      json = JSON.parse(record.details);
    } catch {
      // An undone record always carries its plan as JSON; one that does not is no undo's and is skipped.
      continue;
    }
    const parsed = UndoneDetailsSchema.safeParse(json);
    if (parsed.success) undone.set(parsed.data.targetExecutionArn, { ...parsed.data, at: record.at });
  }
  return undone;
}

/**
 * The other executions whose containment of this resource stands: they recorded `contained`,
 * their playbook is one undo reverses (a re-image is not a containment another undo could
 * break), and they are not undone.
 */
export function standingContainments(
  targetArn: string,
  records: readonly TrailRecord[],
  reversible: (playbook: string) => boolean,
): StandingContainment[] {
  const undone = undoneExecutions(records);
  const standing = new Map<string, StandingContainment>();
  for (const r of records) {
    if (r.outcome !== 'contained' || !r.executionArn || !r.playbook) continue;
    if (r.executionArn === targetArn || undone.has(r.executionArn) || !reversible(r.playbook)) continue;
    standing.set(r.executionArn, {
      executionArn: r.executionArn,
      playbook: r.playbook,
      ...(r.findingId ? { findingId: r.findingId } : {}),
    });
  }
  return [...standing.values()];
}

/**
 * The executions whose undo held its reversal back (another containment stood then) and whose
 * reversal no later undo has made yet, most recently undone first: the undo of the last standing
 * containment makes their reversals too.
 */
export function heldReversals(targetArn: string, records: readonly TrailRecord[]): string[] {
  const undone = undoneExecutions(records);
  const released = new Set([...undone.values()].flatMap((u) => u.released));
  return [...undone.entries()]
    .filter(([arn, u]) => u.held && arn !== targetArn && !released.has(arn))
    .sort(([, a], [, b]) => b.at.localeCompare(a.at))
    .map(([arn]) => arn);
}

/** One execution's succeeded records, oldest first: what its reversal is built from. */
export function succeededRecordsOf(executionArn: string, records: readonly TrailRecord[]): TrailRecord[] {
  return records
    .filter((r) => r.executionArn === executionArn && r.outcome === 'succeeded')
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** What a setting-changing playbook's change record names (protect-db-instance, protect-db-cluster). */
const SettingChangeSchema = z.looseObject({ setting: z.string() });

/**
 * The one setting an execution changed, for a playbook that changes only the setting its
 * finding's control names (its succeeded change record carries `{ control, setting, value }` as
 * details); undefined for any other execution.
 */
export function settingChangedBy(executionArn: string, records: readonly TrailRecord[]): string | undefined {
  for (const r of records) {
    if (r.executionArn !== executionArn || r.outcome !== 'succeeded' || !r.details) continue;
    let json: unknown;
    try {
      json = JSON.parse(r.details);
    } catch {
      // Details that are not JSON are no setting change's.
      continue;
    }
    const parsed = SettingChangeSchema.safeParse(json);
    if (parsed.success) return parsed.data.setting;
  }
  return undefined;
}
