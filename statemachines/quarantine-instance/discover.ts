import path from 'node:path';
import { aws_iam as iam, type aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { DESCRIBED_INSTANCE } from '../fragments/describe-instance.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { MEMBER_ROLE_CONTEXT } from '../fragments/member-credentials.ts';
import { plannerFunction } from '../fragments/planner.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import type { PlaybookContext } from '../playbook.ts';

const READER_ENTRY = path.resolve(import.meta.dirname, '../../functions/read-quarantine-state/handler.ts');

/**
 * The state before quarantine, in one record (what undo restores from), written by
 * {@link discover}: each ENI with the groups it had (as the isolation read them before moving
 * it), the volumes, and what the reads found, including the quarantine tag
 * (`InstanceState` in shared/quarantine/instance-state.ts).
 */
export const FOUND = '$.read.before';
/**
 * Which conditional changes the instance needs, decided by {@link discover} from the state before
 * (`QuarantineChanges` in shared/quarantine/instance-state.ts): each phase's choice branches on its
 * flag, and the one audit step after the phases appends a phase's records only when it is true.
 */
export const CHANGES = '$.read.changes';
/** The target groups that route to the instance on a known port, as {@link discover} found them. */
export const SERVING_TARGET_GROUPS = '$.read.servingTargetGroups';

/**
 * Read, all at once, what quarantine changes after the network is cut: whether it was quarantined
 * before (its tag), its Auto Scaling group, the target groups it is registered in, and the
 * instance profile association and its role. One function makes the four reads together and
 * returns the state before quarantine as undo reads it, in one state: as state-language reads,
 * their answers took a choice and a pass each to shape, and walking the target groups a Map, some
 * 22 transitions in all, each billed (https://aws.amazon.com/step-functions/pricing/). In an
 * organization the function reads as the member role of the instance's account, which it assumes.
 * A failed read hands over to a human (the network is already isolated and audited).
 */
export function discover(ctx: PlaybookContext, steps: PlaybookSteps): tasks.LambdaInvoke {
  const { arns } = steps;
  const memberRolePath = ctx.scope.node.tryGetContext(MEMBER_ROLE_CONTEXT) as string | undefined;
  // Describe* of EC2, Auto Scaling and ELBv2 support no resource-level permissions
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
  const reads = new iam.PolicyStatement({
    actions: [
      'ec2:DescribeTags',
      'ec2:DescribeIamInstanceProfileAssociations',
      'autoscaling:DescribeAutoScalingInstances',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ],
    resources: ['*'],
  });
  const profile = new iam.PolicyStatement({
    actions: ['iam:GetInstanceProfile'],
    resources: [arns.instanceProfiles],
  });
  const reader = plannerFunction(ctx, {
    id: 'ReadQuarantineState',
    entry: READER_ENTRY,
    description:
      'Reads what quarantine changes on an instance: its quarantine tag, Auto Scaling group, target groups, profile association and role',
    human: steps.human,
    memberAccess: { name: 'quarantine-instance-reads', calls: [reads, profile] },
  });
  return reader.invoke(
    'Read what quarantine changes',
    {
      'instanceId.$': INSTANCE_ID,
      'instance.$': DESCRIBED_INSTANCE,
      'networkInterfaces.$': '$.after.networkInterfaces',
      ...(memberRolePath ? { 'roleArn.$': memberRolePath } : {}),
    },
    '$.read',
  );
}
