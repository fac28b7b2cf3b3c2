import { Stack, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { awsCall } from './aws-call.ts';

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
 * What the instance serves: its state, launch time, Name tag and instance profile
 * (DescribeInstances), and its Auto Scaling group (DescribeAutoScalingInstances). Both actions
 * support no resource-level permissions, so they are granted on `*`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html).
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
  // Every member of an instance is optional in the EC2 model: copy each only when present, since
  // a Pass that reads a missing path fails the execution and a Pass cannot catch.
  const copy = (member: string) =>
    new sfn.Choice(scope, `Risk: ${member}?`)
      .when(
        sfn.Condition.isPresent(`${described}.${member}`),
        new sfn.Pass(scope, `Risk: keep ${member}`, {
          inputPath: `${described}.${member}`,
          resultPath: `${APPROVAL_RISK_PATH}.instance.${member}`,
        }),
      )
      .otherwise(new sfn.Pass(scope, `Risk: no ${member}`))
      .afterwards();
  const instance = new sfn.Pass(scope, 'Risk: instance', {
    result: sfn.Result.fromObject({}),
    resultPath: `${APPROVAL_RISK_PATH}.instance`,
  });
  // Only the copied members go on to the request, not the whole description.
  const drop = new sfn.Pass(scope, 'Risk: keep instance', {
    parameters: { kind: 'Instance', 'instance.$': `${APPROVAL_RISK_PATH}.instance` },
    resultPath: APPROVAL_RISK_PATH,
  });
  const groups = awsCall(scope, 'Risk: read Auto Scaling group', {
    service: 'autoscaling',
    action: 'describeAutoScalingInstances',
    parameters: { 'InstanceIds.$': `States.Array(${instanceIdPath})` },
    iamResources: ['*'],
    resultSelector: { 'groups.$': '$.AutoScalingInstances' },
    resultPath: `${APPROVAL_RISK_PATH}.autoScaling`,
  });
  groups.addCatch(done, { errors: [sfn.Errors.ALL], resultPath: `${APPROVAL_RISK_PATH}.autoScalingError` });
  return start
    .next(describe)
    .next(instance)
    .next(copy('State'))
    .next(copy('LaunchTime'))
    .next(copy('Tags'))
    .next(copy('IamInstanceProfile'))
    .next(drop)
    .next(groups)
    .next(done);
}
