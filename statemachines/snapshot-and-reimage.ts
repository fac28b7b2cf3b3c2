import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/snapshot-and-reimage.ts';
import { INSTANCE_ID } from './fragments/finding-paths.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';
import { discover } from './snapshot-and-reimage/discover.ts';
import { evidenceSnapshots } from './snapshot-and-reimage/evidence-snapshots.ts';
import { launchReplacement } from './snapshot-and-reimage/launch-replacement.ts';
import { chooseImage, replaceRootVolume } from './snapshot-and-reimage/replace-root-volume.ts';

/** The calls a run makes, in order, as the dry-run plan lists them. */
const PLANNED_ACTIONS = [
  'DescribeInstances (record image, root device, volumes, tags)',
  'CreateSnapshots (every attached volume, crash-consistent, tagged with the finding and the instance)',
  'DescribeSnapshots until completed (bounded)',
  'Approval gate',
  'CreateReplaceRootVolumeTask from the golden image (replaced volume kept), polled until succeeded (bounded)',
  'else RunInstances from its own launch template outside Auto Scaling (original kept), polled until running (bounded)',
  'else CreateReplaceRootVolumeTask from the launch image',
  'Publish',
];

/**
 * Preserve a compromised instance's disks as evidence and, once a human approves, give it a
 * clean root volume: snapshot every attached volume together, wait until the snapshots complete,
 * record their ids, then (approved) replace the root volume from the policy's golden image or the
 * instance's own launch image and wait for the task. The gate is there in every mode but dry-run:
 * re-imaging wipes what runs on the instance, so it never happens without a person. Denied, the
 * playbook ends with the snapshots kept and the instance as it was. Every step is audited; a
 * failure, a snapshot in error or a poll that runs out ends in needs-human.
 */
export const snapshotAndReimage: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Take evidence snapshots',
        does: 'Reads the instance and snapshots all its disks at the same moment, labelled with the finding, then waits until the snapshots are complete.',
        states: [
          'Describe instance',
          'Find evidence snapshots',
          'Create snapshots',
          'Read evidence snapshots',
          'Read pending snapshots',
          'Read failed snapshots',
        ],
        ifItStops:
          'Nothing on the instance was changed. Check the snapshots labelled with the finding in the EC2 console (Snapshots); if one failed, ask the platform team to take it again.',
      },
      {
        title: 'Find how to rebuild it',
        does: "Finds the instance's launch template and Auto Scaling group, to know which image to rebuild from.",
        states: ['Read launch template id', 'Read launch template version', 'Read Auto Scaling group tag'],
        ifItStops:
          'Nothing on the instance was changed; the evidence snapshots are kept. Ask the platform team which image to rebuild from.',
      },
      {
        title: 'Rebuild the instance',
        does: 'Replaces the root disk from the approved image, or launches a replacement instance from the launch template. The evidence snapshots are kept.',
        states: [
          'Find earlier replacement',
          'Match earlier replacement tags',
          'Restore root volume to launch state',
          'Replace root volume',
          'Read replace root volume task',
          'Read replacement instance',
          'Launch replacement',
          'Find earlier replacement instance',
        ],
        ifItStops:
          'The rebuild may be half done. Do not start it again by hand; ask the platform team to look at the instance and the replace-root-volume task in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'Snapshots of every disk exist, labelled with the finding.',
      'The instance (or its replacement) runs from the approved image and serves again.',
    ],
    undo: 'A rebuild cannot be undone: the evidence snapshots keep the old disks, and the platform team can launch an instance from them to investigate.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, facts.name);
    acknowledgeWildcards(ctx);
    // The approver sees the image chosen, which the steps before the gate find out.
    const approval = steps.approval({
      proposedActions: [
        sfn.JsonPath.stringAt('$.reimage.summary'),
        'Keep the replaced root volume (or the whole original instance), and the evidence snapshots already taken',
        'Notify the on-call topic once the new root volume is in place',
      ],
      ifDenied:
        'The playbook ends: nothing is replaced, the instance stays as it is, the snapshots stay as evidence.',
      gate: { name: 'Reimage approval' },
    });
    const run = discover(steps)
      .next(evidenceSnapshots(steps))
      .next(chooseImage(steps))
      .next(approval)
      .next(
        new sfn.Choice(scope, 'Re-image how?')
          .when(sfn.Condition.stringEquals('$.reimage.source', 'launch-template'), launchReplacement(steps))
          .otherwise(replaceRootVolume(steps))
          .afterwards(),
      )
      .next(
        steps.contained({
          headline: 'evidence snapshotted, re-imaged',
          notifyId: 'Notify reimaged',
          auditId: 'Audit reimaged',
          detailsPath: '$.reimage',
          end: new sfn.Succeed(scope, 'Reimaged'),
        }),
      );
    // Dry run: record the plan, call nothing.
    return steps.byMode({
      plan: new sfn.Pass(scope, 'Build plan', {
        parameters: { 'instanceId.$': INSTANCE_ID, actions: PLANNED_ACTIONS },
        resultPath: '$.plan',
      }),
      approvalWithin: true,
      contain: run,
    });
  },
};

/** The instance, its volumes, snapshots, image and task are known only at run time. */
function acknowledgeWildcards(ctx: PlaybookContext): void {
  const reason =
    "snapshot-and-reimage acts on the instance a finding names, its volumes, the snapshots and replace-root-volume task it creates, the image the policy names, and (launching a replacement) what the instance's own launch template names, all known only at run time; each action is granted on those resource types only, and iam:PassRole only to EC2.";
  const ids = [
    'ec2:{region}:{account}:instance/*',
    'ec2:{region}:{account}:volume/*',
    'ec2:{region}:{account}:replace-root-volume-task/*',
    'ec2:{region}::snapshot/*',
    'ec2:{region}::image/*',
    // RunInstances from the instance's own launch template (the replacement path).
    'ec2:{region}:{account}:network-interface/*',
    'ec2:{region}:{account}:subnet/*',
    'ec2:{region}:{account}:security-group/*',
    'ec2:{region}:{account}:launch-template/*',
    'ec2:{region}:{account}:key-pair/*',
    'iam::{account}:role/*',
    // Customer managed keys of encrypted volumes and images, used only through EC2.
    'kms:{region}:{account}:key/*',
  ];
  Validations.of(ctx.scope).acknowledge(
    ...ids.map((id) => ({ id: resourceWildcardFinding(ctx.scope, id), reason })),
    {
      id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      reason:
        'kms:ReEncrypt* is ReEncryptFrom and ReEncryptTo, both of which EC2 uses for a volume encrypted with a customer managed key (EBS encryption requirements); only through EC2 (kms:ViaService).',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'EC2 DescribeInstances, DescribeSnapshots and DescribeReplaceRootVolumeTasks support no resource-level permissions; AWS documents Resource "*" for them.',
    },
  );
}
