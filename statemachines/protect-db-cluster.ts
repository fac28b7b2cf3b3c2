import type { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/protect-db-cluster.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { rdsControlSetting, rdsControls } from './fragments/rds-control-setting.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

/** The two controls, each with its own states. */
const CONTROLS = rdsControls('cluster', {
  'RDS.7': {
    choose: 'RDS.7: cluster deletion protection',
    change: 'Enable cluster deletion protection',
    proposed: 'turn deletion protection on (DeleteDBCluster is refused until someone turns it off)',
  },
  'RDS.16': {
    choose: 'RDS.16: copy tags to snapshots',
    change: 'Copy tags to snapshots',
    proposed: "copy the cluster's tags to its snapshots from now on (existing snapshots keep theirs)",
  },
});

/**
 * Security Hub RDS.7 and RDS.16 on an Aurora or Multi-AZ DB cluster: change only the setting the
 * finding's control names, and read it back
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html).
 *
 * ApplyImmediately true: for a cluster it applies "the modifications in this request" (unlike
 * ModifyDBInstance, no pending ones), so it only makes this one setting take effect now rather
 * than in the maintenance window; deletion protection is applied at once either way
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBCluster.html).
 * Neither setting restarts or interrupts the cluster.
 */
export const protectDbCluster: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the cluster',
        does: "Picks the setting the finding's control names, and reads the cluster's deletion protection and whether it copies tags to snapshots.",
        states: [
          'DB cluster?',
          'Named by identifier',
          'Which control?',
          ...Object.values(CONTROLS).map((c) => c.choose),
          'Read cluster settings',
          'Unsupported resource',
          'Audit unsupported resource',
          'Unsupported control',
          'Audit unsupported control',
        ],
        ifItStops: 'Nothing was changed. Check that the DB cluster exists in the RDS console.',
      },
      {
        title: 'Change the one setting',
        does: 'Modifies the cluster with only that setting, applied at once: deletion protection on (RDS.7) or copy tags to snapshots on (RDS.16).',
        states: ['Which setting?', ...Object.values(CONTROLS).map((c) => c.change)],
        ifItStops:
          'The setting may be unchanged: in the RDS console, modify the cluster, tick "Enable deletion protection" or "Copy tags to snapshots" and apply immediately.',
      },
      {
        title: 'Check it is changed',
        does: 'Reads the cluster again and confirms the setting is as the control requires.',
        states: ['Read cluster settings again'],
        ifItStops: 'The change was made but could not be confirmed. Look at the cluster in the RDS console.',
      },
    ],
    checkAfterwards: [
      'The RDS console shows the setting on the cluster (Configuration: Deletion protection Enabled, Copy tags to snapshots Enabled).',
      'Deletion protection on (RDS.7): whoever deletes this cluster on purpose must turn it off first.',
    ],
    undo: '`remediate undo` puts the one setting back as it was, only if this run changed it.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    return rdsControlSetting(playbookSteps(ctx, facts.name), {
      kind: 'cluster',
      controls: CONTROLS,
      applyImmediately: true,
    });
  },
};
