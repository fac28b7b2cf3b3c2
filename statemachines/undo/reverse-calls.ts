import {
  ArnFormat,
  aws_iam as iam,
  Stack,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { UndoActionType } from '#shared/undo/actions.ts';
import { type AwsCallService, awsCall } from '../fragments/aws-call.ts';
import { memberCredentials } from '../fragments/member-credentials.ts';
import { retryOnThrottling } from '../fragments/retry.ts';

/** Where, in a Map item, the action's API request is. */
const REQUEST = '$.action.request';

/** How one reverse call is made: the SDK integration, the request fields it passes, the ARNs it may touch. */
interface ReverseCall {
  readonly service: AwsCallService | 's3';
  readonly action: string;
  readonly fields: readonly string[];
  readonly resources: (arns: ReverseCallArns) => string[];
  /** The IAM action when it is not `<service>:<Action>`. @default derived from the API action */
  readonly iamAction?: string;
  readonly passRole?: boolean;
}

/** The resource ARN patterns of this account and region that reverse calls are scoped to. */
export interface ReverseCallArns {
  readonly users: string;
  readonly roles: string;
  readonly instances: string;
  readonly networkInterfaces: string;
  readonly securityGroups: string;
  readonly subnets: string;
  readonly targetGroups: string;
  readonly autoScalingGroups: string;
  readonly buckets: string;
  readonly functions: string;
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
  UpdateAlias: {
    service: 'lambda',
    action: 'updateAlias',
    fields: ['FunctionName', 'Name', 'FunctionVersion'],
    resources: (a) => [a.functions],
  },
};

/** The ARN patterns of the stack's account and region (IAM and S3 ARNs carry no region). */
export function reverseCallArns(scope: Construct): ReverseCallArns {
  const stack = Stack.of(scope);
  const arn = (service: string, resource: string, resourceName = '*', region?: string, account?: string) =>
    stack.formatArn({ service, resource, resourceName, region, account });
  return {
    users: arn('iam', 'user', '*', ''),
    roles: arn('iam', 'role', '*', ''),
    instances: arn('ec2', 'instance'),
    networkInterfaces: arn('ec2', 'network-interface'),
    securityGroups: arn('ec2', 'security-group'),
    subnets: arn('ec2', 'subnet'),
    targetGroups: arn('elasticloadbalancing', 'targetgroup', '*/*'),
    autoScalingGroups: stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: '*:autoScalingGroupName/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    buckets: stack.formatArn({ service: 's3', region: '', account: '', resource: '*' }),
    functions: stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
  };
}

/**
 * The SDK integration task of one reverse call, reading its request from the Map item's
 * `action.request`, retried on its service's throttling. The role gets exactly that action.
 */
export function reverseCall(
  scope: Construct,
  type: UndoActionType,
  arns: ReverseCallArns,
): tasks.CallAwsService {
  const call = REVERSE_CALLS[type];
  const parameters = Object.fromEntries(call.fields.map((field) => [`${field}.$`, `${REQUEST}.${field}`]));
  const id = `Undo ${type}`;
  if (call.service === 's3') {
    const task = new tasks.CallAwsService(scope, id, {
      service: 's3',
      action: call.action,
      iamAction: call.iamAction,
      parameters,
      iamResources: call.resources(arns),
      resultPath: sfn.JsonPath.DISCARD,
      credentials: memberCredentials(scope),
    });
    return retryOnThrottling(task, 'S3');
  }
  return awsCall(scope, id, {
    service: call.service,
    action: call.action,
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
