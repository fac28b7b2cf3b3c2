import { Stack, aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/enable-key-rotation.ts';
import { arnOrId } from './fragments/arn-or-id.ts';
import type { AwsCallProps } from './fragments/aws-call.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;

/**
 * Security Hub KMS.4: turn on automatic rotation of a customer managed key and read it back.
 * Rotation keeps every earlier key material, so everything the key encrypted still decrypts and
 * nothing using the key changes; the default period is 365 days. Only symmetric encryption keys
 * with key material from KMS rotate automatically: KMS refuses any other key
 * (UnsupportedOperationException), which ends with a person, nothing changed.
 * https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys.html
 * https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-4
 */
export const enableKeyRotation: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the key',
        does: 'Reads whether automatic rotation is on for the key.',
        states: ['Read rotation status'],
        ifItStops: 'Nothing was changed. Check that the key exists and is enabled in the KMS console.',
      },
      {
        title: 'Turn rotation on',
        does: 'Turns on automatic rotation every 365 days.',
        states: ['Enable key rotation'],
        ifItStops:
          'Rotation may still be off. KMS rotates only symmetric encryption keys with KMS key material: for another key, record why it cannot rotate; otherwise turn it on in the KMS console (the key > Key rotation).',
      },
      {
        title: 'Check rotation is on',
        does: 'Reads the rotation status again and confirms it is on.',
        states: ['Read rotation status again'],
        ifItStops: 'Rotation was turned on but could not be confirmed. Look at the key in the KMS console.',
      },
    ],
    checkAfterwards: ['The KMS console shows automatic key rotation enabled for the key, every 365 days.'],
    undo: '`remediate undo` turns rotation off again, only if this run turned it on. Key material rotated meanwhile stays.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const keys = Stack.of(scope).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
    const kms = (action: string): AwsCallProps => ({
      service: 'kms',
      action,
      parameters: { 'KeyId.$': '$.key.id' },
      iamResources: [keys],
    });
    // The ARN names the key wherever the finding came from; a bare key id only in the caller's Region.
    const keyId = arnOrId(scope, {
      noun: 'key',
      arnPath: '$.finding.resource.keyArn',
      otherPath: '$.finding.resource.keyId',
      otherLabel: 'id',
      resultPath: '$.key',
    });

    const rotation = settingToggle(steps, {
      read: kms('getKeyRotationStatus'),
      change: { id: 'Enable key rotation', ...kms('enableKeyRotation') },
      isSet: (path) => sfn.Condition.booleanEquals(`${path}.KeyRotationEnabled`, true),
      action: 'EnableKeyRotation',
      names: {
        read: 'Read rotation status',
        readAgain: 'Read rotation status again',
        isSet: 'Rotating?',
        audit: 'Audit rotation enabled',
        alreadySet: { audit: 'Audit already rotating', end: 'Already rotating' },
      },
      plan: { actions: [{ action: 'EnableKeyRotation', 'keyId.$': '$.key.id' }] },
      proposedActions: [
        'Turn on automatic rotation of the key, every 365 days',
        'Read the rotation status again and record it',
      ],
      ifDenied: 'The playbook ends: the key is not rotated automatically.',
      headline: 'KMS key rotation turned on',
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'kms:{region}:{account}:key/*'),
      reason:
        'The key is named by the finding at run time; the role may only read a key rotation status and turn rotation on, never use, disable or delete a key.',
    });
    return keyId.next(rotation);
  },
};
