import { Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { awsCall } from './aws-call.ts';
import { instanceTargetGroups } from './instance-target-groups.ts';

/** Where the reads below put what approving puts at risk; the gate's `riskPath`. */
export const APPROVAL_RISK_PATH = '$.approvalRisk';

/**
 * Read-only look-ups before an approval gate, so the approver sees what depends on the resource
 * (shared/approvals/risk.ts turns them into sentences). They run in the finding's account with the
 * playbook's own credentials, like every call of the playbook. A read that fails is recorded as
 * unavailable and the request goes out anyway: the approver must still be asked.
 */

/**
 * The access key's last use: GetAccessKeyLastUsed takes only the key id and answers the date,
 * service and Region of its latest use
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html). The
 * authorization reference scopes iam:GetAccessKeyLastUsed to the `user` resource type
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
 */
export function accessKeyRisk(scope: Construct, accessKeyIdPath: string): sfn.Chain {
  const start = new sfn.Pass(scope, 'Risk: start', {
    result: sfn.Result.fromObject({ kind: 'AccessKey' }),
    resultPath: APPROVAL_RISK_PATH,
  });
  const read = awsCall(scope, 'Risk: read key last use', {
    service: 'iam',
    action: 'getAccessKeyLastUsed',
    parameters: { 'AccessKeyId.$': accessKeyIdPath },
    iamResources: [
      Stack.of(scope).formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' }),
    ],
    // The whole (small) answer: a selector over a member AWS left out would fail the execution.
    resultPath: `${APPROVAL_RISK_PATH}.read`,
  });
  const done = new sfn.Pass(scope, 'Risk: read');
  read.addCatch(done, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.error` });
  return start.next(read).next(done);
}

/**
 * What the instance serves, read in the order an approver weighs it: its state, launch time, Name
 * tag, instance profile and VPC (DescribeInstances); its Auto Scaling group
 * (DescribeAutoScalingInstances); its profile's role (GetInstanceProfile); and the load balancer
 * target groups it is registered in (DescribeTargetGroups, DescribeTargetHealth: the walk
 * quarantine itself makes, fragments/instance-target-groups.ts). The EC2, Auto Scaling and ELBv2
 * reads support no resource-level permissions, so they are granted on `*`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html);
 * iam:GetInstanceProfile is scoped to instance profiles, as quarantine's own read of it.
 * A read that fails is recorded next to the others and the next read goes on.
 */
export function instanceRisk(scope: Construct, instanceIdPath: string): sfn.Chain {
  const start = new sfn.Pass(scope, 'Risk: start', {
    result: sfn.Result.fromObject({ kind: 'Instance' }),
    resultPath: APPROVAL_RISK_PATH,
  });
  const done = new sfn.Pass(scope, 'Risk: read');
  const describe = awsCall(scope, 'Risk: describe instance', {
    service: 'ec2',
    action: 'describeInstances',
    parameters: { 'InstanceIds.$': `States.Array(${instanceIdPath})` },
    iamResources: ['*'],
    resultSelector: { 'instance.$': '$.Reservations[0].Instances[0]' },
    resultPath: `${APPROVAL_RISK_PATH}.described`,
  });
  describe.addCatch(done, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.error` });
  const described = `${APPROVAL_RISK_PATH}.described.instance`;
  const kept = `${APPROVAL_RISK_PATH}.instance`;
  // Every member of an instance is optional in the EC2 model: copy each only when present, since
  // a Pass that reads a missing path fails the execution and a Pass cannot catch.
  const copy = (member: string) =>
    new sfn.Choice(scope, `Risk: ${member}?`)
      .when(
        sfn.Condition.isPresent(`${described}.${member}`),
        new sfn.Pass(scope, `Risk: keep ${member}`, {
          inputPath: `${described}.${member}`,
          resultPath: `${kept}.${member}`,
        }),
      )
      .otherwise(new sfn.Pass(scope, `Risk: no ${member}`))
      .afterwards();
  const instance = new sfn.Pass(scope, 'Risk: instance', {
    result: sfn.Result.fromObject({}),
    resultPath: kept,
  });
  // Only the copied members go on to the request, not the whole description.
  const drop = new sfn.Pass(scope, 'Risk: keep instance', {
    parameters: { kind: 'Instance', 'instance.$': kept },
    resultPath: APPROVAL_RISK_PATH,
  });
  return start
    .next(describe)
    .next(instance)
    .next(copy('State'))
    .next(copy('LaunchTime'))
    .next(copy('Tags'))
    .next(copy('IamInstanceProfile'))
    .next(copy('VpcId'))
    .next(drop)
    .next(autoScalingGroupRisk(scope, instanceIdPath))
    .next(roleRisk(scope, `${kept}.IamInstanceProfile.Arn`))
    .next(targetGroupRisk(scope, instanceIdPath, `${kept}.VpcId`))
    .next(
      // The target group listing (up to a page of groups) is not carried on to the approval.
      new sfn.Pass(scope, 'Risk: drop listings', { result: sfn.Result.fromObject({}), resultPath: SCRATCH }),
    )
    .next(done);
}

/** Where the instance risk's intermediate answers go, emptied once it is read. */
const SCRATCH = '$.approvalRiskReads';

/** The instance's Auto Scaling group: DescribeAutoScalingInstances lists it only while in a group. */
function autoScalingGroupRisk(scope: Construct, instanceIdPath: string): sfn.Chain {
  const read = awsCall(scope, 'Risk: read Auto Scaling group', {
    service: 'autoscaling',
    action: 'describeAutoScalingInstances',
    parameters: { 'InstanceIds.$': `States.Array(${instanceIdPath})` },
    iamResources: ['*'],
    resultSelector: { 'groups.$': '$.AutoScalingInstances' },
    resultPath: `${APPROVAL_RISK_PATH}.autoScaling`,
  });
  const after = new sfn.Pass(scope, 'Risk: Auto Scaling group read');
  read.addCatch(after, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.autoScalingError` });
  return read.next(after);
}

/**
 * The role of the instance profile, whose sessions quarantine denies. GetInstanceProfile takes the
 * profile's name: the last segment of its ARN, after any path
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetInstanceProfile.html).
 */
function roleRisk(scope: Construct, profileArnPath: string): sfn.Chain {
  const after = new sfn.Pass(scope, 'Risk: role read');
  const parts = new sfn.Pass(scope, 'Risk: split profile ARN', {
    parameters: { 'parts.$': `States.StringSplit(${profileArnPath}, '/')` },
    resultPath: `${SCRATCH}.profileArn`,
  });
  const read = awsCall(scope, 'Risk: read instance role', {
    service: 'iam',
    action: 'getInstanceProfile',
    parameters: {
      'InstanceProfileName.$': `States.ArrayGetItem(${SCRATCH}.profileArn.parts, States.MathAdd(States.ArrayLength(${SCRATCH}.profileArn.parts), -1))`,
    },
    iamResources: [
      Stack.of(scope).formatArn({
        service: 'iam',
        region: '',
        resource: 'instance-profile',
        resourceName: '*',
      }),
    ],
    resultSelector: { 'roles.$': '$.InstanceProfile.Roles' },
    resultPath: `${APPROVAL_RISK_PATH}.instanceProfile`,
  });
  read.addCatch(after, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.roleError` });
  return sfn.Chain.start(
    new sfn.Choice(scope, 'Risk: instance profile?')
      .when(sfn.Condition.isPresent(profileArnPath), parts.next(read).next(after))
      .otherwise(after)
      .afterwards(),
  );
}

/** The load balancer target groups the instance is registered in, within its VPC. */
function targetGroupRisk(scope: Construct, instanceIdPath: string, vpcIdPath: string): sfn.Chain {
  const after = new sfn.Pass(scope, 'Risk: target groups read');
  const groups = instanceTargetGroups(scope, {
    prefix: 'Risk: ',
    instanceIdPath,
    vpcIdPath,
    listingPath: `${SCRATCH}.targetGroups`,
    membershipPath: `${APPROVAL_RISK_PATH}.targetGroups`,
    pagePath: `${APPROVAL_RISK_PATH}.targetGroupsPage`,
  });
  for (const state of [groups.list, groups.each])
    state.addCatch(after, {
      errors: [sfn.Errors.ALL],
      resultPath: `${APPROVAL_RISK_PATH}.targetGroupsError`,
    });
  return sfn.Chain.start(
    new sfn.Choice(scope, 'Risk: in a VPC?')
      .when(sfn.Condition.isPresent(vpcIdPath), groups.chain.next(after))
      .otherwise(after)
      .afterwards(),
  );
}

/**
 * The topic's policy, so the approver sees which AWS services publish to it before the topic is
 * encrypted with the AWS managed key, which they cannot use
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * GetTopicAttributes is scoped to the topic (sns:GetTopicAttributes on `arn:aws:sns:<region>:<account>:<name>`).
 */
export function topicRisk(scope: Construct, topicArnPath: string): sfn.Chain {
  const start = new sfn.Pass(scope, 'Risk: start', {
    result: sfn.Result.fromObject({ kind: 'SnsTopic' }),
    resultPath: APPROVAL_RISK_PATH,
  });
  const read = awsCall(scope, 'Risk: read topic policy', {
    service: 'sns',
    action: 'getTopicAttributes',
    parameters: { 'TopicArn.$': topicArnPath },
    iamResources: [Stack.of(scope).formatArn({ service: 'sns', resource: '*' })],
    resultSelector: { 'Attributes.$': '$.Attributes' },
    resultPath: `${APPROVAL_RISK_PATH}.read`,
  });
  const done = new sfn.Pass(scope, 'Risk: read');
  read.addCatch(done, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.error` });
  return start.next(read).next(done);
}
