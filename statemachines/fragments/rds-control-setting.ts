import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import {
  type ControlSetting,
  DB_CLUSTER_CONTROLS,
  DB_INSTANCE_CONTROLS,
} from '#shared/rds/control-settings.ts';
import { type ControlSettingEntry, controlSetting } from './control-setting.ts';
import { firstItem } from './first-item.ts';
import type { PlaybookSteps } from './playbook-steps.ts';
import type { ResourceArns } from './resource-arns.ts';
import { resourceWildcardFinding } from './wildcard-acknowledgement.ts';

/** The finding's name of the resource: its identifier (Security Hub), or its resource id (AWS Config, instances). */
const NAMED = '$.finding.resource.id';
/** Where the identifier the RDS calls take is kept, once known. */
const TARGET = '$.db';
const IDENTIFIER = `${TARGET}.identifier`;

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
    // Undo modifies the identifier this run modified, whatever name the finding gave.
    fixDetails: { 'identifier.$': IDENTIFIER },
  });

  Validations.of(scope).acknowledge({
    id: resourceWildcardFinding(scope, rds.arnPattern),
    reason: `The DB ${kind} is named by the finding at run time; the role may only describe ${kind}s and modify them, and only this playbook calls ${rds.action}, with the one setting its control names.`,
  });
  return steps.onlyFor({
    id: `DB ${kind}?`,
    type: rds.findingType,
    action: rds.action,
    run: kind === 'instance' ? instanceIdentifier(steps, resources, fix) : byIdentifier(steps, fix),
  });
}

/** The finding names the resource by the identifier the RDS calls take (Security Hub's findings). */
function byIdentifier(steps: PlaybookSteps, then: sfn.IChainable): sfn.Pass {
  const named = new sfn.Pass(steps.scope, 'Named by identifier', {
    parameters: { 'identifier.$': NAMED },
    resultPath: TARGET,
  });
  named.next(then);
  return named;
}

/**
 * AWS Config names a DB instance by its resource id (DbiResourceId, `db-...`), which no RDS call
 * but DescribeDBInstances takes, as the `dbi-resource-id` filter
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html, and the
 * Filters member of @aws-sdk/client-rds's DescribeDBInstancesMessage). A filter matching nothing is an
 * empty list, not an error: an id naming no instance (deleted since, another Region) ends with a
 * person, nothing changed. Security Hub's findings name the identifier itself.
 */
function instanceIdentifier(steps: PlaybookSteps, resources: string[], then: sfn.IChainable): sfn.Choice {
  const { scope } = steps;
  const find = steps.call('Find instance by resource id', {
    service: 'rds',
    action: 'describeDBInstances',
    parameters: { Filters: [{ Name: 'dbi-resource-id', 'Values.$': `States.Array(${NAMED})` }] },
    iamResources: resources,
    resultSelector: { 'instances.$': '$.DbInstances' },
    resultPath: '$.resolved',
  });
  const notFound = steps.stop('DB instance not found', {
    Error: 'DBInstanceNotFound',
    'Cause.$': `States.Format('AWS Config names DB instance resource id {}, which no DB instance in this account and Region has (deleted since?): nothing was changed.', ${NAMED})`,
  });
  const picked = firstItem(scope, 'Instance with that resource id?', {
    listPath: '$.resolved.instances',
    fields: { identifier: 'DbInstanceIdentifier' },
    resultPath: TARGET,
    found: { found: true },
    otherwise: { found: false },
  });
  const found = new sfn.Choice(scope, 'Found?')
    .when(sfn.Condition.booleanEquals(`${TARGET}.found`, true), then)
    .otherwise(notFound);
  return new sfn.Choice(scope, 'Named by resource id?')
    .when(sfn.Condition.stringEquals('$.finding.source', 'config'), find.next(picked).next(found))
    .otherwise(byIdentifier(steps, then));
}
