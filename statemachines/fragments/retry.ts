import { Duration, aws_stepfunctions as sfn } from 'aws-cdk-lib';

/**
 * The Step Functions error names of throttling for an SDK integration. Step Functions names
 * SDK errors `ServiceName.ErrorName` and always appends the `Exception` suffix, even where the
 * service's own code (IAM `Throttling`, EC2 `RequestLimitExceeded`) lacks it.
 */
export function throttlingErrors(service: 'Iam' | 'Ec2' | 'Sns' | 'DynamoDb'): string[] {
  const common = [`${service}.ThrottlingException`, `${service}.TooManyRequestsException`];
  if (service === 'Ec2') return [...common, 'Ec2.RequestLimitExceededException'];
  if (service === 'Iam') return [...common, 'Iam.ServiceFailureException'];
  return common;
}

/** Retry on throttling: exponential backoff with full jitter, so a storm of playbooks spreads out. */
export function retryOnThrottling<T extends sfn.TaskStateBase>(
  task: T,
  service: Parameters<typeof throttlingErrors>[0],
): T {
  task.addRetry({
    errors: throttlingErrors(service),
    interval: Duration.seconds(1),
    maxAttempts: 6,
    backoffRate: 2,
    maxDelay: Duration.seconds(30),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}
