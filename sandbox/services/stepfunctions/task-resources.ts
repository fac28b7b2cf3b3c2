/**
 * Task `Resource` ARNs the sandbox serves, parsed into what a handler needs. The shapes follow the
 * Step Functions service integration references: AWS SDK integrations
 * (`arn:aws:states:::aws-sdk:<service>:<action>`), the optimized integrations for DynamoDB, SNS,
 * Lambda and EventBridge, and a Lambda function ARN used directly as the resource.
 */

/** How a Task's resource is served. */
export type TaskIntegration = 'aws-sdk' | 'dynamodb' | 'sns' | 'events' | 'lambda-invoke' | 'lambda-function';

/** A parsed Task resource. */
export interface TaskResource {
  readonly arn: string;
  readonly integration: TaskIntegration;
  /** The SDK service name the call goes to: `iam`, `dynamodb`, `sns`, `eventbridge`, `lambda`. */
  readonly service: string;
  /** The API action in camelCase, e.g. `updateAccessKey`, `putItem`, `invoke`. */
  readonly action: string;
  /** `.waitForTaskToken`: pause until SendTaskSuccess or SendTaskFailure with the task's token. */
  readonly waitForTaskToken: boolean;
  /** `resourceType` of the task's history events, e.g. `aws-sdk:iam`, `dynamodb`, `lambda`. */
  readonly resourceType: string;
  /** `resource` of the task's history events, e.g. `updateAccessKey`, `publish.waitForTaskToken`. */
  readonly resourceName: string;
}

const SERVICE_INTEGRATION =
  /^arn:aws[a-z-]*:states:::(aws-sdk:)?([a-z0-9]+):([A-Za-z0-9]+)(?:\.(waitForTaskToken))?$/;
const LAMBDA_FUNCTION =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;

/** The optimized integrations served, by service, with the actions each supports. */
const OPTIMIZED: Record<
  string,
  { integration: TaskIntegration; sdkService: string; actions: readonly string[] }
> = {
  dynamodb: {
    integration: 'dynamodb',
    sdkService: 'dynamodb',
    actions: ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query'],
  },
  sns: { integration: 'sns', sdkService: 'sns', actions: ['publish'] },
  lambda: { integration: 'lambda-invoke', sdkService: 'lambda', actions: ['invoke'] },
  events: { integration: 'events', sdkService: 'eventbridge', actions: ['putEvents'] },
};

/** Parse a Task resource; undefined when the sandbox does not serve it. */
export function parseTaskResource(arn: string): TaskResource | undefined {
  if (LAMBDA_FUNCTION.test(arn)) {
    return {
      arn,
      integration: 'lambda-function',
      service: 'lambda',
      action: 'invoke',
      waitForTaskToken: false,
      resourceType: 'lambda',
      resourceName: arn,
    };
  }
  const match = SERVICE_INTEGRATION.exec(arn);
  if (!match) return undefined;
  const [, sdkPrefix, service = '', action = '', pattern] = match;
  const waitForTaskToken = pattern === 'waitForTaskToken';
  const resourceName = waitForTaskToken ? `${action}.waitForTaskToken` : action;
  if (sdkPrefix) {
    return {
      arn,
      integration: 'aws-sdk',
      service,
      action,
      waitForTaskToken,
      resourceType: `aws-sdk:${service}`,
      resourceName,
    };
  }
  const optimized = OPTIMIZED[service];
  if (!optimized?.actions.includes(action)) return undefined;
  return {
    arn,
    integration: optimized.integration,
    service: optimized.sdkService,
    action,
    waitForTaskToken,
    resourceType: service,
    resourceName,
  };
}
