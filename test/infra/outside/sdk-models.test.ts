import { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it } from 'vitest';
import { allStates, resolvedStacks, stateMachineDefinitions } from './assemblies.ts';

/**
 * Every SDK-integration and optimized-integration task of both modes, checked against the AWS SDK
 * v3's own operation schemas (each `@aws-sdk/client-*` package carries them, generated from AWS's
 * API models): the operation exists, every parameter names a member with its exact case, the
 * required members are there, and every path a ResultSelector reads exists in the output.
 * Step Functions' tasks take the API's member names in PascalCase, even where the service's own
 * API is camelCase (Step Functions itself: `StateMachineArn`), and answer in PascalCase
 * (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */

/** A model member's name as Step Functions spells it. */
const pascal = (name: string) => name.replace(/^./, (c) => c.toUpperCase());

/** A member's schema by its Step Functions spelling. */
function memberByPascalName(schema: NormalizedSchema, name: string): NormalizedSchema | undefined {
  const model = Object.keys(schema.getMemberSchemas()).find((m) => pascal(m) === name);
  return model === undefined ? undefined : schema.getMemberSchema(model);
}

/**
 * Members of optimized integrations that take any JSON, which Step Functions serializes: the
 * function's `Payload` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html)
 * and the topic's `Message` (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html).
 */
const JSON_MEMBERS = new Set(['Payload', 'Message']);

/** The SDK package of each service name Step Functions' integrations use. */
const PACKAGES: Record<string, string> = {
  autoscaling: 'client-auto-scaling',
  cloudtrail: 'client-cloudtrail',
  dynamodb: 'client-dynamodb',
  ec2: 'client-ec2',
  elasticloadbalancingv2: 'client-elastic-load-balancing-v2',
  iam: 'client-iam',
  kms: 'client-kms',
  lambda: 'client-lambda',
  s3: 'client-s3',
  sfn: 'client-sfn',
  sns: 'client-sns',
  sqs: 'client-sqs',
  sts: 'client-sts',
  secretsmanager: 'client-secrets-manager',
};

/** Optimized integrations whose parameters are the API's (`lambda:invoke` names Invoke). */
const OPTIMIZED: Record<string, { service: string; operation: string }> = {
  'lambda:invoke': { service: 'lambda', operation: 'Invoke' },
  'sns:publish': { service: 'sns', operation: 'Publish' },
  'dynamodb:putItem': { service: 'dynamodb', operation: 'PutItem' },
  'dynamodb:getItem': { service: 'dynamodb', operation: 'GetItem' },
  'dynamodb:updateItem': { service: 'dynamodb', operation: 'UpdateItem' },
  'states:startExecution': { service: 'sfn', operation: 'StartExecution' },
};

type SchemaRef = Parameters<typeof NormalizedSchema.of>[0];
type OperationSchema = [number, string, string, number, () => SchemaRef, () => SchemaRef];

async function operation(service: string, name: string): Promise<OperationSchema | undefined> {
  const pkg = PACKAGES[service];
  if (!pkg) throw new Error(`no SDK package known for ${service}`);
  const schemas = (await import(`@aws-sdk/${pkg}/dist-es/schemas/schemas_0.js`)) as Record<string, unknown>;
  return schemas[`${name}$`] as OperationSchema | undefined;
}

/** The members a structure requires: the generated schema lists them first, and counts them. */
function requiredMembers(schema: NormalizedSchema): string[] {
  const raw = schema.getSchema() as unknown as [number, string, string, number, string[], unknown[], number?];
  return raw[4].slice(0, raw[6] ?? 0);
}

/** Problems of a static parameter object against a structure schema. */
function checkParameters(where: string, value: unknown, schema: NormalizedSchema): string[] {
  if (schema.isDocumentSchema() || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return schema.isListSchema()
      ? value.flatMap((item, i) => checkParameters(`${where}[${i}]`, item, schema.getValueSchema()))
      : [`${where}: a list where the model has ${schema.getName()}`];
  if (schema.isMapSchema()) return [];
  if (!schema.isStructSchema()) return [`${where}: an object where the model has a scalar`];
  const problems: string[] = [];
  const members = Object.keys(schema.getMemberSchemas()).map(pascal);
  const given = Object.keys(value).map((k) => k.replace(/\.\$$/, ''));
  for (const [key, inner] of Object.entries(value)) {
    const name = key.replace(/\.\$$/, '');
    const member = memberByPascalName(schema, name);
    if (!member) {
      const near = members.find((m) => m.toLowerCase() === name.toLowerCase());
      problems.push(`${where}.${name}: no such member${near ? ` (the model spells it ${near})` : ''}`);
    } else if (!key.endsWith('.$') && !JSON_MEMBERS.has(name)) {
      problems.push(...checkParameters(`${where}.${name}`, inner, member));
    }
  }
  for (const required of requiredMembers(schema).map(pascal))
    if (!given.includes(required)) problems.push(`${where}: required member ${required} is missing`);
  return problems;
}

/** Problems of a `$.A.B[0].C` path read from an output structure. */
function checkPath(where: string, path: string, output: NormalizedSchema): string[] {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|(?=\[)/)
    .filter(Boolean);
  let schema = output;
  for (const step of steps) {
    if (step.startsWith('[')) {
      if (!schema.isListSchema()) return [`${where}: ${path}: ${step} indexes a non-list`];
      schema = schema.getValueSchema();
      continue;
    }
    if (schema.isDocumentSchema() || schema.isMapSchema()) return [];
    const member = schema.isStructSchema() ? memberByPascalName(schema, step) : undefined;
    if (!member) return [`${where}: ${path}: no member ${step} in the result`];
    schema = member;
  }
  return [];
}

/** The paths a ResultSelector reads from the result, with their keys. */
function selectorPaths(selector: unknown, prefix = ''): [string, string][] {
  if (!selector || typeof selector !== 'object') return [];
  return Object.entries(selector).flatMap(([key, value]): [string, string][] => {
    if (key.endsWith('.$') && typeof value === 'string' && value.startsWith('$.'))
      return [[`${prefix}${key}`, value]];
    return selectorPaths(value, `${prefix}${key}.`);
  });
}

interface Task {
  where: string;
  service: string;
  operation: string;
  parameters: unknown;
  resultSelector: unknown;
}

function integrationTasks(): Task[] {
  return stateMachineDefinitions(resolvedStacks()).flatMap(({ label, definition }) =>
    allStates(definition).flatMap(([name, state]): Task[] => {
      const resource = typeof state.Resource === 'string' ? state.Resource : '';
      const integration = /^arn:aws[\w-]*:states:::(.+?)(\.waitForTaskToken|\.sync(:2)?)?$/.exec(
        resource,
      )?.[1];
      if (state.Type !== 'Task' || !integration) return [];
      const sdk = /^aws-sdk:([a-z0-9]+):(\w+)$/.exec(integration);
      const target = sdk
        ? { service: sdk[1] as string, operation: (sdk[2] as string).replace(/^./, (c) => c.toUpperCase()) }
        : OPTIMIZED[integration];
      if (!target) throw new Error(`${label}/${name}: integration ${integration} has no model mapping here`);
      return [
        {
          where: `${label}/${name}`,
          ...target,
          parameters: state.Parameters ?? {},
          resultSelector: state.ResultSelector,
        },
      ];
    }),
  );
}

const tasks = integrationTasks();

describe('SDK tasks against the AWS SDK models', () => {
  it('finds the tasks of both modes', () => {
    expect(tasks.filter((t) => t.where.startsWith('single/')).length).toBeGreaterThan(50);
    expect(tasks.filter((t) => t.where.startsWith('organization/')).length).toBeGreaterThan(50);
  });

  it('every operation exists and every parameter and required member matches its model', async () => {
    const problems: string[] = [];
    for (const task of tasks) {
      const op = await operation(task.service, task.operation);
      if (!op) {
        problems.push(`${task.where}: ${task.service} has no operation ${task.operation}`);
        continue;
      }
      const parameters = { ...(task.parameters as Record<string, unknown>) };
      // Step Functions' own fields of an SDK task, not the API's.
      delete parameters['Credentials'];
      problems.push(...checkParameters(task.where, parameters, NormalizedSchema.of(op[4]())));
    }
    expect(problems).toEqual([]);
  });

  it('every path a ResultSelector reads exists in the operation’s result', async () => {
    const problems: string[] = [];
    for (const task of tasks) {
      const op = await operation(task.service, task.operation);
      if (!op || !task.resultSelector) continue;
      // Optimized integrations wrap the result (`Payload` of lambda:invoke is the function's own).
      if (!task.where.includes('aws-sdk') && task.service === 'lambda') continue;
      for (const [key, path] of selectorPaths(task.resultSelector))
        problems.push(...checkPath(`${task.where} ${key}`, path, NormalizedSchema.of(op[5]())));
    }
    expect(problems).toEqual([]);
  });

  it('the check refuses a misspelt member, a missing required member and a path the result lacks', async () => {
    const op = (await operation('iam', 'UpdateAccessKey')) as OperationSchema;
    expect(
      checkParameters('t', { AccessKeyID: 'x', Status: 'Inactive' }, NormalizedSchema.of(op[4]())),
    ).toEqual([
      't.AccessKeyID: no such member (the model spells it AccessKeyId)',
      't: required member AccessKeyId is missing',
    ]);
    const list = (await operation('iam', 'ListAccessKeys')) as OperationSchema;
    expect(checkPath('t', '$.AccessKeyMetadata[0].Status', NormalizedSchema.of(list[5]()))).toEqual([]);
    expect(checkPath('t', '$.AccessKeys[0].Status', NormalizedSchema.of(list[5]()))).toEqual([
      't: $.AccessKeys[0].Status: no member AccessKeys in the result',
    ]);
  });
});
