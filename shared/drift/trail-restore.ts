import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * What restore-trail-settings turns back on, from the trail as read now and what the finding says
 * was turned off. Only settings that are exact to restore:
 *
 * - Log file validation and multi-Region logging are booleans: turning either back on is exact.
 * - Event selectors: a PutEventSelectors call replaces every selector of the trail, and neither its
 *   CloudTrail record nor any read names the selectors it replaced. The restore is therefore a
 *   documented baseline, CloudTrail's own default for a trail (every read and write management
 *   event: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html),
 *   added to the selectors the trail has now, whose data events stay exactly as they are.
 * - The log destination (S3 bucket or prefix): the record names the new bucket only, never the
 *   previous one, so it is never changed here; the notification says so.
 */

/** A setting the playbook may turn back on; CloudTrail.4's finding names only `logFileValidation`. */
export const RESTORABLE_SETTINGS = ['logFileValidation', 'multiRegion', 'managementEvents'] as const;
export type RestorableSetting = (typeof RESTORABLE_SETTINGS)[number];

/** The name restored management events carry in advanced selectors, so an operator sees why it is there. */
export const MANAGEMENT_SELECTOR_NAME = 'Management events (restored by restore-trail-settings)';

/** CloudTrail's limit on basic event selectors per trail (InvalidEventSelectorsException beyond it). */
const MAX_EVENT_SELECTORS = 5;

const EventSelectorSchema = z.looseObject({
  ReadWriteType: z.optional(z.string()),
  IncludeManagementEvents: z.optional(z.boolean()),
  DataResources: z.optional(z.array(z.unknown())),
  ExcludeManagementEventSources: z.optional(z.array(z.string())),
});
type EventSelector = z.infer<typeof EventSelectorSchema>;

const AdvancedEventSelectorSchema = z.looseObject({
  Name: z.optional(z.string()),
  FieldSelectors: z.array(z.looseObject({ Field: z.string(), Equals: z.optional(z.array(z.string())) })),
});
type AdvancedEventSelector = z.infer<typeof AdvancedEventSelectorSchema>;

/** What the planner is given: the finding's trail and change, the rule's params, the trail as read now. */
export const TrailRestoreInputSchema = z.object({
  /** The trail's name or ARN, as the playbook passes it to every call. */
  trailId: z.string().check(z.minLength(1)),
  /** The CloudTrail request's fields (lower camel case); absent for a Security Hub control finding. */
  change: z.nullish(z.record(z.string(), z.unknown())),
  decision: z.optional(
    z.looseObject({
      params: z.nullish(z.looseObject({ restore: z.optional(z.array(z.enum(RESTORABLE_SETTINGS))) })),
    }),
  ),
  /** GetTrail's `Trail`. */
  trail: z.looseObject({
    IsMultiRegionTrail: z.optional(z.boolean()),
    LogFileValidationEnabled: z.optional(z.boolean()),
    IncludeGlobalServiceEvents: z.optional(z.boolean()),
  }),
  /** GetEventSelectors output: one of the two lists. */
  selectors: z.looseObject({
    EventSelectors: z.optional(z.array(EventSelectorSchema)),
    AdvancedEventSelectors: z.optional(z.array(AdvancedEventSelectorSchema)),
  }),
});
export type TrailRestoreInput = z.infer<typeof TrailRestoreInputSchema>;

/** The calls to make (absent when nothing of theirs is off) and what is not restored, and why. */
export interface TrailRestorePlan {
  trailId: string;
  /** The settings the finding says were turned off, or the rule names. */
  wanted: RestorableSetting[];
  /** UpdateTrail's input; both booleans are sent, the one not restored with its current value. */
  updateTrail?: { Name: string; IsMultiRegionTrail: boolean; EnableLogFileValidation: boolean };
  /** PutEventSelectors with basic selectors. */
  putEventSelectors?: { TrailName: string; EventSelectors: EventSelector[] };
  /** PutEventSelectors with advanced selectors (a trail has one kind or the other). */
  putAdvancedEventSelectors?: { TrailName: string; AdvancedEventSelectors: AdvancedEventSelector[] };
  /** The settings this plan turns back on, in plain words. */
  restores: string[];
  /** What stays as it is and why (shown in the notification). */
  notes: string[];
  /** How many settings the plan turns back on: 0 when the trail is already as the playbook would leave it. */
  count: number;
}

/** The planner's input is not what the playbook passes. */
export class InvalidTrailRestoreInputError extends RemediationError {
  override name = 'InvalidTrailRestoreInputError';
}

/** Parse the state machine's payload; a malformed one is refused naming the field. */
export function parseTrailRestoreInput(input: unknown): TrailRestoreInput {
  const parsed = TrailRestoreInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidTrailRestoreInputError(
    `restore-trail-settings input: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** What the finding asks to restore: the CloudTrail request's weakening, else the rule's `params.restore`. */
function wantedSettings(input: TrailRestoreInput): RestorableSetting[] {
  const change = input.change;
  if (change && Object.keys(change).length > 0) {
    const wanted: RestorableSetting[] = [];
    if (change['enableLogFileValidation'] === false) wanted.push('logFileValidation');
    if (change['isMultiRegionTrail'] === false) wanted.push('multiRegion');
    if ('eventSelectors' in change || 'advancedEventSelectors' in change) wanted.push('managementEvents');
    return wanted;
  }
  return [...new Set(input.decision?.params?.restore ?? [])];
}

/** A basic selector logs every read and write management event (no source excluded). */
const logsAllManagement = (s: EventSelector) =>
  s.IncludeManagementEvents !== false &&
  (s.ReadWriteType ?? 'All') === 'All' &&
  (s.ExcludeManagementEventSources ?? []).length === 0;

/** An advanced selector's only condition is `eventCategory` = `Management`: every management event. */
const isManagementSelector = (s: AdvancedEventSelector) =>
  s.FieldSelectors.some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management'));
const logsAllManagementAdvanced = (s: AdvancedEventSelector) =>
  isManagementSelector(s) && s.FieldSelectors.length === 1;

/**
 * The selectors with every read and write management event logged again. Selectors that log data
 * events keep them exactly (their management events are turned off, as the added baseline selector
 * logs all of them); selectors that logged narrower management events only are replaced by it.
 */
function restoredSelectors(
  input: TrailRestoreInput,
): Pick<TrailRestorePlan, 'putEventSelectors' | 'putAdvancedEventSelectors'> | { full: string } | undefined {
  const { EventSelectors: basic, AdvancedEventSelectors: advanced } = input.selectors;
  if (advanced && advanced.length > 0) {
    if (advanced.some(logsAllManagementAdvanced)) return undefined;
    return {
      putAdvancedEventSelectors: {
        TrailName: input.trailId,
        AdvancedEventSelectors: [
          ...advanced.filter((s) => !isManagementSelector(s)),
          {
            Name: MANAGEMENT_SELECTOR_NAME,
            FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
          },
        ],
      },
    };
  }
  const selectors = basic ?? [];
  if (selectors.some(logsAllManagement)) return undefined;
  const dataSelectors = selectors
    .filter((s) => (s.DataResources ?? []).length > 0)
    .map((s) => {
      const { ExcludeManagementEventSources: _excluded, ...rest } = s;
      return { ...rest, IncludeManagementEvents: false };
    });
  if (dataSelectors.length >= MAX_EVENT_SELECTORS)
    return {
      full: `management events not restored: the trail already has ${MAX_EVENT_SELECTORS} data event selectors, CloudTrail's limit`,
    };
  return {
    putEventSelectors: {
      TrailName: input.trailId,
      EventSelectors: [
        ...dataSelectors,
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [],
          ExcludeManagementEventSources: [],
        },
      ],
    },
  };
}

/** Plan the restore: only what was turned off and is off now; the rest is noted, never guessed. */
export function planTrailRestore(input: TrailRestoreInput): TrailRestorePlan {
  const wanted = wantedSettings(input);
  const restores: string[] = [];
  const notes: string[] = [];
  const change = input.change ?? {};
  if (typeof change['s3BucketName'] === 'string' || typeof change['s3KeyPrefix'] === 'string')
    notes.push(
      'log destination not restored: the CloudTrail record names the new bucket and prefix only, never the previous ones',
    );

  const validationOff = wanted.includes('logFileValidation') && input.trail.LogFileValidationEnabled !== true;
  let multiRegionOff = wanted.includes('multiRegion') && input.trail.IsMultiRegionTrail !== true;
  // CloudTrail refuses a multi-Region trail that does not include global service events; turning
  // those on too would change a second setting the call did not name.
  // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html
  if (multiRegionOff && input.trail.IncludeGlobalServiceEvents === false) {
    notes.push(
      'multi-Region logging not restored: the trail does not include global service events, which it requires',
    );
    multiRegionOff = false;
  }
  if (validationOff) restores.push('log file validation');
  if (multiRegionOff) restores.push('multi-Region logging');
  const plan: TrailRestorePlan = { trailId: input.trailId, wanted, restores, notes, count: 0 };
  if (validationOff || multiRegionOff)
    plan.updateTrail = {
      Name: input.trailId,
      IsMultiRegionTrail: multiRegionOff || input.trail.IsMultiRegionTrail === true,
      EnableLogFileValidation: validationOff || input.trail.LogFileValidationEnabled === true,
    };

  if (wanted.includes('managementEvents')) {
    const selectors = restoredSelectors(input);
    if (selectors && 'full' in selectors) notes.push(selectors.full);
    else if (selectors) {
      Object.assign(plan, selectors);
      restores.push('read and write management events');
    }
  }
  plan.count = restores.length;
  return plan;
}
