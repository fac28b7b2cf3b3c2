import { aws_stepfunctions as sfn, type aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AuditOutcome } from '#shared/audit/record.ts';
import type { PlaybookContext } from '../playbook.ts';
import { approvalGate } from './approval-gate.ts';
import { APPROVAL_RISK_PATH } from './approval-risk.ts';
import { type AuditEntry, auditBatchStep, auditStep } from './audit-step.ts';
import { type AwsCallProps, awsCall } from './aws-call.ts';
import { catchToHuman, needsHuman } from './needs-human.ts';
import { notifyStep } from './notify.ts';
import { recordPlan } from './record-plan.ts';
import { type ResourceArns, resourceArns } from './resource-arns.ts';

/** JSONPaths of what an audit record keeps besides the action and outcome. */
export interface AuditPaths {
  readonly beforePath?: string;
  readonly afterPath?: string;
  readonly detailsPath?: string;
  readonly reasonPath?: string;
}

/** The building blocks of a playbook, every one already wired to its needs-human path. */
export interface PlaybookSteps {
  /** The construct scope the playbook's states are created in. */
  readonly scope: Construct;
  /** The account's and region's ARN pattern of each resource type, for `iamResources`. */
  readonly arns: ResourceArns;
  /** The shared end of every failed step (audit `needs-human`, notify, fail `NeedsHuman`). */
  readonly human: sfn.IChainable;
  /** Append one audit record. */
  audit(id: string, action: string, outcome: AuditOutcome, paths?: AuditPaths): tasks.LambdaInvoke;
  /**
   * Append several audit records in one step, in order (one state transition for a phase of
   * calls, each call still its own record).
   */
  auditBatch(id: string, records: readonly AuditEntry[]): tasks.LambdaInvoke;
  /**
   * One AWS SDK integration call in the finding's account, retried on its service's throttling
   * errors, any other failure to `human`. Inside a Map use `awsCall` itself: the Map catches.
   */
  call(id: string, props: AwsCallProps): tasks.CallAwsService;
  /**
   * A run that cannot go on without a person, though no call failed (failed calls the kit catches
   * itself): keep `error` at `$.error` in the Pass `id`, then take the needs-human path, whose
   * record and notification show it.
   */
  stop(id: string, error: StopError): sfn.Chain;
  /**
   * A Map state running `processor` for each item; a failed iteration takes the run to the
   * needs-human path. Calls inside use `awsCall` itself: the Map catches.
   */
  each(id: string, props: sfn.MapProps, processor: sfn.IChainable): sfn.Map;
  /**
   * The Choice `id`: a finding on a resource of `type` goes on to `run`; any other is recorded
   * `skipped` (as `action`, with the resource as details) and the run ends as `Unsupported resource`.
   */
  onlyFor(props: OnlyForProps): sfn.Choice;
  /** Dry run: record the plan at `planPath` and end; nothing that mutates was called. */
  planRecorded(planPath: string): sfn.IChainable;
  /**
   * The one `Mode?` choice: `dry-run` records the plan at `planPath` (built by `plan`) and ends,
   * `approve` puts the approval gate in front of `contain`, `auto` runs `contain` at once.
   */
  byMode(props: ByModeProps): sfn.Choice;
  /**
   * The approval gate alone, for a playbook that asks in the middle of its steps (after reads
   * that show the approver what will change); chain the next step after it. It passes once
   * approved, or on timeout with `proceed`.
   */
  approval(props: ApprovalProps): sfn.Chain;
  /**
   * The end of a successful run: record `verified` when `isVerified` holds (the resource was
   * read again after the change), notify, record `contained`; otherwise record `not-verified`
   * and hand over to a human.
   */
  verify(isVerified: sfn.Condition, paths: AuditPaths, headline: string): sfn.Choice;
  /**
   * The end of a run that contained something: notify with `headline`, record `contained`, then
   * `end` (@default a Succeed state `Contained`).
   */
  contained(props: ContainedProps): sfn.Chain;
  /**
   * The end of a run that found nothing to change (the resource was already as the playbook
   * would leave it): record `skipped` with what was read, and succeed as `endId`.
   */
  nothingToDo(auditId: string, action: string, paths: AuditPaths, endId: string): sfn.Chain;
  /**
   * The Choice `id`: when `already` holds (the before-state shows the resource already as the
   * playbook would leave it) record `skipped` as {@link nothingToDo} does and succeed; otherwise
   * run `contain`. Put it as `byMode`'s `contain`, so approval and auto mode both skip.
   */
  unlessAlready(props: UnlessAlreadyProps): sfn.Choice;
}

/** Why a run stops with a person: an error name, and its cause as text or as an intrinsic (`Cause.$`). */
export type StopError = { readonly Error: string } & (
  | { readonly Cause: string }
  | { readonly 'Cause.$': string }
);

/** Which resource type a playbook acts on, and what runs for it. */
export interface OnlyForProps {
  /** The Choice state's name, e.g. `SNS topic?`. */
  readonly id: string;
  /** The finding's resource type, e.g. `AwsSnsTopic`. */
  readonly type: string;
  /** The audit action of the `skipped` record of another type (the playbook's change). */
  readonly action: string;
  /** What runs for a resource of `type`. */
  readonly run: sfn.IChainable;
}

/** What {@link PlaybookSteps.unlessAlready} decides on, and what it records when it skips. */
export interface UnlessAlreadyProps {
  /** The Choice state's name, e.g. `Logging?`. */
  readonly id: string;
  /** True when there is nothing to do. */
  readonly already: sfn.Condition;
  /** The `skipped` audit record's state name, action and paths. */
  readonly audit: { readonly id: string; readonly action: string; readonly paths: AuditPaths };
  /** The Succeed state's name, e.g. `Already logging`. */
  readonly endId: string;
  /** The containment steps. */
  readonly contain: sfn.IChainable;
}

/** What {@link PlaybookSteps.contained} notifies, and how the run ends. */
export interface ContainedProps {
  /** The notification's subject line after the playbook's name (SNS subjects hold 100 characters). */
  readonly headline: string;
  /** @default 'Notify contained' */
  readonly notifyId?: string;
  /** @default 'Audit contained' */
  readonly auditId?: string;
  /** JSONPath of the details the notification carries. @default none */
  readonly detailsPath?: string;
  /** What runs after the `contained` record, e.g. a hand-over. @default a Succeed state `Contained` */
  readonly end?: sfn.IChainable;
  /**
   * Records of earlier steps not yet appended, appended in the same step just before `contained`
   * (one state transition for both); a notification that fails appends them alone, in the step
   * `Audit steps done, not notified`, before the needs-human path. @default none
   */
  readonly records?: readonly AuditEntry[];
}

/** What {@link PlaybookSteps.byMode} chooses between. */
export type ByModeProps = ByModeBase & (ApprovalProps | ApprovalWithin);

/** What every `Mode?` choice has. */
export interface ByModeBase {
  /**
   * Builds the dry-run plan (states writing `$.plan`, e.g. a Pass, or a Choice's `afterwards()`
   * when the plan depends on the finding); nothing that mutates is called.
   * @default none: the steps before the choice already wrote `$.plan`
   */
  readonly plan?: sfn.Pass | sfn.Chain;
  /**
   * What a dry run does instead of recording `$.plan`, for a state machine that audited its plan
   * before the choice (undo). @default audit `$.plan` as `planned`, then succeed
   */
  readonly dryRun?: sfn.IChainable;
  /** The containment steps, the same in approve and auto mode. */
  readonly contain: sfn.IChainable;
}

/** The approval gate in front of `contain` in approve mode. */
export interface ApprovalProps {
  /** The approval request's lines: what will be done, in plain language. */
  readonly proposedActions: readonly string[];
  /** What happens when the approval is denied. */
  readonly ifDenied: string;
  /**
   * The approval gate's name (prefixes its states) and what the page shows.
   * @default a gate named `Approval` asking about the playbook on the finding's resource
   */
  readonly gate?: ByModeGate;
}

/**
 * `contain` asks for approval itself, in every mode but dry-run (with {@link PlaybookSteps.approval}),
 * because the approver must see what only its first steps find out (snapshot-and-reimage's image).
 */
export interface ApprovalWithin {
  readonly approvalWithin: true;
}

/** How {@link PlaybookSteps.byMode}'s approval gate is named and what its page shows. */
export interface ByModeGate {
  /** @default 'Approval' */
  readonly name?: string;
  /** The page's question, e.g. `Disable access key {} of IAM user {}?`. @default the gate's own */
  readonly title?: string;
  /**
   * Read-only look-ups run before the gate (fragments/approval-risk.ts), writing
   * `APPROVAL_RISK_PATH`, so the approver sees what approving puts at risk. @default none
   */
  readonly risk?: sfn.Chain;
}

/** The steps of the playbook named `playbook`, created in the context's scope. */
export function playbookSteps(ctx: PlaybookContext, playbook: string): PlaybookSteps {
  const { scope } = ctx;
  const human = needsHuman(ctx, playbook);
  const audit: PlaybookSteps['audit'] = (id, action, outcome, paths = {}) =>
    catchToHuman(
      auditStep(scope, id, { appender: ctx.auditAppender, playbook, action, outcome, ...paths }),
      human,
    );
  const approval: PlaybookSteps['approval'] = ({ proposedActions, ifDenied, gate = {} }) =>
    approvalGate(ctx, {
      name: gate.name ?? 'Approval',
      playbook,
      proposedActions,
      ifDenied,
      ...(gate.title ? { title: gate.title } : {}),
      ...(gate.risk ? { riskPath: APPROVAL_RISK_PATH } : {}),
    });
  const auditBatch: PlaybookSteps['auditBatch'] = (id, records) =>
    catchToHuman(auditBatchStep(scope, id, { appender: ctx.auditAppender, playbook, records }), human);
  const contained: PlaybookSteps['contained'] = ({
    headline,
    notifyId,
    auditId,
    detailsPath,
    end,
    records = [],
  }) => {
    const complete = { action: 'Complete', outcome: 'contained' } as const;
    const notNotified =
      records.length > 0 ? auditBatch('Audit steps done, not notified', records).next(human) : human;
    return catchToHuman(
      notifyStep(scope, notifyId ?? 'Notify contained', {
        topic: ctx.topic,
        playbook,
        headline,
        ...(detailsPath ? { detailsPath } : {}),
      }),
      notNotified,
      playbook,
    )
      .next(
        records.length > 0
          ? auditBatch(auditId ?? 'Audit contained', [...records, complete])
          : audit(auditId ?? 'Audit contained', complete.action, complete.outcome),
      )
      .next(end ?? new sfn.Succeed(scope, 'Contained'));
  };
  return {
    scope,
    arns: resourceArns(scope),
    human,
    audit,
    auditBatch,
    call: (id, props) => catchToHuman(awsCall(scope, id, props), human),
    each(id, props, processor) {
      const map = new sfn.Map(scope, id, props).itemProcessor(processor);
      map.addCatch(human, { resultPath: '$.error' });
      return map;
    },
    onlyFor: ({ id, type, action, run }) =>
      new sfn.Choice(scope, id)
        .when(sfn.Condition.stringEquals('$.finding.resource.type', type), run)
        .otherwise(
          audit('Audit unsupported resource', action, 'skipped', { detailsPath: '$.finding.resource' }).next(
            new sfn.Succeed(scope, 'Unsupported resource'),
          ),
        ),
    stop: (id, error) => new sfn.Pass(scope, id, { parameters: error, resultPath: '$.error' }).next(human),
    planRecorded: (planPath) => recordPlan(ctx, human, playbook, planPath),
    byMode(props) {
      const dryRun = props.dryRun ?? recordPlan(ctx, human, playbook, '$.plan');
      const mode = new sfn.Choice(scope, 'Mode?').when(
        sfn.Condition.stringEquals('$.decision.mode', 'dry-run'),
        props.plan ? props.plan.next(dryRun) : dryRun,
      );
      if (!('approvalWithin' in props)) {
        const gated = approval(props).next(props.contain);
        mode.when(
          sfn.Condition.stringEquals('$.decision.mode', 'approve'),
          props.gate?.risk ? props.gate.risk.next(gated) : gated,
        );
      }
      return mode.otherwise(props.contain);
    },
    approval,
    contained,
    nothingToDo: (auditId, action, paths, endId) =>
      audit(auditId, action, 'skipped', paths).next(new sfn.Succeed(scope, endId)),
    unlessAlready: ({ id, already, audit: skipped, endId, contain }) =>
      new sfn.Choice(scope, id)
        .when(
          already,
          audit(skipped.id, skipped.action, 'skipped', skipped.paths).next(new sfn.Succeed(scope, endId)),
        )
        .otherwise(contain),
    verify(isVerified, paths, headline) {
      const verified = audit('Audit verified', 'Verify', 'verified', paths).next(contained({ headline }));
      const notVerified = audit('Audit not verified', 'Verify', 'not-verified', paths)
        .next(
          new sfn.Pass(scope, 'Verification failed', {
            parameters: {
              Error: 'NotVerified',
              Cause: `${playbook}: the resource, read again after the change, is not in the expected state`,
            },
            resultPath: '$.error',
          }),
        )
        .next(human);
      return new sfn.Choice(scope, 'Verified?').when(isVerified, verified).otherwise(notVerified);
    },
  };
}
