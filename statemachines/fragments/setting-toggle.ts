import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { AwsCallProps } from './aws-call.ts';
import type { ByModeGate, PlaybookSteps } from './playbook-steps.ts';

/** Where the setting as it was is kept: the `before` of the change's audit record, which undo reads. */
export const BEFORE_PATH = '$.state.before';
/** Where the setting as read again after the change is kept: the `after` of the verification record. */
export const AFTER_PATH = '$.state.after';

/** The state names of one {@link settingToggle}: what its runbook lists and its tests read. */
export interface SettingToggleNames {
  /** The first read of the setting (the before-state). */
  readonly read: string;
  /** The read after the change (the after-state). */
  readonly readAgain: string;
  /** The Choice between "already set" and the change. */
  readonly isSet: string;
  /** The audit record of the change. */
  readonly audit: string;
  /** The audit record and the end of a run that found the setting already as it should be. */
  readonly alreadySet: { readonly audit: string; readonly end: string };
}

/**
 * How the setting is read: one AWS call (the kit's `steps.call`, its result kept at the path the
 * toggle gives), or a function building the read chain as the state `id`, kept at `resultPath`.
 */
export type SettingRead = Omit<AwsCallProps, 'resultPath'> | ((id: string, resultPath: string) => sfn.Chain);

/** How the setting is changed: one AWS call, the state `id`, or the steps that change it. */
export type SettingChange = (AwsCallProps & { readonly id: string }) | sfn.Chain;

/** The dry-run plan: the change's actions, recorded with the before-state. */
export interface PlannedChange {
  readonly actions: readonly Readonly<Record<string, unknown>>[];
}

/** What toggling one setting needs: how to read it, how to change it, when it counts as set. */
export interface SettingToggleProps {
  /**
   * Reads the setting into `resultPath` in a state named `id` ({@link BEFORE_PATH}, then
   * {@link AFTER_PATH}). May be a chain whose every end carries on (a catch that stands for a
   * setting that does not exist yet, for example).
   */
  readonly read: SettingRead;
  /**
   * Steps after the first read that work out what the change will set (from the before-state), so
   * the plan and the approver see it. @default none
   */
  readonly prepare?: sfn.Chain;
  /** What changes the setting, from the before-state (nothing after it is audited). */
  readonly change: SettingChange;
  /** Whether the setting read at `path` is as the playbook leaves it. */
  readonly isSet: (path: string) => sfn.Condition;
  /** The audit action of the change (the playbook's containment action). */
  readonly action: string;
  /**
   * What the change's audit record names as its `details` (the setting changed, for a playbook that
   * changes one of several; undo reads it). @default none
   */
  readonly changeDetailsPath?: string;
  readonly names: SettingToggleNames;
  /**
   * The dry-run plan at `$.plan`: the planned actions (recorded with the before-state, in the
   * state `Build plan`), or the states that write it.
   */
  readonly plan: PlannedChange | sfn.Pass | sfn.Chain;
  /** The approval request's lines. */
  readonly proposedActions: readonly string[];
  /** What happens when the approval is denied. */
  readonly ifDenied: string;
  /** The notification's subject line after the playbook's name. */
  readonly headline: string;
  /** The approval gate's name, question and risk reads. @default the kit's gate, no risk reads */
  readonly gate?: ByModeGate;
}

/**
 * "Toggle one setting", the shape of every playbook that fixes a posture control by changing one
 * setting: read the setting (the before-state), then by mode record the plan, ask, or go on; if
 * it is already as it should be, record that and change nothing; otherwise change it, audit the
 * change with the before-state (what undo restores), read it again and verify. Undo is the
 * playbook's reverser, which puts back what the change's `before` records.
 */
export function settingToggle(steps: PlaybookSteps, props: SettingToggleProps): sfn.Chain {
  const { names } = props;
  const read = readOf(steps, props.read);
  const change = props.change instanceof sfn.Chain ? props.change : changeOf(steps, props.change);
  const plan =
    props.plan instanceof sfn.Pass || props.plan instanceof sfn.Chain
      ? props.plan
      : plannedChange(steps, props.plan);
  const contain = change
    .next(
      steps.audit(names.audit, props.action, 'succeeded', {
        beforePath: BEFORE_PATH,
        ...(props.changeDetailsPath ? { detailsPath: props.changeDetailsPath } : {}),
      }),
    )
    .next(read(names.readAgain, AFTER_PATH))
    .next(steps.verify(props.isSet(AFTER_PATH), { afterPath: AFTER_PATH }, props.headline));
  const alreadySet = steps.nothingToDo(
    names.alreadySet.audit,
    props.action,
    { beforePath: BEFORE_PATH },
    names.alreadySet.end,
  );
  const decide = new sfn.Choice(steps.scope, names.isSet)
    .when(props.isSet(BEFORE_PATH), alreadySet)
    .otherwise(contain);
  const before = read(names.read, BEFORE_PATH);
  return (props.prepare ? before.next(props.prepare) : before).next(
    steps.byMode({
      plan,
      proposedActions: props.proposedActions,
      ifDenied: props.ifDenied,
      ...(props.gate ? { gate: props.gate } : {}),
      contain: decide,
    }),
  );
}

/** The read of {@link SettingRead} as a function of the state's name and where it keeps the setting. */
export function readOf(
  steps: PlaybookSteps,
  read: SettingRead,
): (id: string, resultPath: string) => sfn.Chain {
  return typeof read === 'function'
    ? read
    : (id, resultPath) => sfn.Chain.start(steps.call(id, { ...read, resultPath }));
}

/** The `Build plan` state of a {@link PlannedChange}: its actions and the before-state, at `$.plan`. */
export function plannedChange(steps: PlaybookSteps, planned: PlannedChange): sfn.Pass {
  return new sfn.Pass(steps.scope, 'Build plan', {
    parameters: { actions: planned.actions, 'before.$': BEFORE_PATH },
    resultPath: '$.plan',
  });
}

function changeOf(steps: PlaybookSteps, { id, ...call }: AwsCallProps & { readonly id: string }): sfn.Chain {
  return sfn.Chain.start(steps.call(id, call));
}
