import type { TaskIntegration } from './task-resources.ts';

/**
 * A task failure as Step Functions reports it: `name` is the error name Retry and Catch match on,
 * `message` the cause. The library reads both, so no `cause` property is set (it would replace
 * the message in the library's events).
 */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** `States.Runtime`: a failure Retry and Catch cannot handle (the library reads these two flags). */
export class TaskRuntimeError extends TaskError {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}

/** The fields of an AWS SDK v3 service error the naming rules use. */
interface SdkErrorLike {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function asSdkError(error: unknown): SdkErrorLike | undefined {
  if (!(error instanceof Error)) return undefined;
  const metadata = (error as Partial<SdkErrorLike>).$metadata;
  return metadata?.httpStatusCode ? (error as SdkErrorLike) : undefined;
}

function withExceptionSuffix(name: string): string {
  return name.endsWith('Exception') ? name : `${name}Exception`;
}

/**
 * The error name of an AWS SDK integration failure. Step Functions documents the rule as
 * `ServiceName.ErrorName`, both in PascalCase, the service part being the integration's "exception
 * prefix" (`Iam`, `Ec2`, `DynamoDb`), and the error part always ending in `Exception`, even where the
 * service's own code lacks it: S3's `BucketAlreadyExists` is caught as `S3.BucketAlreadyExistsException`.
 * An error the service model does not declare (IAM's `Throttling` and `AccessDenied`; every EC2
 * error, since EC2's model declares none) surfaces as the service's generic exception,
 * `Iam.IamException`, `Ec2.Ec2Exception`, with the service's message in the cause.
 */
export function sdkIntegrationErrorName(prefix: string, errorName: string, modelled: boolean): string {
  return modelled ? `${prefix}.${withExceptionSuffix(errorName)}` : `${prefix}.${prefix}Exception`;
}

/**
 * The task error for a failed AWS SDK integration call. The cause reads as Step Functions writes
 * it: the service's message, then `(Service: <prefix>, Status Code: <n>, Request ID: <id>)`.
 */
export function sdkIntegrationError(prefix: string, error: unknown, modelled: boolean): TaskError {
  const sdkError = asSdkError(error);
  if (!sdkError)
    return new TaskError(`${prefix}.SdkClientException`, String((error as Error)?.message ?? error));
  const { httpStatusCode, requestId } = sdkError.$metadata ?? {};
  return new TaskError(
    sdkIntegrationErrorName(prefix, sdkError.name, modelled),
    `${sdkError.message} (Service: ${prefix}, Status Code: ${httpStatusCode}, Request ID: ${requestId})`,
  );
}

/** How the optimized integrations name errors: prefix, service name in the cause, fallback error. */
const OPTIMIZED_ERRORS: Partial<
  Record<TaskIntegration, { prefix: string; service: string; fallback: string; suffix: boolean }>
> = {
  dynamodb: {
    prefix: 'DynamoDB',
    service: 'AmazonDynamoDBv2',
    fallback: 'AmazonDynamoDBException',
    suffix: false,
  },
  sns: { prefix: 'SNS', service: 'AmazonSNS', fallback: 'AmazonSNSException', suffix: true },
  'lambda-invoke': { prefix: 'Lambda', service: 'AWSLambda', fallback: 'SdkClientException', suffix: true },
  'lambda-function': { prefix: 'Lambda', service: 'AWSLambda', fallback: 'SdkClientException', suffix: true },
  events: {
    prefix: 'EventBridge',
    service: 'AmazonEventBridge',
    fallback: 'AmazonEventBridgeException',
    suffix: true,
  },
};

/**
 * The task error for a failed optimized-integration call (`dynamodb:putItem`, `sns:publish`,
 * `lambda:invoke`, `events:putEvents`): the service's error code behind the integration's own prefix,
 * `DynamoDB.ConditionalCheckFailedException`, `SNS.NotFoundException`,
 * `Lambda.ResourceNotFoundException`; the cause in the Java SDK v1 form those integrations use.
 */
export function optimizedIntegrationError(integration: TaskIntegration, error: unknown): TaskError {
  const naming = OPTIMIZED_ERRORS[integration];
  if (!naming) return new TaskError('States.TaskFailed', String((error as Error)?.message ?? error));
  const sdkError = asSdkError(error);
  if (!sdkError) {
    return new TaskError(`${naming.prefix}.${naming.fallback}`, String((error as Error)?.message ?? error));
  }
  const code = naming.suffix ? withExceptionSuffix(sdkError.name) : sdkError.name;
  const { httpStatusCode, requestId } = sdkError.$metadata ?? {};
  const details = [
    `Service: ${naming.service}`,
    `Status Code: ${httpStatusCode}`,
    `Error Code: ${sdkError.name}`,
    `Request ID: ${requestId}`,
    'Proxy: null',
  ].join('; ');
  return new TaskError(`${naming.prefix}.${code}`, `${sdkError.message} (${details})`);
}
