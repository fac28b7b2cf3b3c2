import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/require-imdsv2.ts';
import { INSTANCE_ID } from './fragments/finding-paths.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * Security Hub EC2.8: an instance should require IMDSv2, i.e. its metadata options' HttpTokens
 * should be `required`. ModifyInstanceMetadataOptions changes only the options a request names,
 * so the call names HttpTokens alone: the hop limit, the endpoint and the tags option stay. Software
 * on the instance that still reads the metadata service without a session token (IMDSv1) stops
 * getting answers, credentials included, so a person approves first (policy/default.yaml).
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-8
 * https://docs.aws.amazon.com/config/latest/developerguide/ec2-imdsv2-check.html
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html
 */
export const requireImdsv2: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the setting',
        does: "Reads the instance's metadata options: whether IMDSv2 (session tokens) is required.",
        states: ['Read metadata options'],
        ifItStops: 'Nothing was changed. Check that the instance still exists.',
      },
      {
        title: 'Require IMDSv2',
        does: 'Sets HttpTokens to required on the instance. Nothing else of the instance changes.',
        states: ['Require IMDSv2'],
        ifItStops:
          'IMDSv1 may still be allowed: in the EC2 console, Instances > the instance > Actions > Instance settings > Modify instance metadata options, set IMDSv2 to Required.',
      },
      {
        title: 'Check it is required',
        does: 'Reads the instance again and confirms IMDSv2 is required.',
        states: ['Read metadata options again'],
        ifItStops:
          'The setting was changed but could not be confirmed. Look at the instance in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'The EC2 console shows "IMDSv2: Required" for the instance.',
      'Software on the instance still gets its credentials and metadata: an old SDK or agent that only speaks IMDSv1 fails now (CloudWatch metric MetadataNoToken shows such calls before the change).',
    ],
    undo: '`remediate undo` sets HttpTokens back to optional, only if this run changed it.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    Validations.of(scope).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ec2:DescribeInstances supports no resource-level permissions; it only reads.',
      },
      {
        id: resourceWildcardFinding(scope, 'ec2:{region}:{account}:instance/*'),
        reason:
          'The instance is named by the finding at run time; the role may only change its metadata options, and the call names HttpTokens alone.',
      },
    );
    return settingToggle(steps, {
      // DescribeInstances supports no resource-level permissions; it only reads.
      read: {
        service: 'ec2',
        action: 'describeInstances',
        parameters: { 'InstanceIds.$': `States.Array(${INSTANCE_ID})` },
        iamResources: ['*'],
        resultSelector: { 'HttpTokens.$': '$.Reservations[0].Instances[0].MetadataOptions.HttpTokens' },
      },
      change: {
        id: 'Require IMDSv2',
        service: 'ec2',
        action: 'modifyInstanceMetadataOptions',
        parameters: { 'InstanceId.$': INSTANCE_ID, HttpTokens: 'required' },
        iamResources: [steps.arns.instances],
      },
      isSet: (path) => sfn.Condition.stringEquals(`${path}.HttpTokens`, 'required'),
      action: 'ModifyInstanceMetadataOptions',
      names: {
        read: 'Read metadata options',
        readAgain: 'Read metadata options again',
        isSet: 'IMDSv2 required?',
        audit: 'Audit IMDSv2 required',
        alreadySet: { audit: 'Audit already required', end: 'Already required' },
      },
      plan: {
        actions: [
          { action: 'ModifyInstanceMetadataOptions', 'instanceId.$': INSTANCE_ID, HttpTokens: 'required' },
        ],
      },
      proposedActions: [
        "Set the instance's HttpTokens to required (IMDSv2 only); no other metadata option changes",
        'Read the instance again and record the setting',
      ],
      ifDenied: 'The playbook ends: the instance keeps accepting IMDSv1 requests.',
      headline: 'IMDSv2 required',
    });
  },
};
