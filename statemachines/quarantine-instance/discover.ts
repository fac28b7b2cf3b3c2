import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { DESCRIBED_INSTANCE, instanceTagRead } from '../fragments/describe-instance.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { firstItem } from '../fragments/first-item.ts';
import { withTarget } from '../fragments/member-credentials.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';

/** The tag that marks an instance as quarantined; its value is the finding that did it. */
export const QUARANTINE_TAG = 'remediation:quarantine';

const ITEM = '$$.Map.Item.Value';
const INSTANCE = DESCRIBED_INSTANCE;
/** Target groups read per quarantine: one page, sized to stay well inside the state quota. */
export const TARGET_GROUP_PAGE = 150;

/**
 * What a branch of {@link discover} hands on: only what it read, never the listings it read it
 * from, so the Parallel's output stays far inside the 256 KB state quota.
 */
const BRANCH_OUTPUT = '$.before';
/** Where the reads below put what they found (the Parallel's selected answers). */
export const FOUND = '$.found';

/**
 * Read, all at once, what quarantine changes after the network is cut: whether it was quarantined
 * before (its tag), its Auto Scaling group, the target groups it is registered in, and the
 * instance profile association and its role. The four reads are independent, so they run as the
 * branches of one Parallel state; a failed read fails the Parallel, which hands over to a human
 * (the network is already isolated and audited). Only plain paths are used (no `[*]` or
 * filters): a path that matches one element would otherwise not yield a list.
 */
export function discover(steps: PlaybookSteps): sfn.Parallel {
  const { scope } = steps;
  const quarantineTag = awsCall(
    scope,
    'Read quarantine tag',
    instanceTagRead(QUARANTINE_TAG, '$.discovery.quarantineTag'),
  );
  // The finding that quarantined the instance first, or '' when none did.
  const quarantinedBy = firstItem(scope, 'Quarantined before?', {
    listPath: '$.discovery.quarantineTag.tags',
    fields: { findingId: 'Value' },
    otherwise: { findingId: '' },
    resultPath: '$.discovery.quarantinedBy',
  });
  const reads = new sfn.Parallel(scope, 'Read what quarantine changes', {
    // Each branch returns its whole state; keep only what it read.
    resultSelector: {
      'quarantineTag.$': '$[0].discovery.quarantineTag',
      'quarantinedBy.$': '$[0].discovery.quarantinedBy',
      'autoScaling.$': '$[1].autoScaling',
      'targetGroups.$': '$[2].targetGroups',
      'targetGroupsTruncated.$': '$[2].targetGroupsTruncated',
      'instanceProfile.$': '$[3].instanceProfile',
      'instanceRole.$': '$[3].instanceRole',
    },
    resultPath: FOUND,
  })
    .branch(quarantineTag.next(quarantinedBy))
    .branch(readAutoScaling(steps))
    .branch(readTargetGroups(steps))
    .branch(readInstanceProfile(steps));
  reads.addCatch(steps.human, { resultPath: '$.error' });
  return reads;
}

/**
 * The state before quarantine, in one record (what undo restores from): each ENI with the groups
 * it had (as the isolation read them before moving it), the volumes, and what {@link discover} found.
 */
export function beforeState(steps: PlaybookSteps): sfn.Pass {
  return new sfn.Pass(steps.scope, 'Record before state', {
    parameters: {
      'instanceId.$': INSTANCE_ID,
      'vpcId.$': `${INSTANCE}.VpcId`,
      'networkInterfaces.$': '$.after.networkInterfaces',
      'volumes.$': `${INSTANCE}.BlockDeviceMappings`,
      'autoScaling.$': `${FOUND}.autoScaling`,
      'targetGroups.$': `${FOUND}.targetGroups`,
      'targetGroupsTruncated.$': `${FOUND}.targetGroupsTruncated`,
      'instanceProfile.$': `${FOUND}.instanceProfile`,
      'instanceRole.$': `${FOUND}.instanceRole`,
    },
    resultPath: '$.before',
  });
}

/** DescribeAutoScalingInstances lists the instance only while it is in a group. */
function readAutoScaling(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const read = awsCall(scope, 'Read Auto Scaling membership', {
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
    outputPath: BRANCH_OUTPUT,
  });
  const notMember = new sfn.Pass(scope, 'In no Auto Scaling group', {
    parameters: { member: false },
    resultPath: '$.before.autoScaling',
    outputPath: BRANCH_OUTPUT,
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
 * Only instance-type groups in the instance's VPC are asked: for a group in another VPC
 * DescribeTargetHealth answers `InvalidTarget` ("The specified target does not exist, is not in
 * the same VPC as the target group, or has an unsupported instance type",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html).
 * A group whose read still fails is recorded as `unknown` with its error, and isolation goes on.
 *
 * Each group is about 1 KB in the response and Step Functions caps a state at 256 KB
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html); the `States.DataLimitExceeded`
 * it raises is not caught by `States.ALL`. So one page of at most {@link TARGET_GROUP_PAGE} groups is
 * read, the Map keeps only ARN, port and state per group, and the branch hands on only that
 * (`OutputPath`), never the listing. `targetGroupsTruncated` records that more groups exist than were asked.
 */
function readTargetGroups(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const list = awsCall(scope, 'List target groups', {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetGroups',
    parameters: { PageSize: TARGET_GROUP_PAGE },
    iamResources: ['*'],
    // The whole response: a ResultSelector naming `NextMarker` would fail on the last page.
    resultPath: '$.discovery.targetGroups',
  });
  const membership = (id: string, state: string | { path: string }, extra: Record<string, string> = {}) =>
    new sfn.Pass(scope, id, {
      parameters: {
        'targetGroupArn.$': '$.group.TargetGroupArn',
        ...(typeof state === 'string' ? { state } : { 'state.$': state.path }),
        ...extra,
      },
    });
  const readHealth = awsCall(scope, 'Read target health', {
    service: 'elasticloadbalancingv2',
    action: 'describeTargetHealth',
    parameters: { 'TargetGroupArn.$': '$.group.TargetGroupArn', Targets: [{ 'Id.$': '$.instanceId' }] },
    iamResources: ['*'],
    resultSelector: { 'descriptions.$': '$.TargetHealthDescriptions' },
    resultPath: '$.health',
  });
  const unreadable = membership('Target health unreadable', 'unknown', { 'error.$': '$.error.Error' });
  readHealth.addCatch(unreadable, { resultPath: '$.error' });
  const described = new sfn.Choice(scope, 'Target health described?')
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.health.descriptions[0].TargetHealth.State'),
        sfn.Condition.isPresent('$.health.descriptions[0].Target.Port'),
      ),
      membership(
        'Target group membership',
        { path: '$.health.descriptions[0].TargetHealth.State' },
        {
          'port.$': '$.health.descriptions[0].Target.Port',
        },
      ),
    )
    .otherwise(membership('Target health not described', 'unknown'));
  // IP and Lambda groups name no instance, and Lambda groups have no VPC at all.
  const perGroup = new sfn.Choice(scope, 'Instance target group in its VPC?')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.group.TargetType', 'instance'),
        sfn.Condition.isPresent('$.group.VpcId'),
        sfn.Condition.stringEqualsJsonPath('$.group.VpcId', '$.vpcId'),
      ),
      readHealth.next(described),
    )
    .otherwise(membership('Not an instance target group of its VPC', 'not-applicable'));
  const each = new sfn.Map(scope, 'Read target groups', {
    itemsPath: '$.discovery.targetGroups.TargetGroups',
    itemSelector: withTarget(scope, {
      'group.$': ITEM,
      'instanceId.$': INSTANCE_ID,
      'vpcId.$': `${INSTANCE}.VpcId`,
    }),
    maxConcurrency: 10,
    resultPath: '$.before.targetGroups',
  }).itemProcessor(perGroup);
  const truncated = (value: boolean) =>
    new sfn.Pass(scope, `Target groups ${value ? 'beyond one page' : 'all read'}`, {
      result: sfn.Result.fromBoolean(value),
      resultPath: '$.before.targetGroupsTruncated',
      outputPath: BRANCH_OUTPUT,
    });
  return list
    .next(each)
    .next(
      new sfn.Choice(scope, 'More target groups?')
        .when(sfn.Condition.isPresent('$.discovery.targetGroups.NextMarker'), truncated(true))
        .otherwise(truncated(false))
        .afterwards(),
    );
}

/**
 * The association (DescribeInstances names the profile but not the association id that
 * DisassociateIamInstanceProfile needs) and the profile's role (an instance profile holds at
 * most one). GetInstanceProfile takes the name: the last segment of the ARN, after any path.
 */
function readInstanceProfile(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const profileArn = '$.before.instanceProfile.instanceProfileArn';
  const association = awsCall(scope, 'Read profile association', {
    service: 'ec2',
    action: 'describeIamInstanceProfileAssociations',
    parameters: {
      Filters: [
        { Name: 'instance-id', 'Values.$': `States.Array(${INSTANCE_ID})` },
        { Name: 'state', Values: ['associated'] },
      ],
    },
    iamResources: ['*'],
    resultSelector: { 'associations.$': '$.IamInstanceProfileAssociations' },
    resultPath: '$.discovery.association',
  });
  // An association being made, replaced or removed is not `associated`: the list is empty although
  // DescribeInstances named a profile. Then the role is still read (its sessions are still denied),
  // nothing is disassociated, and the run ends in needs-human once the instance is isolated.
  const associated = firstItem(scope, 'Profile association settled?', {
    listPath: '$.discovery.association.associations',
    fields: { associationId: 'AssociationId', instanceProfileArn: 'IamInstanceProfile.Arn' },
    found: { associated: true },
    otherwise: {
      associated: false,
      unsettled: true,
      'instanceProfileArn.$': `${INSTANCE}.IamInstanceProfile.Arn`,
    },
    resultPath: '$.before.instanceProfile',
  });
  const nameParts = new sfn.Pass(scope, 'Split profile ARN', {
    parameters: { 'parts.$': `States.StringSplit(${profileArn}, '/')` },
    resultPath: '$.discovery.profileArn',
  });
  const profile = awsCall(scope, 'Read instance profile', {
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
    outputPath: BRANCH_OUTPUT,
  });
  const noRole = new sfn.Pass(scope, 'No instance role', {
    parameters: {},
    resultPath: '$.before.instanceRole',
    outputPath: BRANCH_OUTPUT,
  });
  const withProfile = association
    .next(associated)
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
        new sfn.Pass(scope, 'No profile, no role', {
          parameters: {},
          resultPath: '$.before.instanceRole',
          outputPath: BRANCH_OUTPUT,
        }),
      ),
    )
    .afterwards();
}
