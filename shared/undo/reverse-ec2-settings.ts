import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { undoActions } from './actions.ts';
import type { ExecutionTrail, Reversal } from './reverse.ts';

/*
 * Reversers of the playbooks that change one setting of an EC2 resource: the setting
 * goes back to what the run's `before` record shows, and only that setting.
 */

/** The instance's HttpTokens as require-imdsv2 records it (its `before`). */
const HttpTokensSchema = z.looseObject({ HttpTokens: z.enum(['optional', 'required']) });

/** The subnet's MapPublicIpOnLaunch as disable-subnet-public-ip records it (its `before`). */
const MapPublicIpSchema = z.looseObject({ MapPublicIpOnLaunch: z.boolean() });

const beforeOf = (trail: ExecutionTrail, action: string) => {
  const record = trail.succeeded.findLast((r) => r.action === action);
  return record ? (JSON.parse(record.before ?? 'null') as unknown) : undefined;
};

/**
 * require-imdsv2: ModifyInstanceMetadataOptions HttpTokens=required, reversed to the recorded
 * HttpTokens only when it was `optional`; every other metadata option was never changed.
 */
export function reverseRequireImdsv2(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  const before = beforeOf(trail, 'ModifyInstanceMetadataOptions');
  if (before === undefined || resource.kind !== 'Instance') return { actions: [], notes: [] };
  const parsed = HttpTokensSchema.safeParse(before);
  if (!parsed.success || parsed.data.HttpTokens === 'required')
    return { actions: [], notes: ['IMDSv2 was already required: nothing to reverse.'] };
  return {
    actions: [undoActions.allowImdsv1(resource.instanceId)],
    notes: [
      `Instance ${resource.instanceId} accepts IMDSv1 requests again: the risk Security Hub EC2.8 reports comes back.`,
    ],
  };
}

/**
 * disable-subnet-public-ip: ModifySubnetAttribute MapPublicIpOnLaunch=false, reversed only when
 * the subnet assigned public addresses before. Instances launched meanwhile keep having none.
 */
export function reverseDisableSubnetPublicIp(trail: ExecutionTrail): Reversal {
  const { resource } = trail.finding;
  const before = beforeOf(trail, 'ModifySubnetAttribute');
  if (before === undefined || resource.kind !== 'Other') return { actions: [], notes: [] };
  const parsed = MapPublicIpSchema.safeParse(before);
  if (!parsed.success || !parsed.data.MapPublicIpOnLaunch)
    return { actions: [], notes: ['The subnet already assigned no public addresses: nothing to reverse.'] };
  return {
    actions: [undoActions.mapPublicIpOnLaunch(resource.id)],
    notes: ['Instances launched while it was off keep having no public IPv4 address.'],
  };
}
