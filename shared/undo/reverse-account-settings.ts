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

/** GetPublicAccessBlock (S3 Control) as the playbook records it: the four settings, or "none". */
const AccountPublicAccessBlockSchema = z.looseObject({
  PublicAccessBlockConfiguration: z.union([
    z.literal('none'),
    z.looseObject({
      BlockPublicAcls: z.optional(z.boolean()),
      IgnorePublicAcls: z.optional(z.boolean()),
      BlockPublicPolicy: z.optional(z.boolean()),
      RestrictPublicBuckets: z.optional(z.boolean()),
    }),
  ]),
});

/**
 * block-account-public-access: put the account's previous configuration back exactly as the run
 * read it, or delete the configuration when the account had none; a run that found every setting
 * on changed nothing.
 */
export function reverseBlockAccountPublicAccess(trail: ExecutionTrail): Reversal {
  const record = trail.succeeded.findLast((r) => r.action === 'PutAccountPublicAccessBlock');
  if (!record) return { actions: [], notes: [] };
  const before = AccountPublicAccessBlockSchema.safeParse(JSON.parse(record.before ?? 'null'));
  if (!before.success) return { actions: [], notes: ['The previous configuration was not recorded.'] };
  const current = JSON.parse(record.after ?? 'null') as unknown;
  const { accountId } = trail.finding;
  const config = before.data.PublicAccessBlockConfiguration;
  const notes = [
    `Buckets of account ${accountId} may be public again once its previous configuration is back.`,
  ];
  if (config === 'none')
    return { actions: [undoActions.deleteAccountPublicAccessBlock(accountId, current)], notes };
  const { BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets } = config;
  return {
    actions: [
      undoActions.putAccountPublicAccessBlock(
        accountId,
        { BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets },
        current,
      ),
    ],
    notes,
  };
}
