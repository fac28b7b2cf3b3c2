import { aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { awsCall } from '../fragments/aws-call.ts';
import { DESCRIBED_INSTANCE, instanceTagRead } from '../fragments/describe-instance.ts';
import { INSTANCE_ID } from '../fragments/finding-paths.ts';
import { firstItem } from '../fragments/first-item.ts';
import { instanceTargetGroups } from '../fragments/instance-target-groups.ts';
import type { PlaybookSteps } from '../fragments/playbook-steps.ts';

/** The tag that marks an instance as quarantined; its value is the finding that did it. */
export const QUARANTINE_TAG = 'remediation:quarantine';

const INSTANCE = DESCRIBED_INSTANCE;

/**
 * What a branch of {@link discover} hands on: only what it read, never the listings it read it
 * from, so the Parallel's output stays far inside the 256 KB state quota.
 */
const BRANCH_OUTPUT = '$.before';
/**
 * The state before quarantine, in one record (what undo restores from), written by the Parallel
 * of {@link discover}: each ENI with the groups it had (as the isolation read them before moving
 * it), the volumes, and what the reads found, including the quarantine tag.
 */
export const FOUND = '$.before';

/** `path` of the state as the Parallel's first branch hands it on whole (it has no OutputPath). */
const inFirstBranch = (path: string) => path.replace(/^\$/, '$[0]');

/**
 * Read, all at once, what quarantine changes after the network is cut: whether it was quarantined
 * before (its tag), its Auto Scaling group, the target groups it is registered in, and the
 * instance profile association and its role. The four reads are independent, so they run as the
 * branches of one Parallel state; a failed read fails the Parallel, which hands over to a human
 * (the network is already isolated and audited). Its ResultSelector assembles the state before
 * quarantine at `$.before` (no state of its own). Only plain paths are used (no `[*]` or
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
    // The first branch hands on its whole state (the instance and the isolation's record with
    // it), the others only what they read.
    resultSelector: {
      'instanceId.$': inFirstBranch(INSTANCE_ID),
      'vpcId.$': inFirstBranch(`${INSTANCE}.VpcId`),
      'networkInterfaces.$': inFirstBranch('$.after.networkInterfaces'),
      'volumes.$': inFirstBranch(`${INSTANCE}.BlockDeviceMappings`),
      'quarantineTag.$': '$[0].discovery.quarantineTag',
      'quarantinedBy.$': '$[0].discovery.quarantinedBy',
      'autoScaling.$': '$[1].autoScaling',
      'targetGroups.$': '$[2].targetGroups',
      'targetGroupsTruncated.$': '$[2].targetGroupsPage.truncated',
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

/** The target groups the instance is registered in (fragments/instance-target-groups.ts). */
function readTargetGroups(steps: PlaybookSteps): sfn.Chain {
  return instanceTargetGroups(steps.scope, {
    instanceIdPath: INSTANCE_ID,
    vpcIdPath: `${INSTANCE}.VpcId`,
    listingPath: '$.discovery.targetGroups',
    membershipPath: '$.before.targetGroups',
    pagePath: '$.before.targetGroupsPage',
    outputPath: BRANCH_OUTPUT,
  }).chain;
}

/**
 * The association (DescribeInstances names the profile but not the association id that
 * DisassociateIamInstanceProfile needs) and the profile's role (an instance profile holds at
 * most one). GetInstanceProfile takes the name: the last segment of the ARN, after any path.
 */
function readInstanceProfile(steps: PlaybookSteps): sfn.Chain {
  const { scope } = steps;
  const parts = `States.StringSplit($.before.instanceProfile.instanceProfileArn, '/')`;
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
  const profile = awsCall(scope, 'Read instance profile', {
    service: 'iam',
    action: 'getInstanceProfile',
    parameters: {
      // The last segment of the ARN, split inline (nested intrinsics:
      // https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
      'InstanceProfileName.$': `States.ArrayGetItem(${parts}, States.MathAdd(States.ArrayLength(${parts}), -1))`,
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
