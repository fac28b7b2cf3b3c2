import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/*
 * Reversers of the playbooks that turn on a setting (of an account and Region, or of a key): the
 * setting goes back off only when the run's `before` record shows it was off.
 */

/** GetKeyRotationStatus as the playbook records it (its `before`). */
const KeyRotationStatusSchema = z.looseObject({ KeyRotationEnabled: z.boolean() });

/** GetEbsEncryptionByDefault as the playbook records it (its `before`). */
const EbsEncryptionByDefaultSchema = z.looseObject({ EbsEncryptionByDefault: z.boolean() });

/**
 * encrypt-ebs-by-default: EnableEbsEncryptionByDefault, reversed only when the setting
 * was off before (recorded as the call's `before`); a run that found it on changed nothing.
 */
export function reverseEnableEbsEncryptionByDefault(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'EnableEbsEncryptionByDefault');
  if (!record) return { actions: [], notes: [] };
  const before = EbsEncryptionByDefaultSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success || before.data.EbsEncryptionByDefault)
    return { actions: [], notes: ['EBS encryption by default was already on: nothing to reverse.'] };
  return {
    actions: [undoActions.disableEbsEncryptionByDefault(trail.finding.accountId, trail.finding.region)],
    notes: ['Volumes created while it was on stay encrypted; only volumes created from now on are affected.'],
  };
}

/**
 * enable-key-rotation: EnableKeyRotation, reversed only when rotation was off before; key material
 * already rotated in the meantime stays (KMS keeps every version to decrypt with).
 */
export function reverseEnableKeyRotation(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  const record = trail.succeeded.findLast((r) => r.action === 'EnableKeyRotation');
  if (!record || resource.kind !== 'KmsKey') return { actions: [], notes: [] };
  const before = KeyRotationStatusSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success || before.data.KeyRotationEnabled)
    return { actions: [], notes: ['Rotation was already on: nothing to reverse.'] };
  return {
    actions: [undoActions.disableKeyRotation(resource.keyArn ?? resource.keyId)],
    notes: ['Key material rotated while rotation was on stays: KMS keeps it to decrypt older data.'],
  };
}

/** DescribeDBInstances' instance as protect-db-instance records it (its `before`). */
const DeletionProtectionSchema = z.looseObject({ DeletionProtection: z.boolean() });

/**
 * protect-db-instance: ModifyDBInstance turning deletion protection on, reversed only when it was
 * off before; a run that found it on changed nothing.
 */
export function reverseProtectDbInstance(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  const record = trail.succeeded.findLast((r) => r.action === 'ModifyDBInstance');
  if (!record || resource.kind !== 'Other') return { actions: [], notes: [] };
  const before = DeletionProtectionSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success || before.data.DeletionProtection)
    return { actions: [], notes: ['Deletion protection was already on: nothing to reverse.'] };
  return { actions: [undoActions.disableDeletionProtection(resource.id)], notes: [] };
}
