import type { NormalizedSchema } from '@smithy/core/schema';
import { allStates, type Definition } from './assemblies.ts';

/**
 * The SDK-integration and optimized-integration tasks of state machine definitions, and the AWS
 * SDK v3 operation schemas they are checked against (each `@aws-sdk/client-*` package carries
 * them, generated from AWS's API models). Step Functions' tasks take the API's member names in
 * PascalCase, even where the service's own API is camelCase (Step Functions itself:
 * `StateMachineArn`), and answer in PascalCase
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */

/** A model member's name as Step Functions spells it. */
// A leading `DB` as the AWS SDK for Java 2.x writes it, `Db` (RDS's `DBSnapshotIdentifier` is
// `DbSnapshotIdentifier` in a task).
export const pascal = (name: string) =>
  name.replace(/^./, (c) => c.toUpperCase()).replace(/^DB(?=[A-Z])/, 'Db');

/** A member's model name and schema, by its Step Functions spelling. */
export function memberByPascalName(
  schema: NormalizedSchema,
  name: string,
): { model: string; schema: NormalizedSchema } | undefined {
  const model = Object.keys(schema.getMemberSchemas()).find((m) => pascal(m) === name);
  return model === undefined ? undefined : { model, schema: schema.getMemberSchema(model) };
}

/**
 * The SDK package of each service name Step Functions' integrations use. The outside check's own
 * map (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html names the
 * services): the names are not derivable from the packages without exceptions (AWS Config is
 * `config` to Step Functions, "Config Service" to the SDK). Keyed by service, not by playbook: only
 * a playbook that brings a new AWS service adds a line, with its client package.
 */
export const PACKAGES: Record<string, string> = {
  autoscaling: 'client-auto-scaling',
  cloudtrail: 'client-cloudtrail',
  config: 'client-config-service',
  dynamodb: 'client-dynamodb',
  ec2: 'client-ec2',
  ecs: 'client-ecs',
  guardduty: 'client-guardduty',
  rds: 'client-rds',
  elasticloadbalancingv2: 'client-elastic-load-balancing-v2',
  iam: 'client-iam',
  kms: 'client-kms',
  lambda: 'client-lambda',
  s3: 'client-s3',
  s3control: 'client-s3-control',
  sfn: 'client-sfn',
  sns: 'client-sns',
  sqs: 'client-sqs',
  sts: 'client-sts',
  secretsmanager: 'client-secrets-manager',
};

/** Optimized integrations whose parameters are the API's (`lambda:invoke` names Invoke). */
export const OPTIMIZED: Record<string, { service: string; operation: string }> = {
  'lambda:invoke': { service: 'lambda', operation: 'Invoke' },
  'sns:publish': { service: 'sns', operation: 'Publish' },
  'dynamodb:putItem': { service: 'dynamodb', operation: 'PutItem' },
  'dynamodb:getItem': { service: 'dynamodb', operation: 'GetItem' },
  'dynamodb:updateItem': { service: 'dynamodb', operation: 'UpdateItem' },
  'states:startExecution': { service: 'sfn', operation: 'StartExecution' },
};

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];
export type OperationSchema = [number, string, string, number, () => SchemaRef, () => SchemaRef];

/** An operation's schema (input at 4, output at 5), or undefined when the service has none of that name. */
export async function operation(service: string, name: string): Promise<OperationSchema | undefined> {
  const pkg = PACKAGES[service];
  if (!pkg) throw new Error(`no SDK package known for ${service}`);
  const schemas = (await import(`@aws-sdk/${pkg}/dist-es/schemas/schemas_0.js`)) as Record<string, unknown>;
  return schemas[`${name}$`] as OperationSchema | undefined;
}

/** One integration task of a definition. */
export interface Task {
  where: string;
  /** The Step Functions service name (`elasticloadbalancingv2`, `sfn`). */
  service: string;
  /** The API operation, PascalCase. */
  operation: string;
  /** `true` for `aws-sdk:` tasks, `false` for optimized integrations. */
  sdk: boolean;
  parameters: unknown;
  resultSelector: unknown;
  state: Record<string, unknown>;
}

/** Every integration task of the definitions, with its operation. */
export function integrationTasks(definitions: Definition[]): Task[] {
  return definitions.flatMap(({ label, definition }) =>
    allStates(definition).flatMap(([name, state]): Task[] => {
      const resource = typeof state.Resource === 'string' ? state.Resource : '';
      const integration = /^arn:aws[\w-]*:states:::(.+?)(\.waitForTaskToken|\.sync(:2)?)?$/.exec(
        resource,
      )?.[1];
      if (state.Type !== 'Task' || !integration) return [];
      const sdk = /^aws-sdk:([a-z0-9]+):(\w+)$/.exec(integration);
      const target = sdk
        ? { service: sdk[1] as string, operation: pascal(sdk[2] as string) }
        : OPTIMIZED[integration];
      if (!target) throw new Error(`${label}/${name}: integration ${integration} has no model mapping here`);
      return [
        {
          where: `${label}/${name}`,
          ...target,
          sdk: sdk !== null,
          parameters: state.Arguments ?? state.Parameters ?? {},
          resultSelector: state.ResultSelector,
          state,
        },
      ];
    }),
  );
}
