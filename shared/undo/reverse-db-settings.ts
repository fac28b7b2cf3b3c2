import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { type ControlSetting, DB_CLUSTER_CONTROLS, DB_INSTANCE_CONTROLS } from '../rds/control-settings.ts';
import { type UndoAction, undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/** The settings read before the change (protect-db-instance and protect-db-cluster record them as `before`). */
const SettingsSchema = z.record(z.string(), z.boolean());
/** The change's details: the control, and the identifier the run modified (runs since AWS Config routing). */
const DetailsSchema = z.looseObject({ identifier: z.optional(z.string().check(z.minLength(1))) });

/**
 * The identifier the run modified: its record's, since a finding of AWS Config names the instance by
 * its resource id, which ModifyDBInstance does not take; the finding's own name for older records.
 */
function modifiedIdentifier(details: string | undefined, named: string): string {
  if (details === undefined) return named;
  let json: unknown;
  try {
    json = JSON.parse(details);
  } catch {
    return named;
  }
  const parsed = DetailsSchema.safeParse(json);
  return parsed.success ? (parsed.data.identifier ?? named) : named;
}

/**
 * Put back the one setting the finding's control names, from the change's `before`, only when it
 * was not already as the control wants it (a run that found it so changed nothing). The other
 * settings in the record were read, not changed, so they are left alone.
 */
function reverseControlSetting(
  trail: ExecutionTrail,
  action: string,
  controls: Readonly<Record<string, ControlSetting>>,
  restore: (identifier: string, setting: string, value: boolean) => UndoAction,
): Reversal {
  const { resource, control } = trail.finding;
  const record = trail.succeeded.findLast((r) => r.action === action);
  if (!record || resource.kind !== 'Other') return { actions: [], notes: [] };
  const fixed = control !== undefined && Object.hasOwn(controls, control) ? controls[control] : undefined;
  if (!fixed)
    return {
      actions: [],
      notes: [`The finding names no control this playbook remediates: nothing to reverse.`],
    };
  const before = SettingsSchema.safeParse(JSON.parse(record.before ?? 'null'));
  const was = before.success ? before.data[fixed.setting] : undefined;
  if (was === undefined || was === fixed.value)
    return { actions: [], notes: [`${fixed.setting} was already ${fixed.value}: nothing to reverse.`] };
  return {
    actions: [restore(modifiedIdentifier(record.details, resource.id), fixed.setting, was)],
    notes: [],
  };
}

/** protect-db-instance: ModifyDBInstance of the control's setting, put back as it was. */
export function reverseProtectDbInstance(trail: ExecutionTrail): Reversal {
  return reverseControlSetting(
    trail,
    'ModifyDBInstance',
    DB_INSTANCE_CONTROLS,
    undoActions.restoreDbInstanceSetting,
  );
}

/** protect-db-cluster: ModifyDBCluster of the control's setting, put back as it was. */
export function reverseProtectDbCluster(trail: ExecutionTrail): Reversal {
  return reverseControlSetting(
    trail,
    'ModifyDBCluster',
    DB_CLUSTER_CONTROLS,
    undoActions.restoreDbClusterSetting,
  );
}
