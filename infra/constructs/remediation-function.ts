import {
  Duration,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
  aws_sqs as sqs,
  Validations,
} from 'aws-cdk-lib';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLE } from '../bundling/lambda-bundle.ts';
import { sdkAliases } from '../bundling/sdk-aliases.ts';

/** Props of {@link RemediationFunction}: the handler and what differs per function; everything else is fixed. */
export interface RemediationFunctionProps {
  /** Path of the handler module (`functions/<name>/handler.ts`). */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Environment variables. @default {} */
  readonly environment?: Record<string, string>;
  /** Values replaced at bundle time (esbuild `define`), e.g. the baked policy. @default {} */
  readonly define?: Record<string, string>;
  /** @default Duration.seconds(15) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Concurrency reserved for (and capping) the function. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Whether something invokes the function asynchronously (an EventBridge rule does). Only then
   * does it get a dead-letter queue: Lambda sends an event there only after the retries of an
   * asynchronous invocation; a synchronous caller gets the error itself
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
   * @default false
   */
  readonly invokedAsynchronously?: boolean;
  /** A fixed name for the execution role, so member accounts can trust it. @default generated */
  readonly roleName?: string;
}

/**
 * The one Lambda construct: nodejs22.x on arm64, ESM, minified, with the SDK v3 clients bundled
 * (no dependence on the runtime's copy), X-Ray tracing, a retained log group, and, for a function
 * invoked asynchronously, an encrypted dead-letter queue. Functions never repeat these defaults.
 */
export class RemediationFunction extends NodejsFunction {
  /** Where failed asynchronous invocations end up after Lambda's retries; only with `invokedAsynchronously`. */
  public readonly asyncFailureQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: RemediationFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deadLetterQueue = props.invokedAsynchronously
      ? new sqs.Queue(scope, `${id}Dlq`, {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        })
      : undefined;
    // Our own role instead of the managed AWSLambdaBasicExecutionRole: logs go to this
    // function's log group only, not to any log group in the account.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
      roleName: props.roleName,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    if (deadLetterQueue)
      acknowledgeDeadLetterQueue(deadLetterQueue, `failed asynchronous invocations of ${id}`);
    const fnProps: NodejsFunctionProps = {
      role,
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      deadLetterQueue,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: false,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        // Bundle the SDK v3 clients instead of relying on the runtime's copy: versions are pinned
        // by our lock file (the sandbox tests run the very code that ships) and cold start loads
        // only what is used. Measured (bench/bundles.ts, BENCHMARKS.md "Bundles"): with the SDK
        // external a bundle is 60-160 KB but its import takes several times longer, loading the
        // SDK's many CommonJS files; bundled it is 280-520 KB in one minified file.
        externalModules: [],
        banner: LAMBDA_BUNDLE.banner,
        define: props.define ?? {},
        // Credentials from the environment only, and one copy of @smithy/core (sdk-aliases.ts).
        esbuildArgs: Object.fromEntries(
          Object.entries(sdkAliases()).map(([from, to]) => [`--alias:${from}`, to]),
        ),
      },
    };
    super(scope, id, fnProps);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'The deploy target is fixed at nodejs22.x (arm64), the runtime the bundles are built and tested for.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'The deploy target is fixed at nodejs22.x (arm64), the runtime the bundles are built and tested for.',
      },
    );
    if (!deadLetterQueue) {
      Validations.of(this).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously only (a Step Functions task, a function URL): the caller gets the error and handles it. Lambda sends to a dead-letter queue only after the retries of an asynchronous invocation, so one here would stay empty.',
      });
    }
    this.asyncFailureQueue = deadLetterQueue;
  }
}

/** A queue that is itself a dead-letter queue needs no DLQ or redrive policy of its own. */
export function acknowledgeDeadLetterQueue(queue: sqs.Queue, holds: string): void {
  Validations.of(queue).acknowledge(
    {
      id: 'AwsSolutions-SQS3',
      reason: `This queue is a dead-letter queue: it holds ${holds} for inspection.`,
    },
    {
      id: 'Serverless-SQSRedrivePolicy',
      reason: `This queue is a dead-letter queue (${holds}); messages stay 14 days for inspection and are not redriven automatically.`,
    },
  );
}
