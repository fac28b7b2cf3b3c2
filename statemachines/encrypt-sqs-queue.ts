import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/encrypt-sqs-queue.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const QUEUE_URL = '$.queue.QueueUrl';

/** Encrypted either way: SSE-SQS on, or a KMS key set (SSE-KMS), which the playbook never replaces. */
const encrypted = (path: string) =>
  sfn.Condition.or(
    sfn.Condition.and(
      sfn.Condition.isPresent(`${path}.Attributes.SqsManagedSseEnabled`),
      sfn.Condition.stringEquals(`${path}.Attributes.SqsManagedSseEnabled`, 'true'),
    ),
    sfn.Condition.and(
      sfn.Condition.isPresent(`${path}.Attributes.KmsMasterKeyId`),
      sfn.Condition.not(sfn.Condition.stringEquals(`${path}.Attributes.KmsMasterKeyId`, '')),
    ),
  );

/**
 * Security Hub SQS.1: a queue with neither SSE-SQS nor a KMS key gets SSE-SQS, and is read back.
 * SSE-SQS needs no key policy and no KMS permission from senders, receivers or AWS services that
 * send to the queue, so nothing using the queue changes; a queue with a KMS key is left as it is.
 * SetQueueAttributes changes only the attributes it is given; SQS takes their values as strings.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/sqs-controls.html#sqs-1
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
export const encryptSqsQueue: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the queue',
        does: 'Finds the queue by its name and reads whether SSE-SQS is on or a KMS key is set.',
        states: [
          'SQS queue?',
          'Find queue',
          'Read queue encryption',
          'Keep queue URL',
          'Unsupported resource',
        ],
        ifItStops: 'Nothing was changed. Check that the queue exists in the SQS console.',
      },
      {
        title: 'Turn SSE-SQS on',
        does: 'Sets the queue attribute SqsManagedSseEnabled to true, and no other attribute.',
        states: ['Enable queue encryption'],
        ifItStops:
          'The queue may still be unencrypted: in the SQS console, edit the queue, Encryption > Server-side encryption enabled, Amazon SQS key (SSE-SQS).',
      },
      {
        title: 'Check it is on',
        does: 'Reads the encryption settings again and confirms SSE-SQS is on.',
        states: ['Read queue encryption again', 'Keep queue URL again'],
        ifItStops: 'The change was made but could not be confirmed. Look at the queue in the SQS console.',
      },
    ],
    checkAfterwards: [
      'The SQS console shows "Server-side encryption: Enabled" with the Amazon SQS key (SSE-SQS) on the queue (Encryption tab).',
    ],
    undo: '`remediate undo` turns SSE-SQS off again, only if this run turned it on.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const queues = [steps.arns.sqsQueues];

    // SQS calls name a queue by its URL; GetQueueUrl finds it from the name the finding's ARN ends in.
    const find = steps.call('Find queue', {
      service: 'sqs',
      action: 'getQueueUrl',
      parameters: { 'QueueName.$': '$.finding.resource.id' },
      iamResources: queues,
      resultPath: '$.queue',
    });
    // The URL is kept with the settings, so undo knows the queue from the record alone.
    const read = (id: string, resultPath: string) =>
      sfn.Chain.start(
        steps.call(id, {
          service: 'sqs',
          action: 'getQueueAttributes',
          parameters: {
            QueueUrl: sfn.JsonPath.stringAt(QUEUE_URL),
            AttributeNames: ['SqsManagedSseEnabled', 'KmsMasterKeyId'],
          },
          iamResources: queues,
          resultPath,
        }),
      ).next(
        new sfn.Pass(scope, id === 'Read queue encryption' ? 'Keep queue URL' : 'Keep queue URL again', {
          parameters: { 'QueueUrl.$': QUEUE_URL, 'Attributes.$': `${resultPath}.Attributes` },
          resultPath,
        }),
      );
    const encrypt = settingToggle(steps, {
      read,
      change: {
        id: 'Enable queue encryption',
        service: 'sqs',
        action: 'setQueueAttributes',
        parameters: {
          QueueUrl: sfn.JsonPath.stringAt(QUEUE_URL),
          Attributes: { SqsManagedSseEnabled: 'true' },
        },
        iamResources: queues,
      },
      isSet: encrypted,
      action: 'SetQueueAttributes',
      names: {
        read: 'Read queue encryption',
        readAgain: 'Read queue encryption again',
        isSet: 'Queue encrypted?',
        audit: 'Audit queue encryption enabled',
        alreadySet: { audit: 'Audit queue already encrypted', end: 'Queue already encrypted' },
      },
      plan: {
        actions: [{ action: 'SetQueueAttributes', 'queueUrl.$': QUEUE_URL, SqsManagedSseEnabled: 'true' }],
      },
      proposedActions: [
        'Turn on SQS-managed encryption at rest (SSE-SQS) of the queue; senders and receivers need no change',
        'Read the encryption settings again and record them',
      ],
      ifDenied: 'The playbook ends: the queue stays unencrypted.',
      headline: 'SQS queue encryption turned on',
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'sqs:{region}:{account}:*'),
      reason:
        'The queue is named by the finding at run time; the role may only find queues, read their attributes and set them, and only this playbook sets them, with SSE-SQS on.',
    });
    return steps.onlyFor({
      id: 'SQS queue?',
      type: 'AwsSqsQueue',
      action: 'SetQueueAttributes',
      run: sfn.Chain.start(find).next(encrypt),
    });
  },
};
