import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { awsCall } from '../fragments/aws-call.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { catchToHuman } from '../fragments/needs-human.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';
import { PROFILE_UNSETTLED, profileLeftInPlace } from './cut-credentials.ts';
import { CHANGES, FOUND, SERVING_TARGET_GROUPS } from './discover.ts';
import { recordsBefore } from './records.ts';

/** The name suffix of the copies a run takes when it leaves an unsettled profile association in place. */
const PROFILE_KEPT = ' (profile left in place)';

/**
 * Take the instance out of service. Detach it from its Auto Scaling group without decrementing
 * the desired capacity: the group launches a replacement instead of terminating an instance to
 * match a lower capacity (which could be the evidence), and an isolated instance would otherwise
 * fail its health checks and be replaced by termination. Then deregister it from every target
 * group that still routes to it, and go on to `done`; or, when the profile association was
 * unsettled, record what was done and end in needs-human. One choice decides both (whether to
 * detach, and how the run ends), so the deregistration has a copy for each end: Standard
 * workflows bill each state entered (https://aws.amazon.com/step-functions/pricing/). The calls
 * are recorded with the other phases in one step (records.ts).
 */
export function leaveService(steps: PlaybookSteps, done: sfn.IChainable): sfn.Choice {
  const { scope, arns } = steps;
  const detachStopped = recordsBefore(steps, 'DetachInstances', 'Audit quarantine steps before Detach');
  const deregisterStopped = recordsBefore(
    steps,
    'DeregisterTargets',
    'Audit quarantine steps before Deregister',
  );
  const detach = (suffix: string) =>
    catchToHuman(
      awsCall(scope, `Detach from Auto Scaling group${suffix}`, {
        service: 'autoscaling',
        action: 'detachInstances',
        parameters: {
          'AutoScalingGroupName.$': `${FOUND}.autoScaling.autoScalingGroupName`,
          'InstanceIds.$': `States.Array(${INSTANCE_ID})`,
          ShouldDecrementDesiredCapacity: false,
        },
        iamResources: [arns.autoScalingGroups],
      }),
      detachStopped,
      facts.name,
    );
  const deregister = (suffix: string, then: sfn.IChainable) => {
    // Each iteration's record (`deregistered: true`) is what the call hands on: no state of its own.
    // Only the groups the read found routing to it on a known port (discover.ts).
    const call = awsCall(scope, `Deregister target${suffix}`, {
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
    const each = new sfn.Map(scope, `Deregister from target groups${suffix}`, {
      itemsPath: SERVING_TARGET_GROUPS,
      itemSelector: withTarget(scope, {
        'targetGroup.$': '$$.Map.Item.Value',
        'instanceId.$': INSTANCE_ID,
        record: { 'targetGroupArn.$': '$$.Map.Item.Value.targetGroupArn', deregistered: true },
      }),
      maxConcurrency: 10,
      resultPath: '$.after.targetGroups',
    }).itemProcessor(call);
    each.addCatch(deregisterStopped, { resultPath: '$.error' });
    each.next(then);
    return each;
  };
  const settledEnd = deregister('', done);
  const unsettledEnd = deregister(PROFILE_KEPT, profileLeftInPlace(steps));
  const member = sfn.Condition.booleanEquals(`${CHANGES}.leaveAutoScalingGroup`, true);
  return new sfn.Choice(scope, 'Leave Auto Scaling group?')
    .when(sfn.Condition.and(member, sfn.Condition.not(PROFILE_UNSETTLED)), detach('').next(settledEnd))
    .when(member, detach(PROFILE_KEPT).next(unsettledEnd))
    .when(PROFILE_UNSETTLED, unsettledEnd)
    .otherwise(settledEnd);
}
