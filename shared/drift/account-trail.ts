import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { RemediationError } from '#shared/errors.ts';

/**
 * Which trail of the account restore-trail-settings fixes for Security Hub CloudTrail.1 (and its
 * AWS Config rule multi-region-cloudtrail-enabled), whose finding names the account, not a trail.
 * The control fails "if CloudTrail is disabled or if there isn't at least one CloudTrail trail that
 * captures read and write management events" in a multi-Region trail
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1);
 * the rule is also NON_COMPLIANT when ExcludeManagementEventSources is not empty
 * (https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html).
 *
 * Only a trail the account owns in this Region can be changed from here: UpdateTrail and
 * PutEventSelectors are refused outside the trail's home Region (InvalidHomeRegionException,
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html), and an
 * organization trail of the management account is not the member's to change. Creating a trail
 * needs a bucket to deliver to, which the product will not choose: with no trail to fix, a person
 * decides.
 */

const SelectorsSchema = z.looseObject({
  EventSelectors: z.optional(
    z.array(
      z.looseObject({
        ReadWriteType: z.optional(z.string()),
        IncludeManagementEvents: z.optional(z.boolean()),
        ExcludeManagementEventSources: z.optional(z.array(z.string())),
      }),
    ),
  ),
  AdvancedEventSelectors: z.optional(
    z.array(
      z.looseObject({
        FieldSelectors: z.array(
          z.looseObject({ Field: z.string(), Equals: z.optional(z.array(z.string())) }),
        ),
      }),
    ),
  ),
});

/** One DescribeTrails entry, with its status and selectors when it is the account's own in this Region. */
const TrailReadSchema = z.looseObject({
  trail: z.looseObject({
    Name: z.string().check(z.minLength(1)),
    TrailARN: z.string().check(z.minLength(1)),
    HomeRegion: z.optional(z.string()),
    IsMultiRegionTrail: z.optional(z.boolean()),
    IncludeGlobalServiceEvents: z.optional(z.boolean()),
  }),
  /** GetTrailStatus's IsLogging; absent for a trail read only from DescribeTrails. */
  isLogging: z.optional(z.boolean()),
  selectors: z.optional(SelectorsSchema),
});
type TrailRead = z.infer<typeof TrailReadSchema>;

/** What the chooser is given: where the run acts, and every trail DescribeTrails listed there. */
export const AccountTrailInputSchema = z.object({
  accountId: z.string().check(z.regex(/^\d{12}$/, 'expected a 12-digit account id')),
  region: z.string().check(z.minLength(1)),
  trails: z.array(TrailReadSchema),
});
export type AccountTrailInput = z.infer<typeof AccountTrailInputSchema>;

/** The trail to fix, as the finding's resource from here on, or why there is none. */
export type AccountTrailChoice =
  | {
      found: true;
      /** The trail as a finding's resource names it, so the rest of the playbook reads it as usual. */
      resource: { kind: 'Trail'; trailName: string; trailArn: string };
      /** False when the trail is stopped: the playbook starts it. */
      isLogging: boolean;
      /** What the trail lacks for the control, in plain words (empty: it already satisfies it). */
      missing: string[];
      reason: string;
    }
  | { found: false; reason: string };

/** The chooser's input is not what the playbook passes. */
export class InvalidAccountTrailInputError extends RemediationError {
  override name = 'InvalidAccountTrailInputError';
}

/** Parse the state machine's payload; a malformed one is refused naming the field. */
export function parseAccountTrailInput(input: unknown): AccountTrailInput {
  const parsed = AccountTrailInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidAccountTrailInputError(
    `choose account trail input: ${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** The account id in a trail ARN (`arn:aws:cloudtrail:<region>:<account>:trail/<name>`). */
const ownerOf = (arn: string) => arn.split(':')[4];

/** True when some selector logs every read and write management event, no source excluded. */
function logsAllManagementEvents(selectors: TrailRead['selectors']): boolean {
  const basic = selectors?.EventSelectors ?? [];
  const advanced = selectors?.AdvancedEventSelectors ?? [];
  if (advanced.length > 0)
    return advanced.some(
      (s) =>
        s.FieldSelectors.length === 1 &&
        s.FieldSelectors.some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management')),
    );
  return basic.some(
    (s) =>
      s.IncludeManagementEvents !== false &&
      (s.ReadWriteType ?? 'All') === 'All' &&
      (s.ExcludeManagementEventSources ?? []).length === 0,
  );
}

/** What `read` lacks for CloudTrail.1. */
function missingFor(read: TrailRead): string[] {
  const missing: string[] = [];
  if (read.trail.IsMultiRegionTrail !== true) missing.push('multi-Region logging');
  if (!logsAllManagementEvents(read.selectors)) missing.push('read and write management events');
  if (read.isLogging !== true) missing.push('logging (the trail is stopped)');
  return missing;
}

/**
 * The account's own trail in this Region that needs the fewest changes to satisfy the control
 * (ties by name, so a re-run chooses the same one). A single-Region trail without global service
 * events cannot be made multi-Region without turning those on too, a second setting nobody asked
 * for (UpdateTrail refuses the combination), so it is not chosen.
 */
export function chooseAccountTrail(input: AccountTrailInput): AccountTrailChoice {
  const owned = input.trails.filter(
    (t) => ownerOf(t.trail.TrailARN) === input.accountId && t.trail.HomeRegion === input.region,
  );
  const fixable = owned.filter(
    (t) => t.trail.IsMultiRegionTrail === true || t.trail.IncludeGlobalServiceEvents !== false,
  );
  const ranked = fixable
    .map((read) => ({ read, missing: missingFor(read) }))
    .sort(
      (a, b) => a.missing.length - b.missing.length || a.read.trail.Name.localeCompare(b.read.trail.Name),
    );
  const best = ranked[0];
  if (!best) {
    const elsewhere = input.trails.filter((t) => !owned.includes(t)).map((t) => t.trail.TrailARN);
    const why =
      owned.length > 0
        ? `the account's trails in ${input.region} are single-Region without global service events, which a multi-Region trail needs`
        : elsewhere.length > 0
          ? `no trail of account ${input.accountId} has ${input.region} as its home Region (listed here: ${elsewhere.join(', ')}); a trail is changed only in its home Region, by its owner`
          : `account ${input.accountId} has no trail in ${input.region}`;
    return {
      found: false,
      reason: `No trail to fix for CloudTrail.1: ${why}. Creating a trail needs a bucket to deliver its logs to, which is yours to choose: create a multi-Region trail logging read and write management events.`,
    };
  }
  const { trail } = best.read;
  return {
    found: true,
    resource: { kind: 'Trail', trailName: trail.Name, trailArn: trail.TrailARN },
    isLogging: best.read.isLogging === true,
    missing: best.missing,
    reason:
      best.missing.length === 0
        ? `trail ${trail.Name} already satisfies CloudTrail.1`
        : `trail ${trail.Name} lacks ${best.missing.join(', ')}`,
  };
}
