import { type aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import {
  type ControlSetting,
  DB_CLUSTER_CONTROLS,
  DB_INSTANCE_CONTROLS,
} from '#shared/rds/control-settings.ts';
import { type ControlSettingEntry, controlSetting } from './control-setting.ts';
import type { PlaybookSteps } from './playbook-steps.ts';
import type { ResourceArns } from './resource-arns.ts';
import { resourceWildcardFinding } from './wildcard-acknowledgement.ts';

const IDENTIFIER = '$.finding.resource.id';

/** How one kind of RDS resource is told apart, read, changed and named. */
interface RdsResource {
  /** The finding's resource type (ASFF). */
  readonly findingType: string;
  /** The settings of the controls on this kind of resource. */
  readonly controls: Readonly<Record<string, ControlSetting>>;
  readonly describe: string;
  readonly modify: string;
  /** The audit action of the change, e.g. `ModifyDBCluster`. */
  readonly action: string;
  /** The request member naming the resource, as Step Functions spells it. */
  readonly identifier: string;
  /** The Describe output's list of resources, as Step Functions spells it. */
  readonly list: string;
  /** The dry-run plan's key for the resource's identifier. */
  readonly planKey: string;
  readonly arns: keyof ResourceArns;
  /** The ARN pattern of the wildcard acknowledgement. */
  readonly arnPattern: string;
}

// Step Functions spells RDS's `DB...` members `Db...` (the AWS SDK for Java 2.x names), in and out:
// https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
const RDS_RESOURCES = {
  cluster: {
    findingType: 'AwsRdsDbCluster',
    controls: DB_CLUSTER_CONTROLS,
    describe: 'describeDBClusters',
    modify: 'modifyDBCluster',
    action: 'ModifyDBCluster',
    identifier: 'DbClusterIdentifier',
    list: 'DbClusters',
    planKey: 'dbClusterIdentifier',
    arns: 'dbClusters',
    arnPattern: 'rds:{region}:{account}:cluster:*',
  },
  instance: {
    findingType: 'AwsRdsDbInstance',
    controls: DB_INSTANCE_CONTROLS,
    describe: 'describeDBInstances',
    modify: 'modifyDBInstance',
    action: 'ModifyDBInstance',
    identifier: 'DbInstanceIdentifier',
    list: 'DbInstances',
    planKey: 'dbInstanceIdentifier',
    arns: 'dbInstances',
    arnPattern: 'rds:{region}:{account}:db:*',
  },
} as const satisfies Record<string, RdsResource>;

/** The kinds of RDS resource with controls: `cluster` (Aurora, Multi-AZ DB cluster) or `instance`. */
export type RdsResourceKind = keyof typeof RDS_RESOURCES;

/** The names of a control's own states and its change as the approver reads it. */
export type RdsControlNames = Omit<ControlSettingEntry, keyof ControlSetting>;

/**
 * The controls of `kind`, each with the setting shared/rds/control-settings.ts knows for it and
 * the names of its states; a control it does not know is a synth-time error.
 */
export function rdsControls(
  kind: RdsResourceKind,
  names: Readonly<Record<string, RdsControlNames>>,
): Record<string, ControlSettingEntry> {
  return Object.fromEntries(
    Object.entries(names).map(([id, entry]) => {
      const fix = RDS_RESOURCES[kind].controls[id];
      if (!fix) throw new Error(`RDS DB ${kind}: no setting known for control ${id}`);
      return [id, { ...fix, ...entry }];
    }),
  );
}

/** What {@link rdsControlSetting} remediates. */
export interface RdsControlSettingProps {
  readonly kind: RdsResourceKind;
  /** The controls remediated, from {@link rdsControls}. */
  readonly controls: Readonly<Record<string, ControlSettingEntry>>;
  /** Whether the Modify call carries `ApplyImmediately: true` (each playbook says why). */
  readonly applyImmediately: boolean;
}

/**
 * {@link controlSetting} on an RDS DB cluster or instance: a finding on another resource type is
 * recorded `skipped` and left alone; otherwise the one setting the finding's control names is read
 * (Describe), changed (Modify with that setting alone) and read again.
 */
export function rdsControlSetting(steps: PlaybookSteps, props: RdsControlSettingProps): sfn.Choice {
  const { scope } = steps;
  const { kind, controls } = props;
  const rds = RDS_RESOURCES[kind];
  const resources = [steps.arns[rds.arns]];
  const settings = [...new Set(Object.values(controls).map((c) => c.setting))];
  const fix = controlSetting(steps, {
    controls,
    read: {
      service: 'rds',
      action: rds.describe,
      parameters: { [`${rds.identifier}.$`]: IDENTIFIER },
      iamResources: resources,
      resultSelector: Object.fromEntries(settings.map((s) => [`${s}.$`, `$.${rds.list}[0].${s}`])),
    },
    change: (id, setting, value) =>
      steps.call(id, {
        service: 'rds',
        action: rds.modify,
        parameters: {
          [`${rds.identifier}.$`]: IDENTIFIER,
          [setting]: value,
          ...(props.applyImmediately ? { ApplyImmediately: true } : {}),
        },
        iamResources: resources,
      }),
    action: rds.action,
    planned: { action: rds.action, [`${rds.planKey}.$`]: IDENTIFIER },
    names: {
      read: `Read ${kind} settings`,
      readAgain: `Read ${kind} settings again`,
      isSet: 'Already set?',
      audit: 'Audit setting changed',
      alreadySet: { audit: 'Audit already set', end: 'Already set' },
      unsupported: { audit: 'Audit unsupported control', end: 'Unsupported control' },
    },
    ifDenied: 'The playbook ends: the setting stays as it is.',
    headline: `RDS DB ${kind} setting changed`,
  });

  Validations.of(scope).acknowledge({
    id: resourceWildcardFinding(scope, rds.arnPattern),
    reason: `The DB ${kind} is named by the finding at run time; the role may only describe ${kind}s and modify them, and only this playbook calls ${rds.action}, with the one setting its control names.`,
  });
  return steps.onlyFor({ id: `DB ${kind}?`, type: rds.findingType, action: rds.action, run: fix });
}
