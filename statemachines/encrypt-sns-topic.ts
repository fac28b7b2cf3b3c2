import { aws_stepfunctions as sfn, Validations } from 'aws-cdk-lib';
import { facts } from '#shared/playbooks/encrypt-sns-topic.ts';
import { TOPIC_KEY } from '#shared/undo/reverse-data-settings.ts';
import { topicRisk } from './fragments/approval-risk.ts';
import { playbookSteps } from './fragments/playbook-steps.ts';
import { settingToggle } from './fragments/setting-toggle.ts';
import { resourceWildcardFinding } from './fragments/wildcard-acknowledgement.ts';
import type { PlaybookContext, PlaybookDefinition } from './playbook.ts';

const NAME = facts.name;
const TOPIC = '$.finding.resource.id';

/**
 * Security Hub SNS.1: a topic with no KMS key gets the AWS managed key of SNS, and is read back.
 * Publishers and subscribers calling SNS with IAM credentials carry on, but AWS services that
 * publish as a service principal (EventBridge, CloudWatch alarms, S3 events) cannot use that key,
 * whose policy cannot be changed: their messages are lost. So it asks first, showing which
 * services the topic policy lets publish; such a topic needs a customer managed key, by hand.
 * A topic that has a key keeps it. SetTopicAttributes changes only the attribute it is given.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-1
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 */
export const encryptSnsTopic: PlaybookDefinition = {
  ...facts,
  runbook: {
    steps: [
      {
        title: 'Check the topic',
        does: "Leaves the product's own notification topic alone, then reads the topic's KMS key.",
        states: [
          'SNS topic?',
          'Product topic?',
          'Read topic key',
          'Topic key set?',
          'Keep topic key',
          'Keep no topic key',
          'Unsupported resource',
          'Product topic left alone',
        ],
        ifItStops: 'Nothing was changed. Check that the topic exists in the SNS console.',
      },
      {
        title: 'Encrypt the topic',
        does: 'Sets the topic attribute KmsMasterKeyId to alias/aws/sns, and no other attribute.',
        states: ['Risk: read topic policy', 'Encrypt topic'],
        ifItStops:
          'The topic may still be unencrypted: in the SNS console, edit the topic, Encryption > Enable encryption, and pick a key (a customer managed key if AWS services publish to it).',
      },
      {
        title: 'Check it is encrypted',
        does: 'Reads the topic key again and confirms it is set.',
        states: [
          'Read topic key again',
          'Topic key set? again',
          'Keep topic key again',
          'Keep no topic key again',
        ],
        ifItStops: 'The change was made but could not be confirmed. Look at the topic in the SNS console.',
      },
    ],
    checkAfterwards: [
      'The SNS console shows Encryption: Enabled, with the key alias/aws/sns, on the topic.',
      'EventBridge rules, CloudWatch alarms and other AWS services that publish to the topic deliver again only after it is given a customer managed key that lets them in.',
    ],
    undo: '`remediate undo` removes the key again (encryption off), only if this run set it.',
  },
  build(ctx: PlaybookContext): sfn.IChainable {
    const { scope } = ctx;
    const steps = playbookSteps(ctx, NAME);
    const topics = [steps.arns.snsTopics];

    // The key is kept with the topic's ARN, and as '' when the topic has none, so undo and the
    // Choice read one field that is always there (GetTopicAttributes leaves KmsMasterKeyId out).
    const read = (id: string, resultPath: string) => {
      const suffix = id === 'Read topic key' ? '' : ' again';
      const keep = new sfn.Pass(scope, `Keep topic key${suffix}`, {
        parameters: { 'TopicArn.$': TOPIC, 'KmsMasterKeyId.$': `${resultPath}.Attributes.KmsMasterKeyId` },
        resultPath,
      });
      const none = new sfn.Pass(scope, `Keep no topic key${suffix}`, {
        parameters: { 'TopicArn.$': TOPIC, KmsMasterKeyId: '' },
        resultPath,
      });
      return sfn.Chain.start(
        steps.call(id, {
          service: 'sns',
          action: 'getTopicAttributes',
          parameters: { 'TopicArn.$': TOPIC },
          iamResources: topics,
          resultSelector: { 'Attributes.$': '$.Attributes' },
          resultPath,
        }),
      ).next(
        new sfn.Choice(scope, `Topic key set?${suffix}`)
          .when(sfn.Condition.isPresent(`${resultPath}.Attributes.KmsMasterKeyId`), keep)
          .otherwise(none)
          .afterwards(),
      );
    };
    const encrypt = settingToggle(steps, {
      read,
      change: {
        id: 'Encrypt topic',
        service: 'sns',
        action: 'setTopicAttributes',
        parameters: { 'TopicArn.$': TOPIC, AttributeName: 'KmsMasterKeyId', AttributeValue: TOPIC_KEY },
        iamResources: topics,
      },
      isSet: (path) => sfn.Condition.not(sfn.Condition.stringEquals(`${path}.KmsMasterKeyId`, '')),
      action: 'SetTopicAttributes',
      names: {
        read: 'Read topic key',
        readAgain: 'Read topic key again',
        isSet: 'Topic encrypted?',
        audit: 'Audit topic encrypted',
        alreadySet: { audit: 'Audit topic already encrypted', end: 'Topic already encrypted' },
      },
      plan: { actions: [{ action: 'SetTopicAttributes', 'topicArn.$': TOPIC, KmsMasterKeyId: TOPIC_KEY }] },
      proposedActions: [
        `Encrypt the topic at rest with the AWS managed key ${TOPIC_KEY}; AWS services publishing to it (EventBridge, CloudWatch alarms) can no longer deliver`,
        'Read the topic key again and record it',
      ],
      ifDenied: 'The playbook ends: the topic stays unencrypted.',
      headline: 'SNS topic encrypted',
      gate: {
        title: sfn.JsonPath.format(
          'Encrypt SNS topic {} with the AWS managed key?',
          sfn.JsonPath.stringAt(TOPIC),
        ),
        risk: topicRisk(scope, TOPIC),
      },
    });

    Validations.of(scope).acknowledge({
      id: resourceWildcardFinding(scope, 'sns:{region}:{account}:*'),
      reason:
        'The topic is named by the finding at run time; the role may only read topic attributes and set them, and only this playbook sets them, with the AWS managed key.',
    });
    // The product's own topic is never changed by a playbook: its key and policy are the stack's.
    const own = steps
      .audit('Audit product topic', 'SetTopicAttributes', 'skipped', { detailsPath: '$.finding.resource' })
      .next(new sfn.Succeed(scope, 'Product topic left alone'));
    return steps.onlyFor({
      id: 'SNS topic?',
      type: 'AwsSnsTopic',
      action: 'SetTopicAttributes',
      run: new sfn.Choice(scope, 'Product topic?')
        .when(sfn.Condition.stringEquals(TOPIC, ctx.topic.topicArn), own)
        .otherwise(encrypt),
    });
  },
};
