import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { FOUND, SERVING_TARGET_GROUPS } from './discover.ts';

/**
 * Take the instance out of service. Detach it from its Auto Scaling group without decrementing
 * the desired capacity: the group launches a replacement instead of terminating an instance to
 * match a lower capacity (which could be the evidence), and an isolated instance would otherwise
 * fail its health checks and be replaced by termination. Then deregister it from every target
 * group that still routes to it.
 */
export function leaveService(steps: PlaybookSteps): sfn.Chain {
  const { scope, arns } = steps;
  const detach = steps.call('Detach from Auto Scaling group', {
    service: 'autoscaling',
    action: 'detachInstances',
    parameters: {
      'AutoScalingGroupName.$': `${FOUND}.autoScaling.autoScalingGroupName`,
      'InstanceIds.$': `States.Array(${INSTANCE_ID})`,
      ShouldDecrementDesiredCapacity: false,
    },
    iamResources: [arns.autoScalingGroups],
  });
  const leaveGroup = new sfn.Choice(scope, 'Leave Auto Scaling group?')
    .when(
      sfn.Condition.booleanEquals(`${FOUND}.autoScaling.member`, true),
      detach.next(
        steps.audit('Audit detached', 'DetachInstances', 'succeeded', { beforePath: `${FOUND}.autoScaling` }),
      ),
    )
    .afterwards({ includeOtherwise: true });

  // Each iteration's record (`deregistered: true`) is what the call hands on: no state of its own.
  // Only the groups the read found routing to it on a known port (discover.ts).
  const deregister = awsCall(scope, 'Deregister target', {
    service: 'elasticloadbalancingv2',
    action: 'deregisterTargets',
    parameters: {
      'TargetGroupArn.$': '$.targetGroup.targetGroupArn',
      // The port DescribeTargetHealth found it registered on.
      Targets: [{ 'Id.$': '$.instanceId', 'Port.$': '$.targetGroup.port' }],
    },
    iamResources: [arns.targetGroups],
    outputPath: '$.record',
  });
  const each = steps.each(
    'Deregister from target groups',
    {
      itemsPath: SERVING_TARGET_GROUPS,
      itemSelector: withTarget(scope, {
        'targetGroup.$': '$$.Map.Item.Value',
        'instanceId.$': INSTANCE_ID,
        record: { 'targetGroupArn.$': '$$.Map.Item.Value.targetGroupArn', deregistered: true },
      }),
      maxConcurrency: 10,
      resultPath: '$.after.targetGroups',
    },
    deregister,
  );
  return leaveGroup.next(each).next(
    steps.audit('Audit deregistered', 'DeregisterTargets', 'succeeded', {
      beforePath: `${FOUND}.targetGroups`,
      afterPath: '$.after.targetGroups',
    }),
  );
}
