import * as z from 'zod/mini';
import '#shared/validation-messages.ts';
import { ApproverPatternSchema } from './approver-pattern.ts';
import { FindingSelectorSchema, SeverityThresholdSchema, WildcardSchema } from './selector.ts';

/**
 * The largest `blastRadius.maxAutoActions`. The limit exists to stop a detector or policy mistake
 * from containing half an estate in an hour; a thousand automatic actions per window is already
 * more than any real incident needs, and a larger number would disable the safety in all but name.
 * (The classifier keeps one slot per allowed action in one DynamoDB item, about 20 bytes each, far
 * inside the 400 KB item limit.)
 */
export const MAX_AUTO_ACTIONS = 1000;
/**
 * The longest `blastRadius.windowMinutes`: one day. The classifier's count of a window expires
 * (DynamoDB TTL) a day after its latest automatic action, so a longer window could be forgotten
 * part-way and its limit start again from zero.
 */
export const MAX_WINDOW_MINUTES = 24 * 60;

/**
 * What happens when a rule matches:
 * - `auto`: the playbook runs at once;
 * - `approve`: the playbook waits for an on-call engineer's decision;
 * - `dry-run`: the playbook records its plan and mutates nothing;
 * - `notify`: nothing runs; people are told.
 */
export const ModeSchema = z.enum(['auto', 'approve', 'dry-run', 'notify'], {
  error: 'expected one of auto|approve|dry-run|notify',
});
export type Mode = z.infer<typeof ModeSchema>;

const TimeoutMinutesSchema = z.number().check(
  z.int(),
  z.gte(1),
  // A Standard workflow could wait up to a year for its task token; an approval a week old is stale.
  z.lte(7 * 24 * 60),
);
const OnTimeoutSchema = z.enum(['proceed', 'abandon'], { error: 'expected one of proceed|abandon' });

/** How long an approval waits, and what happens when nobody decides in time. */
export const ApprovalSchema = z.strictObject({
  /** Minutes the approval gate waits for a decision. @default 60 */
  timeoutMinutes: z._default(TimeoutMinutesSchema, 60),
  /** On timeout (after escalating): `proceed` runs the playbook, `abandon` leaves it to people. @default abandon */
  onTimeout: z._default(OnTimeoutSchema, 'abandon'),
});
export type Approval = z.infer<typeof ApprovalSchema>;

/** Playbook names are kebab-case, as registered in `statemachines/registry.ts`. */
const PlaybookNameSchema = z
  .string({ error: 'expected a playbook name' })
  .check(
    z.regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'expected a kebab-case playbook name, e.g. disable-access-key'),
  );

/** Rule and exemption ids: short, stable names that appear in decisions and the audit trail. */
const IdSchema = z
  .string({ error: 'expected an id' })
  .check(z.regex(/^[A-Za-z0-9][\w.-]*$/, 'expected letters, digits, ".", "_" or "-"'));

/**
 * The playbook that runs after the rule's own playbook succeeds, on the same finding, e.g.
 * `snapshot-and-reimage` (approve) after `quarantine-instance` (auto). The first playbook starts it
 * as its last step, under a deterministic execution name, so it too runs once per finding.
 */
export const FollowUpSchema = z.strictObject({
  /** The playbook to run next. */
  playbook: PlaybookNameSchema,
  /** Its mode; `notify` runs no playbook, so it is not allowed here. @default `defaults.mode` */
  mode: z.optional(z.enum(['auto', 'approve', 'dry-run'], { error: 'expected one of auto|approve|dry-run' })),
  /** Approval settings when the follow-up's mode is `approve`; missing fields from `defaults.approval`. */
  approval: z.optional(
    z.strictObject({
      timeoutMinutes: z.optional(TimeoutMinutesSchema),
      onTimeout: z.optional(OnTimeoutSchema),
    }),
  ),
  /** Free-form settings handed to the follow-up playbook (e.g. `goldenImageId`). */
  params: z.optional(z.record(z.string(), z.unknown())),
});
export type FollowUp = z.infer<typeof FollowUpSchema>;

/** One routing rule. Rules are tried in order; the first that matches decides. */
export const RuleSchema = z.strictObject({
  /** Stable id, quoted in every decision this rule makes. */
  id: IdSchema,
  /** Why the rule exists, for the reader and the audit trail. */
  description: z.optional(z.string()),
  /** Which findings the rule applies to; `{}` matches every finding. */
  match: z.extend(FindingSelectorSchema, {
    /** Lowest severity (after context adjustments) the rule applies to. */
    minSeverity: z.optional(SeverityThresholdSchema),
  }),
  /** The playbook to run. Required unless the mode is `notify`, which runs none. */
  playbook: z.optional(PlaybookNameSchema),
  /** What happens on a match. @default `defaults.mode` */
  mode: z.optional(ModeSchema),
  /**
   * Approval settings when the mode is (or blast radius turns it into) `approve`; fields left
   * out come from `defaults.approval`.
   */
  approval: z.optional(
    z.strictObject({
      timeoutMinutes: z.optional(TimeoutMinutesSchema),
      onTimeout: z.optional(OnTimeoutSchema),
    }),
  ),
  /** Free-form settings handed to the playbook (e.g. a golden AMI id). */
  params: z.optional(z.record(z.string(), z.unknown())),
  /** A playbook to run after this one succeeds, on the same finding. @default none */
  next: z.optional(FollowUpSchema),
});
export type Rule = z.infer<typeof RuleSchema>;

/** A finding that must not be remediated, with the reason someone accepted the risk. */
export const ExemptionSchema = z.strictObject({
  /** Stable id, quoted in every decision this exemption makes. */
  id: IdSchema,
  /** Why the risk is accepted (ticket, owner). Required: exemptions must be explainable. */
  reason: z.string({ error: 'expected a reason' }).check(z.minLength(1, 'must not be empty')),
  /**
   * When the exemption stops applying: an ISO date (expires at 00:00 UTC that day) or date-time.
   * Omit for a permanent exemption.
   */
  expires: z.optional(
    z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'expected an ISO date' }),
  ),
  /** Which findings are exempt; at least one criterion is required. */
  match: z
    .extend(FindingSelectorSchema, {
      /** Resource id wildcards: access key id, instance id, group id, trail name or ARN, bucket name. */
      resourceIds: z.optional(z.array(WildcardSchema).check(z.minLength(1))),
    })
    .check(z.refine((match) => Object.keys(match).length > 0, 'an exemption needs at least one criterion')),
});
export type Exemption = z.infer<typeof ExemptionSchema>;

/** Raise (or lower) severity for findings in a given context, e.g. production resources. */
export const SeverityAdjustmentSchema = z.strictObject({
  /** Stable id, named in decision reasons. */
  id: IdSchema,
  /** The context the adjustment applies to; at least one criterion is required. */
  when: FindingSelectorSchema.check(
    z.refine((when) => Object.keys(when).length > 0, 'needs at least one criterion'),
  ),
  /** Points added to the 0-10 score (negative lowers it); the result is clamped to 0-10. */
  add: z.number().check(z.gte(-10), z.lte(10)),
});
export type SeverityAdjustment = z.infer<typeof SeverityAdjustmentSchema>;

/** Settings that apply where a rule does not say otherwise. */
export const DefaultsSchema = z.strictObject({
  /** Mode of rules that omit `mode`. @default approve */
  mode: z._default(ModeSchema, 'approve'),
  /** Approval settings of rules that omit `approval`. */
  approval: z._default(ApprovalSchema, { timeoutMinutes: 60, onTimeout: 'abandon' }),
});

/** A remediation policy, version 1. */
export const PolicySchema = z
  .strictObject({
    /** Format version of this document. */
    version: z.literal(1, { error: 'expected 1 (the only policy version)' }),
    /** Settings that apply where a rule does not say otherwise. */
    defaults: z._default(DefaultsSchema, {
      mode: 'approve',
      approval: { timeoutMinutes: 60, onTimeout: 'abandon' },
    }),
    /**
     * AWS-generated sample findings (GuardDuty `CreateSampleFindings`): `dry-run` records what
     * would happen, `skip` ignores them. They never run in `auto` or `approve`, and never notify. @default dry-run
     */
    samples: z._default(z.enum(['dry-run', 'skip'], { error: 'expected one of dry-run|skip' }), 'dry-run'),
    /** Context-based severity changes; every matching adjustment adds up. */
    severity: z._default(z.strictObject({ adjustments: z._default(z.array(SeverityAdjustmentSchema), []) }), {
      adjustments: [],
    }),
    /** Principal ARN wildcards never acted on (break-glass users, the stack's own roles). Root always is. */
    protectedPrincipals: z._default(z.array(WildcardSchema), []),
    /** Findings that must not be remediated. */
    exemptions: z._default(z.array(ExemptionSchema), []),
    /**
     * Beyond `maxAutoActions` automatic actions in any span of `windowMinutes` (a sliding window;
     * every finding of a multi-finding event counts), `auto` becomes `approve`.
     */
    blastRadius: z._default(
      z.strictObject({
        /** Automatic actions allowed per window, 0 to {@link MAX_AUTO_ACTIONS}. @default 20 */
        maxAutoActions: z._default(
          z
            .number()
            .check(
              z.int(),
              z.gte(0),
              z.lte(
                MAX_AUTO_ACTIONS,
                `at most ${MAX_AUTO_ACTIONS}: a larger limit no longer limits anything (0 sends every automatic action to approval)`,
              ),
            ),
          20,
        ),
        /** Length of the window, in minutes, 1 to {@link MAX_WINDOW_MINUTES}. @default 60 */
        windowMinutes: z._default(
          z
            .number()
            .check(
              z.int(),
              z.gte(1, 'at least 1 minute'),
              z.lte(
                MAX_WINDOW_MINUTES,
                `at most ${MAX_WINDOW_MINUTES} (one day): the classifier's window counter lives one day`,
              ),
            ),
          60,
        ),
      }),
      { maxAutoActions: 20, windowMinutes: 60 },
    ),
    /** Who may decide approval requests from the CLI. */
    approvals: z._default(
      z.strictObject({
        /**
         * IAM principal ARN wildcards allowed to approve or deny (a role session matches its role).
         * Empty: nobody may decide by CLI; the signed link of the approval page still works. @default []
         */
        approvers: z._default(z.array(ApproverPatternSchema), []),
      }),
      { approvers: [] },
    ),
    /**
     * How `remediate undo` runs once planned: `approve` waits for an on-call engineer (the same
     * gate and approvers as playbooks), `auto` reverses at once. @default approve
     */
    undo: z._default(
      z.strictObject({
        mode: z._default(z.enum(['auto', 'approve'], { error: 'expected one of auto|approve' }), 'approve'),
      }),
      { mode: 'approve' },
    ),
    /** The audit trail. */
    audit: z._default(
      z.strictObject({
        /**
         * Days a finding's records are kept before DynamoDB's TTL removes them, counted from the
         * finding's first record, so a finding's chain expires whole. @default 400 (13 months: a
         * yearly audit plus its preparation)
         */
        retentionDays: z._default(z.number().check(z.int(), z.gte(1), z.lte(36_500)), 400),
      }),
      { retentionDays: 400 },
    ),
    /** Routing rules, first match wins. */
    rules: z.array(RuleSchema),
  })
  .check(
    z.superRefine((policy, ctx) => {
      reportDuplicateIds(policy.rules, ['rules'], ctx);
      reportDuplicateIds(policy.exemptions, ['exemptions'], ctx);
      policy.rules.forEach((rule, index) => {
        const mode = rule.mode ?? policy.defaults.mode;
        if (mode === 'notify' && rule.playbook !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'playbook'],
            message: 'a notify rule runs no playbook: remove it or choose another mode',
          });
        }
        if (mode !== 'notify' && rule.playbook === undefined) {
          ctx.addIssue({ code: 'custom', path: ['rules', index], message: `mode ${mode} needs a playbook` });
        }
        if (rule.next !== undefined && mode === 'notify') {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'next'],
            message: 'a notify rule runs no playbook, so nothing can follow it',
          });
        }
        if (rule.next !== undefined && rule.next.playbook === rule.playbook) {
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'next', 'playbook'],
            message: `a playbook cannot follow itself ("${rule.playbook}")`,
          });
        }
      });
    }),
  );
/** A parsed, validated remediation policy with defaults filled in. */
export type Policy = z.infer<typeof PolicySchema>;

function reportDuplicateIds(
  items: readonly { id: string }[],
  path: string[],
  ctx: z.core.$RefinementCtx,
): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) {
      ctx.addIssue({ code: 'custom', path: [...path, index, 'id'], message: `duplicate id "${item.id}"` });
    }
    seen.add(item.id);
  });
}
