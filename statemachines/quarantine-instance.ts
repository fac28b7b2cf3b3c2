import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/quarantine-instance.ts';
import { instanceRisk } from './fragments/approval-risk.ts';
import { describeInstance } from './fragments/describe-instance.ts';
import { INSTANCE_ID } from './fragments/finding-paths.ts';
import { handOver } from './fragments/hand-over.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { claimResource } from './fragments/resource-claim.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';
import { credentialParts } from './quarantine-instance/cut-credentials.ts';
import { discover, FOUND } from './quarantine-instance/discover.ts';
import { flagChoice } from './quarantine-instance/flag-choice.ts';
import { isolateNetwork } from './quarantine-instance/isolate-network.ts';
import { leaveService } from './quarantine-instance/leave-service.ts';
import { preserveEvidence } from './quarantine-instance/preserve-evidence.ts';
import { quarantineRecords } from './quarantine-instance/records.ts';

/** The calls a quarantine makes, in order, as the dry-run plan lists them. */
const PLANNED_ACTIONS = [
  'ModifyNetworkInterfaceAttribute:allow-all group (each ENI)',
  'ModifyNetworkInterfaceAttribute:isolation group (each ENI)',
  'PutRolePolicy:deny sessions issued before now',
  'DisassociateIamInstanceProfile',
  'ModifyInstanceAttribute:DisableApiTermination',
  'ModifyInstanceAttribute:InstanceInitiatedShutdownBehavior=stop',
  'ModifyInstanceAttribute:DeleteOnTermination=false (each volume)',
  'CreateTags',
  'DetachInstances:ShouldDecrementDesiredCapacity=false',
  'DeregisterTargets (each target group)',
  'Publish',
  'StartExecution:the follow-up playbook the policy names (next:), if any',
];

/**
 * Quarantine a compromised EC2 instance while keeping it as evidence. What stops the attacker
 * comes first: read the instance, isolate every ENI through the allow-all step; then read the rest
 * at once in one function (its tag, Auto Scaling group, target groups, profile; as the member role
 * in an organization), record the state before,
 * revoke its role's sessions and remove its instance profile; then what can wait seconds: protect
 * it from termination and keep its volumes, tag it, take it out of its Auto Scaling group and
 * target groups; notify. Every call is audited (the isolation at once, the rest with `contained`
 * in one step, or before needs-human when a call stops the run) and skipped when already done, so
 * a second finding on the same instance changes nothing. Undo restores from the first run's records.
 */
export const quarantineInstance: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Read the instance',
        does: 'Reads the instance: its network interfaces and their security groups, its disks and its role.',
        states: ['Describe instance'],
        ifItStops: 'Nothing was changed. Check that the instance still exists in the EC2 console.',
      },
      {
        title: 'Cut its network',
        does: 'Moves every network interface to a security group that allows nothing (through an allow-all group first, which ends open connections). This is what stops the attacker, so it comes first. On the first quarantine in a network (VPC) it creates the two groups there.',
        states: ['* isolation group*', 'Revoke isolation *', '*allow-all*', 'Isolate network interfaces'],
        ifItStops:
          'The instance may still be reachable. Ask the platform team to isolate it now; do not stop or terminate it (that destroys evidence).',
      },
      {
        title: 'Record the rest of the instance as it is',
        does: 'Reads, all at once, whether it was quarantined before, its Auto Scaling group, load balancer target groups and instance profile, and records them with the network interfaces as they were, so undo can restore them.',
        states: ['Read what quarantine changes'],
        ifItStops:
          'The network is cut and recorded; nothing else was changed. Check the instance profile, Auto Scaling group and target groups of the instance in the console, then remove its instance profile by hand.',
      },
      {
        title: 'Cut its credentials',
        does: "Refuses every session of the instance's role issued before now and removes the role from the instance.",
        // `*`: the copies the one choice after the reads goes to, each named for what follows it.
        states: ['Revoke instance role sessions*', 'Disassociate instance profile*'],
        ifItStops:
          'The instance may still call AWS with its role. Ask the platform team to remove the instance profile and revoke the role sessions.',
      },
      {
        title: 'Keep it as evidence',
        does: 'Turns on termination protection, makes a shutdown stop it rather than delete it, keeps its disks if it is terminated, and labels it.',
        states: ['Enable termination protection', 'Stop on shutdown', 'Keep volumes', 'Tag instance'],
        ifItStops:
          'The instance could still be deleted with its disks. In the EC2 console, turn on termination protection for it (Actions > Instance settings).',
      },
      {
        title: 'Take it out of service',
        does: 'Removes it from its Auto Scaling group (the group starts a replacement; capacity stays the same) and its load balancer target groups.',
        states: ['Detach from Auto Scaling group*', 'Deregister from target groups*'],
        ifItStops:
          'The instance is isolated but its group may replace it, or a load balancer may still send it requests that fail. Detach it from its Auto Scaling group and deregister it from its target groups in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'The instance is running, labelled remediation:quarantine, in the isolation security group only, without an instance profile.',
      'Its Auto Scaling group has started a replacement and the service works.',
      'The evidence follow-up (snapshot-and-reimage), if the policy names one, has started.',
    ],
    undo: 'Run `remediate undo <execution id>` (the id is in the timeline: `remediate audit --finding <id>`). It puts the security groups, instance profile, Auto Scaling group and target groups back.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, facts.name);
    acknowledgeWildcards(ctx);
    // An instance quarantined earlier for another finding got its evidence and re-image from
    // that finding's follow-up; a second one would only snapshot the quarantined disks again.
    const handedOver = handOver(ctx, steps.human, facts.name, {
      skipWhen: sfn.Condition.and(
        sfn.Condition.not(sfn.Condition.stringEquals(`${FOUND}.quarantinedBy.findingId`, '')),
        sfn.Condition.not(
          sfn.Condition.stringEqualsJsonPath(`${FOUND}.quarantinedBy.findingId`, '$.finding.id'),
        ),
      ),
      skipDetailsPath: `${FOUND}.quarantineTag`,
    });
    // Built from the end: each part's choice goes on to the next part.
    const done = steps.contained({
      headline: 'instance quarantined',
      notifyId: 'Notify quarantined',
      auditId: 'Audit quarantined',
      detailsPath: FOUND,
      // The phases' records, each call its own, appended with `contained` in one step.
      records: quarantineRecords(),
      end: handedOver,
    });
    // After the reads, one choice runs exactly the credential and evidence calls the read found
    // needed; then one choice leaves service and decides how the run ends.
    const afterReads = flagChoice(
      scope,
      'Credentials and evidence to change?',
      [...credentialParts(steps), preserveEvidence(steps)],
      leaveService(steps, done),
    );
    // The network first: it is what stops the attacker, and it needs only the instance's ENIs.
    const contain = claimResource(ctx, steps.human, facts.name)
      .next(describeInstance(steps))
      .next(isolateNetwork(steps))
      .next(discover(ctx, steps))
      .next(afterReads);

    return steps.byMode({
      // Dry run: record the plan, call nothing (not even the reads).
      plan: new sfn.Pass(scope, 'Build plan', {
        parameters: { 'instanceId.$': INSTANCE_ID, actions: PLANNED_ACTIONS },
        resultPath: '$.plan',
      }),
      proposedActions: [
        sfn.JsonPath.format(
          'Isolate every network interface of instance {}: allow-all group first (untracks connections), then the no-rule group',
          sfn.JsonPath.stringAt(INSTANCE_ID),
        ),
        'Deny every session of its instance role issued before now, then remove its instance profile',
        'Protect it as evidence: termination protection on, shutdown stops it, volumes kept, tagged',
        'Detach it from its Auto Scaling group (desired capacity unchanged) and deregister it from its target groups',
        'Notify the on-call topic that the instance is quarantined',
      ],
      ifDenied: 'The playbook ends: the instance keeps running as it is and nothing is changed.',
      gate: {
        name: 'Quarantine approval',
        title: sfn.JsonPath.format('Quarantine instance {}?', sfn.JsonPath.stringAt(INSTANCE_ID)),
        // The approver sees what the instance serves (its group, its role) before deciding.
        risk: instanceRisk(scope, INSTANCE_ID),
      },
      contain,
    });
  },
};

/**
 * The instance, its ENIs, groups, Auto Scaling group, target groups, role and profile are named
 * by the finding at run time, so their ARNs are account-wide patterns of exactly those types.
 */
function acknowledgeWildcards(ctx: PlaybookContext): void {
  const reason =
    'quarantine-instance acts on the instance a finding names and on its volumes, ENIs, groups, Auto Scaling group, target groups, role and profile, known only at run time; each action is granted on that resource type in this account only.';
  const ids = [
    'ec2:{region}:{account}:instance/*',
    'ec2:{region}:{account}:volume/*',
    'ec2:{region}:{account}:security-group/*',
    'ec2:{region}:{account}:network-interface/*',
    'ec2:{region}:{account}:vpc/*',
    'ec2:{region}:{account}:subnet/*',
    'autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*',
    'elasticloadbalancing:{region}:{account}:targetgroup/*/*',
    'iam::{account}:role/*',
    'iam::{account}:instance-profile/*',
    'states:{region}:{account}:execution:*:*',
  ];
  Validations.of(ctx.scope).acknowledge(
    ...ids.map((id) => ({ id: resourceWildcardFinding(ctx.scope, id), reason })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'EC2 DescribeInstances/DescribeTags/DescribeSecurityGroups/DescribeIamInstanceProfileAssociations, Auto Scaling DescribeAutoScalingInstances and ELBv2 DescribeTargetGroups/DescribeTargetHealth support no resource-level permissions; AWS documents Resource "*" for them.',
    },
  );
}
