import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/encrypt-ebs-by-default.ts';
import type { AwsCallProps } from './fragments/aws-call.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * Security Hub EC2.7: turn on EBS encryption by default in the finding's account and region, read
 * it back. The setting is per Region and applies to volumes created afterwards; existing volumes
 * are not changed, and the default KMS key (the AWS managed `aws/ebs` key unless someone chose
 * another) is left as it is.
 * https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-7
 */
export const encryptEbsByDefault: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the setting',
        does: 'Reads whether EBS encryption by default is on in the account and Region.',
        states: ['Read setting'],
        ifItStops:
          'Nothing was changed. Check the EC2 console (EC2 Dashboard > Data protection and security).',
      },
      {
        title: 'Turn encryption by default on',
        does: 'Turns on EBS encryption by default; volumes created from now on are encrypted.',
        states: ['Enable encryption by default'],
        ifItStops:
          'The setting may still be off: turn it on in the EC2 console (Data protection and security > EBS encryption > Manage).',
      },
      {
        title: 'Check it is on',
        does: 'Reads the setting again and confirms it is on.',
        states: ['Read setting again'],
        ifItStops: 'The setting was turned on but could not be confirmed. Look at it in the EC2 console.',
      },
    ],
    checkAfterwards: [
      'The EC2 console shows "Always encrypt new EBS volumes" enabled in this Region.',
      'Workloads that launch from AMIs or snapshots shared with other accounts can still read them: encrypted copies use the default KMS key, which other accounts cannot use if it is the AWS managed key.',
    ],
    undo: '`remediate undo` turns encryption by default off again, only if this run turned it on. Volumes created meanwhile stay encrypted.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    // No resource-level permissions for these actions: the setting belongs to the account and Region.
    const ec2 = (action: string): AwsCallProps => ({ service: 'ec2', action, iamResources: ['*'] });

    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:GetEbsEncryptionByDefault and ec2:EnableEbsEncryptionByDefault act on an account-and-Region setting and support no resource-level permissions; the role may not turn it off.',
    });
    return settingToggle(steps, {
      read: ec2('getEbsEncryptionByDefault'),
      change: { id: 'Enable encryption by default', ...ec2('enableEbsEncryptionByDefault') },
      isSet: (path) => sfn.Condition.booleanEquals(`${path}.EbsEncryptionByDefault`, true),
      action: 'EnableEbsEncryptionByDefault',
      names: {
        read: 'Read setting',
        readAgain: 'Read setting again',
        isSet: 'Already encrypting?',
        audit: 'Audit encryption enabled',
        alreadySet: { audit: 'Audit already on', end: 'Already on' },
      },
      plan: { actions: [{ action: 'EnableEbsEncryptionByDefault', 'region.$': '$.target.region' }] },
      proposedActions: [
        'Turn on EBS encryption by default in this account and Region (new volumes only)',
        'Read the setting again and record it',
      ],
      ifDenied: 'The playbook ends: EBS encryption by default stays off.',
      headline: 'EBS encryption by default turned on',
    });
  },
};
