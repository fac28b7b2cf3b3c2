import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import {
  CONTROL_ID,
  FindingSourceSchema,
  type ResourceKind,
  ResourceSchema,
  SeverityLabelSchema,
} from '#shared/findings/finding.ts';

/** Accept one value or a non-empty list of them; always hand back a list. */
function oneOrMany<T extends z.ZodMiniType>(item: T, expected: string) {
  return z.pipe(
    z.union([item, z.array(item).check(z.minLength(1))], {
      error: `expected ${expected} or a non-empty list of them`,
    }),
    z.transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value])),
  );
}

/** An IAM-style wildcard: `*` any run of characters (including `/`), `?` one character. */
export const WildcardSchema = z
  .string({ error: 'expected a string' })
  .check(z.minLength(1, 'must not be empty'));

/**
 * A 12-digit AWS account id. Must be quoted in YAML: unquoted digits are read as a number,
 * which drops the leading zeros some account ids have.
 */
export const AccountIdSchema = z
  .string({ error: 'expected a quoted 12-digit account id (YAML reads unquoted digits as a number)' })
  .check(z.regex(/^\d{12}$/, 'expected a 12-digit account id'));

// zod/mini schemas keep their definition under `_zod.def`: the union's options, each literal's value.
const resourceKinds = ResourceSchema._zod.def.options.map(
  (option) => option.shape.kind._zod.def.values[0],
) as [ResourceKind, ...ResourceKind[]];

/** The kinds of resource a finding can be about (`AccessKey`, `Instance`, ...), read from the finding model. */
export const ResourceKindSchema = z.enum(resourceKinds, {
  error: `expected one of ${resourceKinds.join('|')}`,
});

/** A Security Hub control id, e.g. `EC2.13`, exactly as Security Hub writes it. */
export const ControlIdSchema = z
  .string({ error: 'expected a Security Hub control id' })
  .check(z.regex(CONTROL_ID, 'expected a Security Hub control id such as EC2.13 or S3.8'));

/**
 * Which findings something applies to. Every field is optional; the fields given must all
 * match (AND), and within a list any entry may match (OR).
 */
export const FindingSelectorSchema = z.strictObject({
  /** Finding source(s): `guardduty`, `cloudtrail`, `config`, `securityhub`. */
  source: z.optional(oneOrMany(FindingSourceSchema, `one of ${FindingSourceSchema.options.join('|')}`)),
  /** Finding type wildcard(s), e.g. `UnauthorizedAccess:IAMUser/*` or a CloudTrail event name. */
  type: z.optional(oneOrMany(WildcardSchema, 'a finding type wildcard')),
  /**
   * Security Hub control id(s), e.g. `EC2.13`: matches a failed control finding of Security Hub
   * itself (consolidated `Compliance.SecurityControlId`, or `ProductFields.ControlId`). A finding
   * that names no control never matches.
   */
  controls: z.optional(oneOrMany(ControlIdSchema, 'a Security Hub control id')),
  /** Resource kind(s) the finding is about, e.g. `AccessKey`. */
  resource: z.optional(oneOrMany(ResourceKindSchema, 'a resource kind')),
  /**
   * The resource type as the source reported it, where it differs from the kind acted on
   * (GuardDuty's `EKSCluster`, `ECSCluster`, `Container` for a finding naming the node instance);
   * otherwise the kind itself.
   */
  reportedAs: z.optional(oneOrMany(WildcardSchema, 'a reported resource type')),
  /** Account ids the finding was raised in. */
  accounts: z.optional(z.array(AccountIdSchema).check(z.minLength(1))),
  /** Region wildcards, e.g. `eu-*`. */
  regions: z.optional(z.array(WildcardSchema).check(z.minLength(1))),
  /**
   * Resource tags that must all be present; values are wildcards (`"*"`: any value). YAML
   * values that are not strings (`true`, `1`) must be quoted.
   */
  tags: z.optional(z.record(z.string(), WildcardSchema)),
  /**
   * Principal ARN wildcards: the affected IAM user or role, or the caller. Root is
   * `arn:aws:iam::<account>:root` (match any account with `arn:*:iam::*:root`).
   */
  principals: z.optional(z.array(WildcardSchema).check(z.minLength(1))),
});
export type FindingSelector = z.infer<typeof FindingSelectorSchema>;

/** A severity threshold: a 0-10 score or a GuardDuty band label (`Medium` means 4.0 and up). */
export const SeverityThresholdSchema = z.union([z.number().check(z.gte(0), z.lte(10)), SeverityLabelSchema], {
  error: `expected a score from 0 to 10 or one of ${SeverityLabelSchema.options.join('|')}`,
});
export type SeverityThreshold = z.infer<typeof SeverityThresholdSchema>;
