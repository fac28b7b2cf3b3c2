import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The resource ARN patterns of the stack's account and region that playbook calls are scoped to:
 * one pattern per resource type, so least privilege is "this action on this type, here". IAM
 * and S3 ARNs carry no region (S3 none of account either); EC2 snapshots and public images carry
 * no account.
 */
export interface ResourceArns {
  readonly users: string;
  readonly roles: string;
  readonly instanceProfiles: string;
  readonly instances: string;
  readonly volumes: string;
  readonly snapshots: string;
  readonly images: string;
  readonly replaceRootVolumeTasks: string;
  readonly networkInterfaces: string;
  readonly securityGroups: string;
  readonly subnets: string;
  readonly vpcs: string;
  /** vpc-flow-log/<id>: a VPC flow log. */
  readonly flowLogs: string;
  readonly targetGroups: string;
  readonly autoScalingGroups: string;
  readonly buckets: string;
  readonly trails: string;
  /** configuration-recorder/<name>/<id>: the name is known, the id is not. */
  readonly configRecorders: string;
  /** detector/<id>: a GuardDuty detector. */
  readonly guardDutyDetectors: string;
  /** detector/<id>/ipset/<id>: a GuardDuty trusted IP list. */
  readonly guardDutyIpSets: string;
  readonly dbSnapshots: string;
  readonly dbClusterSnapshots: string;
  readonly dbInstances: string;
  /** cluster:<identifier>: an RDS DB cluster (Aurora or Multi-AZ). */
  readonly dbClusters: string;
  readonly kmsKeys: string;
  readonly functions: string;
  /** task/<cluster>/<id>, or task/<id> in the old ARN format: `*` covers both. */
  readonly ecsTasks: string;
  /** table/<name>: a DynamoDB table. */
  readonly dynamoDbTables: string;
  /** <name>: an SQS queue (its ARN has no resource type). */
  readonly sqsQueues: string;
  /** <name>: an SNS topic (its ARN has no resource type). */
  readonly snsTopics: string;
}

/** The patterns of `scope`'s stack. */
export function resourceArns(scope: Construct): ResourceArns {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName = '*', region?: string, account?: string) =>
    stack.formatArn({ service, resource, resourceName, region, account });
  return {
    users: arn('iam', 'user', '*', ''),
    roles: arn('iam', 'role', '*', ''),
    instanceProfiles: arn('iam', 'instance-profile', '*', ''),
    instances: arn('ec2', 'instance'),
    volumes: arn('ec2', 'volume'),
    // arn:aws:ec2:<region>::snapshot/<id> and ::image/<id>: EC2 leaves the account empty.
    snapshots: arn('ec2', 'snapshot', '*', undefined, ''),
    images: arn('ec2', 'image', '*', undefined, ''),
    replaceRootVolumeTasks: arn('ec2', 'replace-root-volume-task'),
    networkInterfaces: arn('ec2', 'network-interface'),
    securityGroups: arn('ec2', 'security-group'),
    subnets: arn('ec2', 'subnet'),
    vpcs: arn('ec2', 'vpc'),
    flowLogs: arn('ec2', 'vpc-flow-log'),
    targetGroups: arn('elasticloadbalancing', 'targetgroup', '*/*'),
    // autoScalingGroup:<uuid>:autoScalingGroupName/<name>: the name is known, the uuid is not.
    autoScalingGroups: stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: '*:autoScalingGroupName/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    buckets: stack.formatArn({ service: 's3', region: '', account: '', resource: '*' }),
    trails: arn('cloudtrail', 'trail'),
    configRecorders: arn('config', 'configuration-recorder'),
    guardDutyDetectors: arn('guardduty', 'detector'),
    guardDutyIpSets: arn('guardduty', 'detector', '*/ipset/*'),
    dbSnapshots: stack.formatArn({
      service: 'rds',
      resource: 'snapshot',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    dbClusterSnapshots: stack.formatArn({
      service: 'rds',
      resource: 'cluster-snapshot',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    dbInstances: stack.formatArn({
      service: 'rds',
      resource: 'db',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    dbClusters: stack.formatArn({
      service: 'rds',
      resource: 'cluster',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    kmsKeys: arn('kms', 'key'),
    functions: stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    ecsTasks: arn('ecs', 'task'),
    dynamoDbTables: arn('dynamodb', 'table'),
    sqsQueues: stack.formatArn({ service: 'sqs', resource: '*' }),
    snsTopics: stack.formatArn({ service: 'sns', resource: '*' }),
  };
}
