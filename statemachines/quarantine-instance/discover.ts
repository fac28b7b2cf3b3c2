import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import { INSTANCE_ID, type QuarantineSteps } from './steps.ts';

/** The tag that marks an instance as quarantined; its value is the finding that did it. */
export const QUARANTINE_TAG = 'remediation:quarantine';

const ITEM = '$$.Map.Item.Value';
const INSTANCE = '$.discovery.instance';

/**
 * Read everything the playbook changes, before it changes anything, into `$.before`: each ENI
 * with its VPC and groups, the volumes and their DeleteOnTermination, the Auto Scaling group,
 * the target groups the instance is registered in, the instance profile association and its
 * role. This record is what undo restores from. Only plain paths are used (no `[*]` or
 * filters): a path that matches one element would otherwise not yield a list.
 */
export function discover(steps: QuarantineSteps): sfn.Chain {
  const { scope } = steps;
  const describe = steps.call('Describe instance', {
    service: 'ec2',
    action: 'describeInstances',
    parameters: { 'InstanceIds.$': `States.Array(${INSTANCE_ID})` },
    iamResources: ['*'],
    resultSelector: { 'instance.$': '$.Reservations[0].Instances[0]' },
    resultPath: '$.discovery',
  });
  const start = new sfn.Pass(scope, 'Start before state', {
    parameters: { 'instanceId.$': INSTANCE_ID, 'vpcId.$': `${INSTANCE}.VpcId` },
    resultPath: '$.before',
  });
  const interfaces = readEach(
    steps,
    'Read network interfaces',
    'networkInterfaces',
    `${INSTANCE}.NetworkInterfaces`,
    {
      'networkInterfaceId.$': `${ITEM}.NetworkInterfaceId`,
      'vpcId.$': `${ITEM}.VpcId`,
      'groups.$': `${ITEM}.Groups`,
    },
  );
  interfaces.addCatch(steps.human, { resultPath: '$.error' });
  const volumes = readEach(steps, 'Read volumes', 'volumes', `${INSTANCE}.BlockDeviceMappings`, {
    'deviceName.$': `${ITEM}.DeviceName`,
    'volumeId.$': `${ITEM}.Ebs.VolumeId`,
    'deleteOnTermination.$': `${ITEM}.Ebs.DeleteOnTermination`,
  });
  volumes.addCatch(steps.human, { resultPath: '$.error' });
  const quarantineTag = steps.call('Read quarantine tag', {
    service: 'ec2',
    action: 'describeTags',
    parameters: {
      Filters: [
        { Name: 'resource-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
        { Name: 'key', Values: [QUARANTINE_TAG] },
      ],
    },
    iamResources: ['*'],
    resultSelector: { 'tags.$': '$.Tags' },
    resultPath: '$.discovery.quarantineTag',
  });
  return describe
    .next(start)
    .next(interfaces)
    .next(volumes)
    .next(quarantineTag)
    .next(readAutoScaling(steps))
    .next(readTargetGroups(steps))
    .next(readInstanceProfile(steps));
}

/** A Map that keeps the chosen fields of each item of a list, into `$.before.<key>`. */
function readEach(
  steps: QuarantineSteps,
  id: string,
  key: string,
  itemsPath: string,
  itemSelector: Record<string, string>,
): sfn.Map {
  return new sfn.Map(steps.scope, id, {
    itemsPath,
    itemSelector,
    resultPath: `$.before.${key}`,
  }).itemProcessor(new sfn.Pass(steps.scope, `${id}: keep`));
}

/** DescribeAutoScalingInstances lists the instance only while it is in a group. */
function readAutoScaling(steps: QuarantineSteps): sfn.Chain {
  const { scope } = steps;
  const read = steps.call('Read Auto Scaling membership', {
    service: 'autoscaling',
    action: 'describeAutoScalingInstances',
    parameters: { 'InstanceIds.$': `States.Array(${INSTANCE_ID})` },
    iamResources: ['*'],
    resultSelector: { 'instances.$': '$.AutoScalingInstances' },
    resultPath: '$.discovery.autoScaling',
  });
  const member = new sfn.Pass(scope, 'In an Auto Scaling group', {
    parameters: {
      member: true,
      'autoScalingGroupName.$': '$.discovery.autoScaling.instances[0].AutoScalingGroupName',
    },
    resultPath: '$.before.autoScaling',
  });
  const notMember = new sfn.Pass(scope, 'In no Auto Scaling group', {
    parameters: { member: false },
    resultPath: '$.before.autoScaling',
  });
  return read.next(
    new sfn.Choice(scope, 'Auto Scaling member?')
      .when(sfn.Condition.isPresent('$.discovery.autoScaling.instances[0].AutoScalingGroupName'), member)
      .otherwise(notMember)
      .afterwards(),
  );
}

/**
 * ELBv2 has no call listing the groups of an instance: walk the target groups and ask each
 * about the instance. A group that does not hold it answers `unused` (Target.NotRegistered).
 * Only the first page of target groups is read (up to 400, DescribeTargetGroups' maximum).
 */
function readTargetGroups(steps: QuarantineSteps): sfn.Chain {
  const { scope } = steps;
  const list = steps.call('List target groups', {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetGroups',
    parameters: { PageSize: 400 },
    iamResources: ['*'],
    resultSelector: { 'groups.$': '$.TargetGroups' },
    resultPath: '$.discovery.targetGroups',
  });
  const readHealth = awsCall(scope, 'Read target health', {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetHealth',
    parameters: { 'TargetGroupArn.$': '$.targetGroupArn', Targets: [{ 'Id.$': '$.instanceId' }] },
    iamResources: ['*'],
    resultSelector: {
      'state.$': '$.TargetHealthDescriptions[0].TargetHealth.State',
      'port.$': '$.TargetHealthDescriptions[0].Target.Port',
    },
    resultPath: '$.health',
  }).next(
    new sfn.Pass(scope, 'Target group membership', {
      parameters: {
        'targetGroupArn.$': '$.targetGroupArn',
        'port.$': '$.health.port',
        'state.$': '$.health.state',
      },
    }),
  );
  // IP and Lambda target groups name no instance: the instance cannot be in them by id.
  const perGroup = new sfn.Choice(scope, 'Instance target group?')
    .when(sfn.Condition.stringEquals('$.targetType', 'instance'), readHealth)
    .otherwise(
      new sfn.Pass(scope, 'Not an instance target group', {
        parameters: { 'targetGroupArn.$': '$.targetGroupArn', state: 'not-applicable' },
      }),
    );
  const each = new sfn.Map(scope, 'Read target groups', {
    itemsPath: '$.discovery.targetGroups.groups',
    itemSelector: withTarget(scope, {
      'targetGroupArn.$': `${ITEM}.TargetGroupArn`,
      'targetType.$': `${ITEM}.TargetType`,
      'instanceId.$': INSTANCE_ID,
    }),
    maxConcurrency: 10,
    resultPath: '$.before.targetGroups',
  }).itemProcessor(perGroup);
  each.addCatch(steps.human, { resultPath: '$.error' });
  return list.next(each);
}

/**
 * The association (DescribeInstances names the profile but not the association id that
 * DisassociateIamInstanceProfile needs) and the profile's role (an instance profile holds at
 * most one). GetInstanceProfile takes the name: the last segment of the ARN, after any path.
 */
function readInstanceProfile(steps: QuarantineSteps): sfn.Chain {
  const { scope } = steps;
  const profileArn = '$.before.instanceProfile.instanceProfileArn';
  const association = steps.call('Read profile association', {
    service: 'ec2',
    action: 'describeIamInstanceProfileAssociations',
    parameters: {
      Filters: [
        { Name: 'instance-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
        { Name: 'state', Values: ['associated'] },
      ],
    },
    iamResources: ['*'],
    resultSelector: {
      associated: true,
      'associationId.$': '$.IamInstanceProfileAssociations[0].AssociationId',
      'instanceProfileArn.$': '$.IamInstanceProfileAssociations[0].IamInstanceProfile.Arn',
    },
    resultPath: '$.before.instanceProfile',
  });
  const nameParts = new sfn.Pass(scope, 'Split profile ARN', {
    parameters: { 'parts.$': `States.StringSplit(${profileArn}, '/')` },
    resultPath: '$.discovery.profileArn',
  });
  const profile = steps.call('Read instance profile', {
    service: 'iam',
    action: 'getInstanceProfile',
    parameters: {
      'InstanceProfileName.$':
        'States.ArrayGetItem($.discovery.profileArn.parts, States.MathAdd(States.ArrayLength($.discovery.profileArn.parts), -1))',
    },
    iamResources: [steps.arns.instanceProfiles],
    resultSelector: { 'roles.$': '$.InstanceProfile.Roles' },
    resultPath: '$.discovery.instanceProfile',
  });
  const role = new sfn.Pass(scope, 'Instance role', {
    parameters: { 'roleName.$': '$.discovery.instanceProfile.roles[0].RoleName' },
    resultPath: '$.before.instanceRole',
  });
  const noRole = new sfn.Pass(scope, 'No instance role', {
    parameters: {},
    resultPath: '$.before.instanceRole',
  });
  const withProfile = association
    .next(nameParts)
    .next(profile)
    .next(
      new sfn.Choice(scope, 'Profile has a role?')
        .when(sfn.Condition.isPresent('$.discovery.instanceProfile.roles[0].RoleName'), role)
        .otherwise(noRole)
        .afterwards(),
    );
  const noProfile = new sfn.Pass(scope, 'No instance profile', {
    parameters: { associated: false },
    resultPath: '$.before.instanceProfile',
  });
  return new sfn.Choice(scope, 'Instance profile associated?')
    .when(sfn.Condition.isPresent(`${INSTANCE}.IamInstanceProfile.Arn`), withProfile)
    .otherwise(
      noProfile.next(
        new sfn.Pass(scope, 'No profile, no role', { parameters: {}, resultPath: '$.before.instanceRole' }),
      ),
    )
    .afterwards();
}
