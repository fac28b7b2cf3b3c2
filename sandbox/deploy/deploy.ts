import path from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import type { SandboxCredentials } from '../aws-sdk-clients.ts';
import { SANDBOX_ACCOUNT_ID } from '../server.ts';
import type { EventsService } from '../services/events.ts';
import type { FunctionUrlService } from '../services/function-urls.ts';
import type { ResourcePolicyStore } from '../services/iam/resource-policies.ts';
import type { KmsService } from '../services/kms.ts';
import type { LambdaService } from '../services/lambda.ts';
import { randomPassword, type SecretsManagerService } from '../services/secretsmanager.ts';
import type { SqsService } from '../services/sqs.ts';
import type { StepFunctionsService } from '../services/stepfunctions/service.ts';
import type { StsService } from '../services/sts.ts';
import type { AccountAccess } from './accounts.ts';
import type { AssemblyStack } from './assembly.ts';
import { deployEvents } from './events.ts';
import { deployIam } from './iam.ts';
import { type DeployTarget, type PhysicalResource, physicalResources, resolveTemplate } from './resolve.ts';
import { deployResourcePolicies } from './resource-policies.ts';

/** What a sandbox deployment created, by logical id, plus the stack outputs. */
export interface Deployment {
  stackName: string;
  /** Where the stack was deployed. */
  accountId: string;
  region: string;
  resources: Map<string, PhysicalResource>;
  outputs: Record<string, string>;
  /** Physical names by resource type, for quick lookups. */
  tables: PhysicalResource[];
  functions: PhysicalResource[];
  stateMachines: PhysicalResource[];
  rules: PhysicalResource[];
}

/** The sandbox services a deployment writes into. */
export interface DeployServices {
  /** SDK clients and credentials acting in the target account. */
  access: AccountAccess;
  sqs: SqsService;
  lambda: LambdaService;
  stepFunctions: StepFunctionsService;
  events: EventsService;
  /** Needed by templates with `AWS::SecretsManager::Secret`. */
  secretsManager?: SecretsManagerService;
  /** Needed by templates with `AWS::KMS::Key` or `AWS::KMS::Alias`. */
  kms?: KmsService;
  /** Needed by templates with `AWS::Lambda::Url`. */
  functionUrls?: FunctionUrlService;
  /** Issues each function a session of its execution role. @default functions act as their account's root user */
  sts?: StsService;
  /** Where topic, queue, key, function and bucket policies go. @default not stored */
  resourcePolicies?: ResourcePolicyStore;
}

/**
 * Deploy one synthesized stack into the sandbox, in the target's account and region: the same
 * template `cdk deploy` would hand to CloudFormation, with intrinsics resolved. Roles, tables
 * and topics are created through the real SDK signed as that account, queues and secrets by the
 * service; functions load their bundled assets and act as that account; state machines get
 * their definition string; buses their policies; rules their patterns and targets. Nothing is
 * re-declared here.
 */
export async function deployStack(
  stack: AssemblyStack,
  target: DeployTarget,
  s: DeployServices,
): Promise<Deployment> {
  const physical = physicalResources(stack.template, target);
  const template = resolveTemplate(stack.template, target, physical);
  const of = (type: string) => [...physical.values()].filter((r) => r.type === type);
  const props = (r: PhysicalResource) => template.Resources[r.logicalId]?.Properties ?? {};
  const clients = s.access.clientsFor(target.accountId, target.region);

  await deployIam(template, physical, target, clients.iam);
  for (const table of of('AWS::DynamoDB::Table')) {
    const p = props(table);
    const input: CreateTableCommandInput = {
      TableName: table.name,
      KeySchema: p.KeySchema,
      AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
    };
    await clients.dynamodb.send(new CreateTableCommand(input));
  }
  for (const queue of of('AWS::SQS::Queue')) s.sqs.createQueue(target.accountId, target.region, queue.name);
  for (const topic of of('AWS::SNS::Topic'))
    await clients.sns.send(new CreateTopicCommand({ Name: topic.name }));

  for (const secret of of('AWS::SecretsManager::Secret')) {
    const p = props(secret);
    if (!s.secretsManager) throw new Error(`secret ${secret.logicalId} needs the sandbox's Secrets Manager`);
    // GenerateSecretString's fields are GetRandomPassword's, in CloudFormation's spelling.
    const generate = p.GenerateSecretString as Record<string, unknown> | undefined;
    s.secretsManager.createSecret({
      accountId: target.accountId,
      region: target.region,
      name: secret.name,
      arn: secret.arn,
      description: p.Description,
      value: generate ? generatedSecret(generate) : String(p.SecretString ?? ''),
    });
  }
  for (const key of of('AWS::KMS::Key')) {
    const p = props(key);
    if (!s.kms) throw new Error(`key ${key.logicalId} needs the sandbox's KMS`);
    s.kms.createKey({
      accountId: target.accountId,
      region: target.region,
      keyId: key.name,
      keySpec: p.KeySpec,
      keyUsage: p.KeyUsage,
      description: p.Description,
      enabled: p.Enabled,
    });
  }
  for (const alias of of('AWS::KMS::Alias')) {
    if (!s.kms) throw new Error(`alias ${alias.logicalId} needs the sandbox's KMS`);
    s.kms.createAlias(target.accountId, target.region, alias.name, String(props(alias).TargetKeyId));
  }
  for (const fn of of('AWS::Lambda::Function')) {
    const p = props(fn);
    // The asset folder: named in the resource metadata, or derived from the S3 key CDK uploads it as.
    const s3Key =
      typeof p.Code?.S3Key === 'string' ? (p.Code.S3Key as string).replace(/\.zip$/, '') : undefined;
    const assetPath =
      stack.template.Resources[fn.logicalId]?.Metadata?.['aws:asset:path'] ?? (s3Key && `asset.${s3Key}`);
    if (typeof assetPath !== 'string')
      throw new Error(`function ${fn.logicalId} has no bundled asset in the assembly`);
    s.lambda.registerFunction({
      name: fn.name,
      arn: fn.arn,
      assetDir: path.resolve(stack.assemblyDir, assetPath),
      handler: p.Handler,
      environment: p.Environment?.Variables ?? {},
      timeoutSeconds: p.Timeout ?? 3,
      memoryMb: p.MemorySize ?? 128,
      runtime: p.Runtime,
      roleArn: p.Role,
      credentials: functionCredentials(s, fn.name, p.Role, target),
    });
  }
  for (const url of of('AWS::Lambda::Url')) {
    const p = props(url);
    if (!s.functionUrls) throw new Error(`function URL ${url.logicalId} needs the sandbox's function URLs`);
    s.functionUrls.register({
      urlId: url.name,
      functionName: String(p.TargetFunctionArn).split(':').pop() as string,
      accountId: target.accountId,
      region: target.region,
      authType: p.AuthType === 'AWS_IAM' ? 'AWS_IAM' : 'NONE',
    });
  }
  for (const machine of of('AWS::StepFunctions::StateMachine')) {
    const p = props(machine);
    s.stepFunctions.registerStateMachine({
      arn: machine.arn,
      name: machine.name,
      definition: p.DefinitionString,
      roleArn: p.RoleArn,
      type: p.StateMachineType ?? 'STANDARD',
    });
  }
  deployEvents(template, physical, target, s.events);
  if (s.resourcePolicies)
    await deployResourcePolicies(template, physical, target, s.resourcePolicies, clients.s3);

  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([k, v]) => [k, String((v as { Value: unknown }).Value)]),
  );
  return {
    stackName: target.stackName,
    accountId: target.accountId,
    region: target.region,
    resources: physical,
    outputs,
    tables: of('AWS::DynamoDB::Table'),
    functions: of('AWS::Lambda::Function'),
    stateMachines: of('AWS::StepFunctions::StateMachine'),
    rules: of('AWS::Events::Rule'),
  };
}

/**
 * What a function signs with: a session of its execution role, as Lambda gives each execution
 * environment in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html), so every call
 * it makes is held to the role's policies. Lambda assumes the role as `lambda.amazonaws.com`; the
 * session is named after the function and lasts as long as Lambda's may (12 hours here, a
 * warm environment being reused at most that long in a test run).
 */
function functionCredentials(
  s: DeployServices,
  functionName: string,
  roleArn: unknown,
  target: DeployTarget,
): SandboxCredentials | (() => SandboxCredentials) | undefined {
  const { sts } = s;
  if (sts && typeof roleArn === 'string') {
    return () =>
      sts.serviceSession(roleArn, 'lambda.amazonaws.com', {
        sessionName: functionName,
        durationSeconds: 43_200,
      });
  }
  // Without STS, its SDK clients act in the account it is deployed in.
  return target.accountId === SANDBOX_ACCOUNT_ID ? undefined : s.access.credentials(target.accountId);
}

/** A generated secret: the password alone, or set at `GenerateStringKey` of the JSON template. */
function generatedSecret(generate: Record<string, unknown>): string {
  const password = randomPassword(generate);
  const { SecretStringTemplate: template, GenerateStringKey: key } = generate;
  if (typeof template !== 'string' || typeof key !== 'string') return password;
  return JSON.stringify({ ...JSON.parse(template), [key]: password });
}
