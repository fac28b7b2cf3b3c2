import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';

/** Target health states in which the instance receives no traffic from the group. */
const NOT_SERVING = ['unused', 'draining', 'not-applicable'];

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
      'AutoScalingGroupName.$': '$.before.autoScaling.autoScalingGroupName',
      'InstanceIds.$': `States.Array(${INSTANCE_ID})`,
      ShouldDecrementDesiredCapacity: false,
    },
    iamResources: [arns.autoScalingGroups],
  });
  const leaveGroup = new sfn.Choice(scope, 'Leave Auto Scaling group?')
    .when(
      sfn.Condition.booleanEquals('$.before.autoScaling.member', true),
      detach.next(
        steps.audit('Audit detached', 'DetachInstances', 'succeeded', { beforePath: '$.before.autoScaling' }),
      ),
    )
    .afterwards({ includeOtherwise: true });

  // Each iteration's record (`deregistered: true`) is what the call hands on: no state of its own.
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
  // Deregister where the instance serves on a known port; a group read as `unknown` (its read
  // failed, recorded in the before state) is left for a person: there is no port to name.
  const perGroup = new sfn.Choice(scope, 'Registered?')
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.targetGroup.port'),
        ...NOT_SERVING.map((state) =>
          sfn.Condition.not(sfn.Condition.stringEquals('$.targetGroup.state', state)),
        ),
      ),
      deregister,
    )
    .otherwise(
      new sfn.Pass(scope, 'Not registered', {
        parameters: { 'targetGroupArn.$': '$.targetGroup.targetGroupArn', deregistered: false },
      }),
    );
  const each = steps.each(
    'Deregister from target groups',
    {
      itemsPath: '$.before.targetGroups',
      itemSelector: withTarget(scope, {
        'targetGroup.$': '$$.Map.Item.Value',
        'instanceId.$': INSTANCE_ID,
        record: { 'targetGroupArn.$': '$$.Map.Item.Value.targetGroupArn', deregistered: true },
      }),
      maxConcurrency: 10,
      resultPath: '$.after.targetGroups',
    },
    perGroup,
  );
  return leaveGroup.next(each).next(
    steps.audit('Audit deregistered', 'DeregisterTargets', 'succeeded', {
      beforePath: '$.before.targetGroups',
      afterPath: '$.after.targetGroups',
    }),
  );
}
