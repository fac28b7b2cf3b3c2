import { DB_CLUSTER_CONTROLS, settingOfControl } from '../rds/control-settings.ts';
import { reverseProtectDbCluster } from '../undo/reverse-db-settings.ts';
import type { PlaybookFacts } from './definition.ts';

/** protect-db-cluster: set the one setting of an RDS DB cluster that the finding's control names. */
export const facts: PlaybookFacts = {
  name: 'protect-db-cluster',
  description:
    "Set the one setting of the RDS DB cluster that the finding's control names (deletion protection on, tags copied to snapshots), then verify.",
  // RDS DB clusters are `Other` resources typed AwsRdsDbCluster; any other type goes to a person unchanged.
  resourceKinds: ['Other'],
  containmentAction: 'ModifyDBCluster',
  steps: [
    "Read the DB cluster's deletion protection and whether it copies tags to snapshots.",
    'Change only the setting the control names (RDS.7: deletion protection on; RDS.16: copy tags to snapshots on); nothing else about the cluster changes.',
    'Read the cluster again to verify, then notify the on-call topic.',
  ],
  undo: { reverse: reverseProtectDbCluster },
  controls: Object.keys(DB_CLUSTER_CONTROLS),
  settingOfControl: settingOfControl(DB_CLUSTER_CONTROLS),
};
