/** One Security Hub control on one resource setting: the setting and the value that passes it. */
export interface ControlSetting {
  /** The ModifyDBInstance / ModifyDBCluster request member, named as the Describe output names it. */
  readonly setting: string;
  /** The value the control requires. */
  readonly value: boolean;
}

/**
 * The DB instance controls protect-db-instance remediates, each by the one setting it checks
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html): RDS.2 fails while
 * PubliclyAccessible is true (Config rule rds-instance-public-access-check), RDS.8 while deletion
 * protection is off (rds-instance-deletion-protection-enabled), RDS.13 while automatic minor version
 * upgrades are off (rds-automatic-minor-version-upgrade-enabled).
 */
export const DB_INSTANCE_CONTROLS: Readonly<Record<string, ControlSetting>> = {
  'RDS.2': { setting: 'PubliclyAccessible', value: false },
  'RDS.8': { setting: 'DeletionProtection', value: true },
  'RDS.13': { setting: 'AutoMinorVersionUpgrade', value: true },
};

/**
 * The DB cluster controls protect-db-cluster remediates: RDS.7 fails while the cluster's deletion
 * protection is off (Config rule rds-cluster-deletion-protection-enabled), RDS.16 while it does not
 * copy tags to snapshots (rds-cluster-copy-tags-to-snapshots-enabled).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html
 */
export const DB_CLUSTER_CONTROLS: Readonly<Record<string, ControlSetting>> = {
  'RDS.7': { setting: 'DeletionProtection', value: true },
  'RDS.16': { setting: 'CopyTagsToSnapshot', value: true },
};

/**
 * The AWS Config managed rule behind each DB instance control, by its identifier as the Security Hub
 * control page names it (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html).
 * A compliance change of one of these rules is the control's finding by another source: the same
 * remediation (shared/findings/config.ts gives it the control).
 */
export const DB_INSTANCE_CONFIG_RULES: Readonly<Record<string, string>> = {
  'rds-instance-public-access-check': 'RDS.2',
  'rds-instance-deletion-protection-enabled': 'RDS.8',
  'rds-automatic-minor-version-upgrade-enabled': 'RDS.13',
};

/** The setting of each control, as a playbook's facts name it (`settingOfControl`). */
export function settingOfControl(controls: Readonly<Record<string, ControlSetting>>): Record<string, string> {
  return Object.fromEntries(Object.entries(controls).map(([control, { setting }]) => [control, setting]));
}
