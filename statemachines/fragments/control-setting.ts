import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { ControlSetting } from '#shared/rds/control-settings.ts';
import type { PlaybookSteps } from './playbook-steps.ts';
import { type SettingRead, type SettingToggleNames, settingToggle } from './setting-toggle.ts';

/** Where the control being remediated, its setting and the value it requires are kept. */
export const FIX_PATH = '$.fix';
const CONTROL = '$.finding.control';

/** A control of {@link controlSetting}: its setting, and the names of its own states. */
export interface ControlSettingEntry extends ControlSetting {
  /** The state that records which control this run remediates, e.g. `RDS.2: public access`. */
  readonly choose: string;
  /** The state that changes the setting, e.g. `Turn public access off`. */
  readonly change: string;
  /** The setting's change as the approver reads it. */
  readonly proposed: string;
}

/** What {@link controlSetting} needs: the controls, and how to read and change a resource's settings. */
export interface ControlSettingProps {
  /** The controls remediated, by Security Hub control id. */
  readonly controls: Readonly<Record<string, ControlSettingEntry>>;
  /**
   * Reads every setting of `controls`, each under its own name: the before-state, then the
   * after-state, so the record shows the others unchanged.
   */
  readonly read: SettingRead;
  /** The state that changes `setting` to `value`. */
  readonly change: (id: string, setting: string, value: boolean) => sfn.IChainable;
  /** The audit action of the change. */
  readonly action: string;
  /** The dry-run plan's action, with the resource's identifier (the control's fix is added). */
  readonly planned: Readonly<Record<string, unknown>>;
  readonly names: SettingToggleNames & {
    readonly unsupported: { readonly audit: string; readonly end: string };
  };
  readonly ifDenied: string;
  readonly headline: string;
  /**
   * More members kept at {@link FIX_PATH} with the control, e.g. `{ 'identifier.$': '$.db.identifier' }`:
   * the change's record carries them (its details), so undo acts on what the run acted on.
   * @default the control, its setting and value only
   */
  readonly fixDetails?: Readonly<Record<string, string>>;
}

/**
 * "Set the one setting the control names": one playbook for the controls of one resource type
 * that each check one setting. A Choice on the finding's control records that control's setting
 * and value at {@link FIX_PATH}; the rest is {@link settingToggle}: read (every setting the
 * controls check), plan or ask or go on, change only the control's setting, read again, verify
 * that setting. A finding naming no control of the list is recorded and left alone.
 */
export function controlSetting(steps: PlaybookSteps, props: ControlSettingProps): sfn.Chain {
  const { scope } = steps;
  const entries = Object.entries(props.controls);
  const isSet = (path: string) =>
    sfn.Condition.or(
      ...entries.map(([control, { setting, value }]) =>
        sfn.Condition.and(
          sfn.Condition.stringEquals(`${FIX_PATH}.control`, control),
          sfn.Condition.booleanEquals(`${path}.${setting}`, value),
        ),
      ),
    );
  const change = new sfn.Choice(scope, 'Which setting?');
  for (const [control, entry] of entries)
    change.when(
      sfn.Condition.stringEquals(`${FIX_PATH}.control`, control),
      props.change(entry.change, entry.setting, entry.value),
    );
  const toggle = settingToggle(steps, {
    read: props.read,
    change: change.afterwards(),
    isSet,
    action: props.action,
    // The change's record names the control and setting: undo of another control's run on the
    // same resource must not wait for this one (shared/undo/plan.ts).
    changeDetailsPath: FIX_PATH,
    names: props.names,
    plan: {
      actions: [
        {
          ...props.planned,
          'control.$': `${FIX_PATH}.control`,
          'setting.$': `${FIX_PATH}.setting`,
          'value.$': `${FIX_PATH}.value`,
        },
      ],
    },
    proposedActions: [
      "Change only the setting the finding's control names, and nothing else:",
      ...entries.map(([control, entry]) => `${control}: ${entry.proposed}`),
      'Read it again and record it',
    ],
    ifDenied: props.ifDenied,
    headline: props.headline,
  });
  const unsupported = steps
    .audit(props.names.unsupported.audit, props.action, 'skipped', { detailsPath: '$.finding.resource' })
    .next(new sfn.Succeed(scope, props.names.unsupported.end));
  // The control is absent from findings of other sources: a Choice on a missing path would fail.
  const which = new sfn.Choice(scope, 'Which control?');
  for (const [control, { choose, setting, value }] of entries)
    which.when(
      sfn.Condition.and(sfn.Condition.isPresent(CONTROL), sfn.Condition.stringEquals(CONTROL, control)),
      new sfn.Pass(scope, choose, {
        ...(props.fixDetails
          ? { parameters: { control, setting, value, ...props.fixDetails } }
          : { result: sfn.Result.fromObject({ control, setting, value }) }),
        resultPath: FIX_PATH,
      }),
    );
  which.otherwise(unsupported);
  return which.afterwards().next(toggle);
}
