import { aws_iam as iam, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * What EC2 needs of the caller's KMS permissions to create volumes from snapshots or images
 * encrypted with a customer managed key (a launch, a root volume replacement): grants and data
 * keys for the new volume, only through EC2 in this region, grants only for AWS resources
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 */
export function ebsKeyStatements(scope: Construct): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const keys = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  const viaEc2 = { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` };
  return [
    new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [keys],
      conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncrypt*'],
      resources: [keys],
      conditions: { StringEquals: viaEc2 },
    }),
  ];
}
