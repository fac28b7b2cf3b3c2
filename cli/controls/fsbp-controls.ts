/**
 * What docs/controls.md needs to know about a Security Hub control a playbook names: its title and
 * the ASFF resource type its findings are about, as AWS documents each control
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-controls-reference.html).
 * Only the table generator reads this; which playbook fixes a control comes from the playbook's
 * facts (`controls:`) and the policy, never from here. A control a playbook names without an entry
 * here stops the generator, so the table cannot silently leave it out.
 */
export interface ControlReference {
  /** The control's title in the Security Hub documentation. */
  readonly title: string;
  /** `Resources[].Type` of the control's findings (AWS Security Finding Format). */
  readonly resourceType: string;
  /** A well-formed `Resources[].Id` of that type, for the generated finding. */
  readonly resourceId: string;
}

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const GROUP = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0a1b2c3d4e5f60718`;
const BUCKET = 'arn:aws:s3:::example-reports-111122223333';

/** The controls the shipped playbooks name, by control id. */
export const CONTROL_REFERENCE: Readonly<Record<string, ControlReference>> = {
  'EC2.1': {
    title: 'Amazon EBS snapshots should not be publicly restorable',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'RDS.1': {
    title: 'RDS snapshot should be private',
    resourceType: 'AwsRdsDbSnapshot',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:example-snapshot`,
  },
  'IAM.7': {
    title: 'Password policies for IAM users should have strong configurations',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.11': {
    title: 'Ensure IAM password policy requires at least one uppercase letter',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.12': {
    title: 'Ensure IAM password policy requires at least one lowercase letter',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.13': {
    title: 'Ensure IAM password policy requires at least one symbol',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.14': {
    title: 'Ensure IAM password policy requires at least one number',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.15': {
    title: 'Ensure IAM password policy requires minimum password length of 14 or greater',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.16': {
    title: 'Ensure IAM password policy prevents password reuse',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'IAM.17': {
    title: 'Ensure IAM password policy expires passwords within 90 days or less',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'DynamoDB.6': {
    title: 'DynamoDB tables should have deletion protection enabled',
    resourceType: 'AwsDynamoDbTable',
    resourceId: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/example-table`,
  },
  'SQS.1': {
    title: 'Amazon SQS queues should be encrypted at rest',
    resourceType: 'AwsSqsQueue',
    resourceId: `arn:aws:sqs:${REGION}:${ACCOUNT}:example-queue`,
  },
  'SNS.1': {
    title: 'SNS topics should be encrypted at-rest using AWS KMS',
    resourceType: 'AwsSnsTopic',
    resourceId: `arn:aws:sns:${REGION}:${ACCOUNT}:example-topic`,
  },
  'RDS.8': {
    title: 'RDS DB instances should have deletion protection enabled',
    resourceType: 'AwsRdsDbInstance',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:db:example-database`,
  },
  'RDS.2': {
    title:
      'RDS DB Instances should prohibit public access, as determined by the PubliclyAccessible configuration',
    resourceType: 'AwsRdsDbInstance',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:db:example-database`,
  },
  'RDS.13': {
    title: 'RDS automatic minor version upgrades should be enabled',
    resourceType: 'AwsRdsDbInstance',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:db:example-database`,
  },
  'RDS.7': {
    title: 'RDS clusters should have deletion protection enabled',
    resourceType: 'AwsRdsDbCluster',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:example-cluster`,
  },
  'RDS.16': {
    title: 'Aurora DB clusters should be configured to copy tags to DB snapshots',
    resourceType: 'AwsRdsDbCluster',
    resourceId: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:example-cluster`,
  },
  'EC2.2': {
    title: 'VPC default security groups should not allow inbound or outbound traffic',
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: GROUP,
  },
  'EC2.8': {
    title: 'EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)',
    resourceType: 'AwsEc2Instance',
    resourceId: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
  },
  'EC2.15': {
    title: 'EC2 subnets should not automatically assign public IP addresses',
    resourceType: 'AwsEc2Subnet',
    resourceId: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0123456789abcdef0`,
  },
  'EC2.13': {
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22',
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: GROUP,
  },
  'EC2.14': {
    title: 'Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389',
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: GROUP,
  },
  'EC2.19': {
    title: 'Security groups should not allow unrestricted access to ports with high risk',
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: GROUP,
  },
  'EC2.18': {
    title: 'Security groups should only allow unrestricted incoming traffic for authorized ports',
    resourceType: 'AwsEc2SecurityGroup',
    resourceId: GROUP,
  },
  'S3.1': {
    title: 'S3 general purpose buckets should have block public access settings enabled',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'S3.2': {
    title: 'S3 general purpose buckets should block public read access',
    resourceType: 'AwsS3Bucket',
    resourceId: BUCKET,
  },
  'S3.3': {
    title: 'S3 general purpose buckets should block public write access',
    resourceType: 'AwsS3Bucket',
    resourceId: BUCKET,
  },
  'S3.5': {
    title: 'S3 general purpose buckets should require requests to use SSL',
    resourceType: 'AwsS3Bucket',
    resourceId: BUCKET,
  },
  'S3.8': {
    title: 'S3 general purpose buckets should block public access',
    resourceType: 'AwsS3Bucket',
    resourceId: BUCKET,
  },
  'GuardDuty.1': {
    title: 'GuardDuty should be enabled',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'EC2.7': {
    title: 'EBS default encryption should be enabled',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'Lambda.1': {
    title: 'Lambda function policies should prohibit public access',
    resourceType: 'AwsLambdaFunction',
    resourceId: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:example-function`,
  },
  'KMS.4': {
    title: 'AWS KMS key rotation should be enabled',
    resourceType: 'AwsKmsKey',
    resourceId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  },
  'CloudTrail.1': {
    title:
      'CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events',
    resourceType: 'AwsAccount',
    resourceId: `AWS::::Account:${ACCOUNT}`,
  },
  'CloudTrail.4': {
    title: 'CloudTrail log file validation should be enabled',
    resourceType: 'AwsCloudTrailTrail',
    resourceId: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/example-trail`,
  },
};

export { ACCOUNT as REFERENCE_ACCOUNT, REGION as REFERENCE_REGION };
