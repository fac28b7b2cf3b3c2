import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/disable-subnet-public-ip.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
/** The subnet id: Security Hub's `AwsEc2Subnet` resource, kept as `Other` (shared/findings/securityhub.ts). */
const SUBNET_ID = '$.finding.resource.id';

/**
 * Security Hub EC2.15: a subnet should not give new instances a public IPv4 address. The
 * setting is the subnet's MapPublicIpOnLaunch; ModifySubnetAttribute changes one attribute per
 * call, so nothing else of the subnet changes, and instances already running keep their
 * addresses. Instances launched afterwards get none unless their launch asks for one, which can
 * stop a workload that relies on it: a person approves first (policy/default.yaml).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-15
 * https://docs.aws.amazon.com/config/latest/developerguide/subnet-auto-assign-public-ip-disabled.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
 */
export const disableSubnetPublicIp: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the setting',
        does: 'Reads whether the subnet gives new instances a public IPv4 address.',
        states: ['Read subnet'],
        ifItStops: 'Nothing was changed. Check that the subnet still exists.',
      },
      {
        title: 'Turn automatic public addresses off',
        does: 'Turns off "auto-assign public IPv4 address" on the subnet. Running instances keep their addresses.',
        states: ['Turn off public addresses'],
        ifItStops:
          'The setting may still be on: in the VPC console, Subnets > the subnet > Actions > Edit subnet settings, clear "Enable auto-assign public IPv4 address".',
      },
      {
        title: 'Check it is off',
        does: 'Reads the subnet again and confirms the setting is off.',
        states: ['Read subnet again'],
        ifItStops:
          'The setting was changed but could not be confirmed. Look at the subnet in the VPC console.',
      },
    ],
    checkAfterwards: [
      'The VPC console shows "Auto-assign public IPv4 address: No" for the subnet.',
      'Whatever launches instances into the subnet and needs them reachable from the internet asks for a public address itself (or uses a load balancer or NAT).',
    ],
    undo: '`remediate undo` turns the setting back on, only if this run turned it off.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeSubnets supports no resource-level permissions; it only reads.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:subnet/*'),
        reason:
          'The subnet is named by the finding at run time; the role may only modify its attributes, and the call names MapPublicIpOnLaunch alone.',
      },
    );
    return settingToggle(steps, {
      // DescribeSubnets supports no resource-level permissions; it only reads.
      read: {
        service: 'ec2',
        action: 'describeSubnets',
        parameters: { 'SubnetIds.$': `States.Array(${SUBNET_ID})` },
        iamResources: ['*'],
        resultSelector: { 'MapPublicIpOnLaunch.$': '$.Subnets[0].MapPublicIpOnLaunch' },
      },
      change: {
        id: 'Turn off public addresses',
        service: 'ec2',
        action: 'modifySubnetAttribute',
        parameters: { 'SubnetId.$': SUBNET_ID, MapPublicIpOnLaunch: { Value: false } },
        iamResources: [steps.arns.subnets],
      },
      isSet: (path) => sfn.Condition.booleanEquals(`${path}.MapPublicIpOnLaunch`, false),
      action: 'ModifySubnetAttribute',
      names: {
        read: 'Read subnet',
        readAgain: 'Read subnet again',
        isSet: 'Public addresses off?',
        audit: 'Audit public addresses off',
        alreadySet: { audit: 'Audit already off', end: 'Already off' },
      },
      plan: {
        actions: [{ action: 'ModifySubnetAttribute', 'subnetId.$': SUBNET_ID, MapPublicIpOnLaunch: false }],
      },
      proposedActions: [
        'Turn off automatic public IPv4 addresses on the subnet (new instances only); nothing else of the subnet changes',
        'Read the subnet again and record the setting',
      ],
      ifDenied: 'The playbook ends: the subnet keeps giving new instances public addresses.',
      headline: 'automatic public IPv4 addresses turned off',
    });
  },
};
