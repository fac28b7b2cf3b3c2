import { z } from 'zod';
import {
  FindingSourceSchema,
  type ResourceKind,
  ResourceSchema,
  SeverityLabelSchema,
} from '#shared/findings/finding.ts';

/** Accept one value or a non-empty list of them; always hand back a list. */
function oneOrMany<T extends z.ZodType>(item: T, expected: string) {
  return z
    .union([item, z.array(item).min(1)], { error: `expected ${expected} or a non-empty list of them` })
    .transform((value): z.output<T>[] => (Array.isArray(value) ? value : [value]));
}

/** An IAM-style wildcard: `*` any run of characters (including `/`), `?` one character. */
export const WildcardSchema = z.string({ error: 'expected a string' }).min(1, 'must not be empty');

/**
 * A 12-digit AWS account id. Must be quoted in YAML: unquoted digits are read as a number,
 * which drops the leading zeros some account ids have.
 */
export const AccountIdSchema = z
  .string({ error: 'expected a quoted 12-digit account id (YAML reads unquoted digits as a number)' })
  .regex(/^\d{12}$/, 'expected a 12-digit account id');

const resourceKinds = ResourceSchema.options.map((option) => option.shape.kind.value) as [
  ResourceKind,
  ...ResourceKind[],
];

/** The kinds of resource a finding can be about (`AccessKey`, `Instance`, ...), read from the finding model. */
export const ResourceKindSchema = z.enum(resourceKinds, {
  error: `expected one of ${resourceKinds.join('|')}`,
});

/**
 * Which findings something applies to. Every field is optional; the fields given must all
 * match (AND), and within a list any entry may match (OR).
 */
export const FindingSelectorSchema = z.strictObject({
  /** Finding source(s): `guardduty`, `cloudtrail`, `config`, `securityhub`. */
  source: oneOrMany(FindingSourceSchema, `one of ${FindingSourceSchema.options.join('|')}`).optional(),
  /** Finding type wildcard(s), e.g. `UnauthorizedAccess:IAMUser/*` or a CloudTrail event name. */
  type: oneOrMany(WildcardSchema, 'a finding type wildcard').optional(),
  /** Resource kind(s) the finding is about, e.g. `AccessKey`. */
  resource: oneOrMany(ResourceKindSchema, 'a resource kind').optional(),
  /** Account ids the finding was raised in. */
  accounts: z.array(AccountIdSchema).min(1).optional(),
  /** Region wildcards, e.g. `eu-*`. */
  regions: z.array(WildcardSchema).min(1).optional(),
  /**
   * Resource tags that must all be present; values are wildcards (`"*"`: any value). YAML
   * values that are not strings (`true`, `1`) must be quoted.
   */
  tags: z.record(z.string(), WildcardSchema).optional(),
  /**
   * Principal ARN wildcards: the affected IAM user or role, or the caller. Root is
   * `arn:aws:iam::<account>:root` (match any account with `arn:*:iam::*:root`).
   */
  principals: z.array(WildcardSchema).min(1).optional(),
});
export type FindingSelector = z.infer<typeof FindingSelectorSchema>;

/** A severity threshold: a 0-10 score or a GuardDuty band label (`Medium` means 4.0 and up). */
export const SeverityThresholdSchema = z.union([z.number().min(0).max(10), SeverityLabelSchema], {
  error: `expected a score from 0 to 10 or one of ${SeverityLabelSchema.options.join('|')}`,
});
export type SeverityThreshold = z.infer<typeof SeverityThresholdSchema>;
