import { aws_iam as iam, aws_stepfunctions as sfn, type aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { UndoActionType } from '#shared/undo/actions.ts';
import { type AwsCallService, awsCall } from '../fragments/aws-call.ts';
import type { ResourceArns } from '../fragments/resource-arns.ts';

/** Where, in a Map item, the action's API request is. */
const REQUEST = '$.action.request';

/** How one reverse call is made: the SDK integration, the request fields it passes, the ARNs it may touch. */
interface ReverseCall {
  readonly service: AwsCallService;
  readonly action: string;
  readonly fields: readonly string[];
  /**
   * Request fields an action may leave out, where leaving out means something no value can say
   * (UpdateAccountPasswordPolicy takes no 0 for "never expire"): one task per combination,
   * chosen by which are present. @default none
   */
  readonly optionalFields?: readonly string[];
  /**
   * Request fields of which an action carries exactly one (the one setting a control names, of a
   * DB instance): one task per field, chosen by which the request holds. @default none
   */
  readonly oneOf?: readonly string[];
  readonly resources: (arns: ResourceArns) => string[];
  /** The IAM action when it is not `<service>:<Action>`. @default derived from the API action */
  readonly iamAction?: string;
  readonly passRole?: boolean;
}

/** Every reverse call, by the plan's action type. */
export const REVERSE_CALLS: Readonly<Record<UndoActionType, ReverseCall>> = {
  UpdateAccessKey: {
    service: 'iam',
    action: 'updateAccessKey',
    fields: ['UserName', 'AccessKeyId', 'Status'],
    resources: (a) => [a.users],
  },
  DeleteUserPolicy: {
    service: 'iam',
    action: 'deleteUserPolicy',
    fields: ['UserName', 'PolicyName'],
    resources: (a) => [a.users],
  },
  UntagUser: {
    service: 'iam',
    action: 'untagUser',
    fields: ['UserName', 'TagKeys'],
    resources: (a) => [a.users],
  },
  DeleteRolePolicy: {
    service: 'iam',
    action: 'deleteRolePolicy',
    fields: ['RoleName', 'PolicyName'],
    resources: (a) => [a.roles],
  },
  AssociateIamInstanceProfile: {
    service: 'ec2',
    action: 'associateIamInstanceProfile',
    fields: ['InstanceId', 'IamInstanceProfile'],
    resources: (a) => [a.instances],
    passRole: true,
  },
  ModifyNetworkInterfaceAttribute: {
    service: 'ec2',
    action: 'modifyNetworkInterfaceAttribute',
    fields: ['NetworkInterfaceId', 'Groups'],
    resources: (a) => [a.networkInterfaces, a.securityGroups, a.instances, a.subnets],
  },
  RegisterTargets: {
    service: 'elasticloadbalancingv2',
    action: 'registerTargets',
    fields: ['TargetGroupArn', 'Targets'],
    resources: (a) => [a.targetGroups],
  },
  AttachInstances: {
    service: 'autoscaling',
    action: 'attachInstances',
    fields: ['AutoScalingGroupName', 'InstanceIds'],
    resources: (a) => [a.autoScalingGroups],
  },
  AuthorizeSecurityGroupIngress: {
    service: 'ec2',
    action: 'authorizeSecurityGroupIngress',
    fields: ['GroupId', 'IpPermissions'],
    resources: (a) => [a.securityGroups],
  },
  AuthorizeSecurityGroupEgress: {
    service: 'ec2',
    action: 'authorizeSecurityGroupEgress',
    fields: ['GroupId', 'IpPermissions'],
    resources: (a) => [a.securityGroups],
  },
  // The API is Put/DeletePublicAccessBlock; S3 authorizes both as s3:PutBucketPublicAccessBlock.
  PutPublicAccessBlock: {
    service: 's3',
    action: 'putPublicAccessBlock',
    fields: ['Bucket', 'PublicAccessBlockConfiguration'],
    resources: (a) => [a.buckets],
    iamAction: 's3:PutBucketPublicAccessBlock',
  },
  DeletePublicAccessBlock: {
    service: 's3',
    action: 'deletePublicAccessBlock',
    fields: ['Bucket'],
    resources: (a) => [a.buckets],
    iamAction: 's3:PutBucketPublicAccessBlock',
  },
  // S3 Control's account-level configuration: no resource-level permissions, and S3 authorizes
  // deleting it as s3:PutAccountPublicAccessBlock too.
  PutAccountPublicAccessBlock: {
    service: 's3control',
    action: 'putPublicAccessBlock',
    fields: ['AccountId', 'PublicAccessBlockConfiguration'],
    resources: () => ['*'],
    iamAction: 's3:PutAccountPublicAccessBlock',
  },
  DeleteAccountPublicAccessBlock: {
    service: 's3control',
    action: 'deletePublicAccessBlock',
    fields: ['AccountId'],
    resources: () => ['*'],
    iamAction: 's3:PutAccountPublicAccessBlock',
  },
  ModifySnapshotAttribute: {
    service: 'ec2',
    action: 'modifySnapshotAttribute',
    fields: ['SnapshotId', 'Attribute', 'CreateVolumePermission'],
    resources: (a) => [a.snapshots],
  },
  ModifyImageAttribute: {
    service: 'ec2',
    action: 'modifyImageAttribute',
    fields: ['ImageId', 'Attribute', 'LaunchPermission'],
    resources: (a) => [a.images],
  },
  ModifyDBSnapshotAttribute: {
    service: 'rds',
    action: 'modifyDBSnapshotAttribute',
    fields: ['DbSnapshotIdentifier', 'AttributeName', 'ValuesToAdd'],
    resources: (a) => [a.dbSnapshots],
  },
  ModifyDBClusterSnapshotAttribute: {
    service: 'rds',
    action: 'modifyDBClusterSnapshotAttribute',
    fields: ['DbClusterSnapshotIdentifier', 'AttributeName', 'ValuesToAdd'],
    resources: (a) => [a.dbClusterSnapshots],
  },
  // An account-and-region setting: the EBS encryption-by-default actions support no resource-level
  // permissions (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
  DisableEbsEncryptionByDefault: {
    service: 'ec2',
    action: 'disableEbsEncryptionByDefault',
    fields: [],
    resources: () => ['*'],
  },
  ModifyInstanceMetadataOptions: {
    service: 'ec2',
    action: 'modifyInstanceMetadataOptions',
    fields: ['InstanceId', 'HttpTokens'],
    resources: (a) => [a.instances],
  },
  DeleteFlowLogs: {
    service: 'ec2',
    action: 'deleteFlowLogs',
    fields: ['FlowLogIds'],
    resources: (a) => [a.flowLogs],
  },
  ModifySubnetAttribute: {
    service: 'ec2',
    action: 'modifySubnetAttribute',
    fields: ['SubnetId', 'MapPublicIpOnLaunch'],
    resources: (a) => [a.subnets],
  },
  DisableKeyRotation: {
    service: 'kms',
    action: 'disableKeyRotation',
    fields: ['KeyId'],
    resources: (a) => [a.kmsKeys],
  },
  // Deactivating a list needs only guardduty:UpdateIPSet; activating one also needs
  // iam:PutRolePolicy and iam:DeleteRolePolicy on the AWSServiceRoleForAmazonGuardDuty role, which
  // this role is not granted: in AWS an undo that activates a list then stops for a person.
  // https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-lists-prerequisites.html
  UpdateIPSet: {
    service: 'guardduty',
    action: 'updateIPSet',
    fields: ['DetectorId', 'IpSetId', 'Activate'],
    resources: (a) => [a.guardDutyIpSets],
  },
  PutFunctionConcurrency: {
    service: 'lambda',
    action: 'putFunctionConcurrency',
    fields: ['FunctionName', 'ReservedConcurrentExecutions'],
    resources: (a) => [a.functions],
  },
  DeleteFunctionConcurrency: {
    service: 'lambda',
    action: 'deleteFunctionConcurrency',
    fields: ['FunctionName'],
    resources: (a) => [a.functions],
  },
  // The API is Put/DeleteBucketPolicy; the undo reads the policy first (./bucket-policy-statement.ts).
  PutBucketPolicy: {
    service: 's3',
    action: 'putBucketPolicy',
    fields: ['Bucket', 'Policy'],
    resources: (a) => [a.buckets],
    iamAction: 's3:PutBucketPolicy',
  },
  DeleteBucketPolicy: {
    service: 's3',
    action: 'deleteBucketPolicy',
    fields: ['Bucket'],
    resources: (a) => [a.buckets],
    iamAction: 's3:DeleteBucketPolicy',
  },
  // remove-public-lambda-access's undo: one task per combination of the conditions present.
  AddPermission: {
    service: 'lambda',
    action: 'addPermission',
    fields: ['FunctionName', 'StatementId', 'Action', 'Principal'],
    optionalFields: [
      'SourceArn',
      'SourceAccount',
      'PrincipalOrgID',
      'FunctionUrlAuthType',
      'InvokedViaFunctionUrl',
    ],
    resources: (a) => [a.functions],
  },
  UpdateAlias: {
    service: 'lambda',
    action: 'updateAlias',
    fields: ['FunctionName', 'Name', 'FunctionVersion'],
    resources: (a) => [a.functions],
  },
  // The account password policy has no resource type: the IAM actions take `*`
  // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
  UpdateAccountPasswordPolicy: {
    service: 'iam',
    action: 'updateAccountPasswordPolicy',
    fields: [
      'MinimumPasswordLength',
      'RequireSymbols',
      'RequireNumbers',
      'RequireUppercaseCharacters',
      'RequireLowercaseCharacters',
      'AllowUsersToChangePassword',
      'HardExpiry',
    ],
    optionalFields: ['MaxPasswordAge', 'PasswordReusePrevention'],
    resources: () => ['*'],
  },
  ModifyDBInstance: {
    service: 'rds',
    action: 'modifyDBInstance',
    // One setting per undo (the one the control names): one task per setting.
    fields: ['DbInstanceIdentifier'],
    oneOf: ['DeletionProtection', 'PubliclyAccessible', 'AutoMinorVersionUpgrade'],
    resources: (a) => [a.dbInstances],
  },
  ModifyDBCluster: {
    service: 'rds',
    action: 'modifyDBCluster',
    fields: ['DbClusterIdentifier', 'ApplyImmediately'],
    oneOf: ['DeletionProtection', 'CopyTagsToSnapshot'],
    resources: (a) => [a.dbClusters],
  },
  UpdateTable: {
    service: 'dynamodb',
    action: 'updateTable',
    fields: ['TableName', 'DeletionProtectionEnabled'],
    resources: (a) => [a.dynamoDbTables],
  },
  SetQueueAttributes: {
    service: 'sqs',
    action: 'setQueueAttributes',
    fields: ['QueueUrl', 'Attributes'],
    resources: (a) => [a.sqsQueues],
  },
  SetTopicAttributes: {
    service: 'sns',
    action: 'setTopicAttributes',
    fields: ['TopicArn', 'AttributeName', 'AttributeValue'],
    resources: (a) => [a.snsTopics],
  },
  DeleteAccountPasswordPolicy: {
    service: 'iam',
    action: 'deleteAccountPasswordPolicy',
    fields: [],
    resources: () => ['*'],
  },
};

/** Every subset of `fields`, the largest first. */
function subsets(fields: readonly string[]): string[][] {
  let all: string[][] = [[]];
  for (const field of fields) all = [...all.map((s) => [...s, field]), ...all];
  return all;
}

/**
 * The SDK integration task of one reverse call, reading its request from the Map item's
 * `action.request`, retried on its service's throttling. The role gets exactly that action. A call
 * with optional fields is one task per combination of them, chosen by which the request holds.
 */
export function reverseCall(
  scope: Construct,
  type: UndoActionType,
  arns: ResourceArns,
  /** Applied to every reverse task built (undo gives each its catch to the needs-human path). */
  wrap: (task: sfn.TaskStateBase) => sfn.TaskStateBase = (task) => task,
): sfn.Chain {
  const call = REVERSE_CALLS[type];
  if (call.oneOf?.length) {
    const choice = new sfn.Choice(scope, `${type} setting?`);
    for (const field of call.oneOf)
      choice.when(
        sfn.Condition.isPresent(`${REQUEST}.${field}`),
        wrap(reverseTask(scope, type, arns, [...call.fields, field], ` ${field}`)),
      );
    return choice.afterwards();
  }
  if (!call.optionalFields?.length)
    return sfn.Chain.start(wrap(reverseTask(scope, type, arns, call.fields, '')));
  const choice = new sfn.Choice(scope, `${type} fields?`);
  const combinations = subsets(call.optionalFields);
  for (const present of combinations) {
    const absent = call.optionalFields.filter((f) => !present.includes(f));
    // Step Functions state names are at most 80 characters: name the shorter list.
    const without = absent.length ? ` without ${absent.join(', ')}` : '';
    const suffix =
      `Undo ${type}${without}`.length <= 80
        ? without
        : ` with ${present.length ? present.join(', ') : 'no optional member'}`;
    const task = wrap(reverseTask(scope, type, arns, [...call.fields, ...present], suffix));
    const conditions = [
      ...present.map((f) => sfn.Condition.isPresent(`${REQUEST}.${f}`)),
      ...absent.map((f) => sfn.Condition.isNotPresent(`${REQUEST}.${f}`)),
    ];
    choice.when(
      conditions.length === 1 ? (conditions[0] as sfn.Condition) : sfn.Condition.and(...conditions),
      task,
    );
  }
  return choice.afterwards();
}

function reverseTask(
  scope: Construct,
  type: UndoActionType,
  arns: ResourceArns,
  fields: readonly string[],
  suffix: string,
): tasks.CallAwsService {
  const call = REVERSE_CALLS[type];
  const parameters = Object.fromEntries(fields.map((field) => [`${field}.$`, `${REQUEST}.${field}`]));
  return awsCall(scope, `Undo ${type}${suffix}`, {
    service: call.service,
    action: call.action,
    iamAction: call.iamAction,
    parameters,
    iamResources: call.resources(arns),
    // Associating a profile passes its role to EC2: only roles, and only to EC2.
    additionalIamStatements: call.passRole
      ? [
          new iam.PolicyStatement({
            actions: ['iam:PassRole'],
            resources: [arns.roles],
            conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
          }),
        ]
      : undefined,
  });
}
