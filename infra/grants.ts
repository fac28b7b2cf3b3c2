import { aws_iam as iam, type aws_sns as sns } from 'aws-cdk-lib';

/**
 * Let `grantee` publish to `topic`, and nothing wider: `sns:Publish` on the topic and, when the
 * topic is encrypted with a customer managed key, `kms:GenerateDataKey` and `kms:Decrypt` on that
 * key (CDK's `grantPublish` grants `kms:GenerateDataKey*`, a wildcard SNS does not need).
 * An AWS managed key (`alias/aws/sns`) needs no grant: its own key policy admits the account.
 */
export function grantPublishTo(topic: sns.ITopic, grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
  const key = topic.masterKey;
  if (!key || ('aliasName' in key && String(key.aliasName).startsWith('alias/aws/'))) return;
  key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
}
