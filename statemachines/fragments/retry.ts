import { Duration, aws_stepfunctions as sfn } from 'aws-cdk-lib';

/**
 * The Step Functions error names worth retrying, per integration. AWS SDK integrations name an
 * error `<Service>.<ErrorName>Exception` when the service model declares it, and
 * `<Service>.<Service>Exception` when it does not. IAM's `Throttling` and every EC2 error
 * (the EC2 model declares none) are undeclared, so they surface as `Iam.IamException` and
 * `Ec2.Ec2Exception`; these also cover AccessDenied, which is why attempts are bounded.
 * The optimized DynamoDB and SNS integrations use the `DynamoDB.` and `SNS.` prefixes.
 */
export const RETRYABLE_ERRORS = {
  Iam: ['Iam.IamException', 'Iam.ServiceFailureException'],
  Ec2: ['Ec2.Ec2Exception'],
  // Neither model declares throttling (`Throttling`), so it surfaces as the generic exception.
  // ResourceContention: another update to the same group is in flight; it clears by itself.
  AutoScaling: ['AutoScaling.AutoScalingException', 'AutoScaling.ResourceContentionFaultException'],
  ElasticLoadBalancingV2: ['ElasticLoadBalancingV2.ElasticLoadBalancingV2Exception'],
  // CloudTrail declares ThrottlingException; its other transient faults are undeclared.
  CloudTrail: ['CloudTrail.ThrottlingException', 'CloudTrail.CloudTrailException'],
  // AWS Config's model declares no throttling error: it surfaces as the generic exception.
  Config: ['Config.ConfigException'],
  // GuardDuty declares BadRequest and InternalServerError only: throttling is undeclared.
  GuardDuty: ['GuardDuty.InternalServerErrorException', 'GuardDuty.GuardDutyException'],
  // S3's model declares neither SlowDown nor InternalError: both surface as `S3.S3Exception`.
  S3: ['S3.S3Exception'],
  // S3 Control's model declares no throttling error either.
  S3Control: ['S3Control.S3ControlException'],
  DynamoDb: [
    'DynamoDB.ProvisionedThroughputExceededException',
    'DynamoDB.ThrottlingException',
    'DynamoDB.RequestLimitExceeded',
    'DynamoDB.InternalServerErrorException',
    // The optimized integration names errors after the API's error code, which for a 500 is
    // `InternalServerError` (no `Exception` suffix): found by the fault matrix.
    'DynamoDB.InternalServerError',
  ],
  Sns: ['SNS.ThrottledException', 'SNS.InternalErrorException'],
  // RDS declares no throttling error (`Throttling`): it surfaces as the generic exception.
  Rds: ['Rds.RdsException'],
  // KMS's model does not declare throttling (ThrottlingException): it surfaces as the generic exception.
  Kms: ['Kms.KmsException', 'Kms.DependencyTimeoutException'],
  // Lambda's model declares both: TooManyRequestsException (throttling) and ServiceException (500).
  Lambda: ['Lambda.TooManyRequestsException', 'Lambda.ServiceException'],
  // ECS declares ServerException (500); its throttling (ThrottlingException) is undeclared.
  Ecs: ['Ecs.ServerException', 'Ecs.EcsException'],
  // The AWS SDK integrations of DynamoDB and SNS use the `DynamoDb.` and `Sns.` prefixes (the
  // optimized ones above, `DynamoDB.` and `SNS.`). Both models declare their throttling errors.
  DynamoDbApi: [
    'DynamoDb.ThrottlingException',
    'DynamoDb.LimitExceededException',
    'DynamoDb.InternalServerErrorException',
  ],
  SnsApi: ['Sns.ThrottledException', 'Sns.InternalErrorException'],
  // SQS declares RequestThrottled; its internal errors are undeclared (the generic exception).
  Sqs: ['Sqs.RequestThrottledException', 'Sqs.SqsException'],
  // Step Functions' throttling is undeclared; ExecutionLimitExceeded clears as executions finish.
  Sfn: ['Sfn.SfnException', 'Sfn.ExecutionLimitExceededException'],
} as const satisfies Record<string, readonly string[]>;

/** Retry throttling and transient faults: exponential backoff with full jitter, so a storm of playbooks spreads out. */
export function retryOnThrottling<T extends sfn.TaskStateBase>(
  task: T,
  service: keyof typeof RETRYABLE_ERRORS,
): T {
  task.addRetry({
    errors: [...RETRYABLE_ERRORS[service]],
    interval: Duration.seconds(1),
    maxAttempts: 4,
    backoffRate: 2,
    maxDelay: Duration.seconds(20),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
