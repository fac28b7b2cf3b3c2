import {
  type aws_iam as iam,
  aws_stepfunctions as sfn,
  type aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MemberAwsCall, memberCredentials } from './member-credentials.ts';
import { type RETRYABLE_ERRORS, retryOnThrottling } from './retry.ts';

/** The SDK integration services playbooks call, with the retry family of each. */
const RETRY_FAMILY = {
  ec2: 'Ec2',
  iam: 'Iam',
  autoscaling: 'AutoScaling',
  elasticloadbalancingv2: 'ElasticLoadBalancingV2',
  cloudtrail: 'CloudTrail',
  config: 'Config',
  guardduty: 'GuardDuty',
  s3: 'S3',
  s3control: 'S3Control',
  rds: 'Rds',
  kms: 'Kms',
  lambda: 'Lambda',
  ecs: 'Ecs',
  dynamodb: 'DynamoDbApi',
  sqs: 'Sqs',
  sns: 'SnsApi',
} as const satisfies Record<string, keyof typeof RETRYABLE_ERRORS>;

/** A service name as Step Functions' `arn:aws:states:::aws-sdk:<service>:<action>` spells it. */
export type AwsCallService = keyof typeof RETRY_FAMILY;

/** One SDK integration call: what to call, with what, and on which resources the role may call it. */
export interface AwsCallProps {
  readonly service: AwsCallService;
  /** The API action in camelCase, e.g. `modifyInstanceAttribute`. */
  readonly action: string;
  /** The IAM action when it is not `<service>:<Action>`. @default derived from the API action */
  readonly iamAction?: string;
  /** The request, PascalCase, with `.$` keys for JSONPath values. @default {} */
  readonly parameters?: Record<string, unknown>;
  /** The ARNs the role may call the action on; `['*']` only for actions without resource-level permissions. */
  readonly iamResources: string[];
  /** @default sfn.JsonPath.DISCARD (the call's response is not kept) */
  readonly resultPath?: string;
  /** @default the whole response */
  readonly resultSelector?: Record<string, unknown>;
  /** What the state hands on, e.g. one record of a Map iteration. @default the whole state */
  readonly outputPath?: string;
  /** Extra permissions the call needs, e.g. `ec2:CreateTags` for tag-on-create. @default none */
  readonly additionalIamStatements?: iam.PolicyStatement[];
}

/**
 * An AWS SDK integration task retried on its service's throttling errors. The role gets exactly
 * the called action on `iamResources`, so a playbook's permissions are the sum of its calls.
 */
export function awsCall(scope: Construct, id: string, props: AwsCallProps): tasks.CallAwsService {
  const task = new MemberAwsCall(scope, id, {
    service: props.service,
    action: props.action,
    iamAction: props.iamAction,
    parameters: props.parameters ?? {},
    iamResources: props.iamResources,
    resultPath: props.resultPath ?? sfn.JsonPath.DISCARD,
    resultSelector: props.resultSelector,
    outputPath: props.outputPath,
    additionalIamStatements: props.additionalIamStatements,
    credentials: memberCredentials(scope),
  });
  return retryOnThrottling(task, RETRY_FAMILY[props.service]);
}
