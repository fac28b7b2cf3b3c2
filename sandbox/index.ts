import './polyfills.ts';
import path from 'node:path';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { closeSdkClients } from './aws-sdk-clients.ts';
import { type SandboxClients, sandboxClients } from './clients.ts';
import { AccountAccess } from './deploy/accounts.ts';
import { type AssemblyStack, isAssemblyStale, readAssembly } from './deploy/assembly.ts';
import { type Deployment, deployStack } from './deploy/deploy.ts';
import { SANDBOX_ACCOUNT_ID, SANDBOX_REGION, SandboxServer } from './server.ts';
import { AutoScalingService } from './services/autoscaling.ts';
import { CloudTrailService } from './services/cloudtrail.ts';
import { CloudTrailHistory } from './services/cloudtrail-history.ts';
import { ConfigService } from './services/config.ts';
import { DynamoDbService } from './services/dynamodb.ts';
import { Ec2Service } from './services/ec2/ec2-service.ts';
import { EcsService } from './services/ecs.ts';
import { ElbV2Service } from './services/elbv2.ts';
import type { DeadLetter, DeliveryContext, EventTarget } from './services/events/model.ts';
import { EventsService } from './services/events.ts';
import { FUNCTION_URL_PREFIX, FunctionUrlService } from './services/function-urls.ts';
import { GuardDutyService } from './services/guardduty.ts';
import { guardDutyServiceRole } from './services/guardduty-service-role.ts';
import { ResourcePolicyStore } from './services/iam/resource-policies.ts';
import { assertEventBridgeMayInvoke } from './services/iam/service-invocation.ts';
import { IamService } from './services/iam.ts';
import { KmsService } from './services/kms.ts';
import { LambdaService } from './services/lambda.ts';
import { RdsService } from './services/rds.ts';
import { S3Service } from './services/s3.ts';
import { S3ControlService } from './services/s3-control.ts';
import { SecretsManagerService } from './services/secretsmanager.ts';
import { SnsService } from './services/sns.ts';
import { SqsService } from './services/sqs.ts';
import { StepFunctionsService } from './services/stepfunctions/service.ts';
import { StsService } from './services/sts.ts';

/** One stack of the assembly to deploy, and where. */
export interface StackDeploymentTarget {
  /** The stack's name in the assembly (`AutoRemediation`, `AutoRemediationMember`). */
  readonly stack: string;
  /** @default the sandbox account, 111122223333 */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** How to start a sandbox. */
export interface SandboxOptions {
  /** Port of the single endpoint; 0 picks a free one. @default 4566 */
  readonly port?: number;
  /** Multiplies Retry intervals and Wait states (tests use 0.001). @default 1 */
  readonly timeScale?: number;
  /** Milliseconds EC2 snapshots stay pending. @default 2000 */
  readonly snapshotDelayMs?: number;
  /** The cloud assembly to deploy; synthesized first when stale. @default `<root>/cdk.out` */
  readonly assemblyDir?: string;
  /** CDK context for synthesis (e.g. `{ policyFile }`); use with a separate `assemblyDir`. @default none */
  readonly context?: Record<string, unknown>;
  /** The project root (where infra/ lives). @default the repository this file is in */
  readonly root?: string;
  /** Worker threads per Lambda function at most. @default 4 */
  readonly lambdaConcurrency?: number;
  /** What becomes of what functions print: `discard` for benchmarks. @default 'print' */
  readonly functionLogs?: 'print' | 'discard';
  /** Deploy the synthesized stack. @default true */
  readonly deploy?: boolean;
  /**
   * Which stacks to deploy, into which account and region, in this order (a stack may be
   * deployed several times). @default every stack of the assembly, into the sandbox account in us-east-1
   */
  readonly deployments?: readonly StackDeploymentTarget[];
  /** Progress lines (synthesis, deployment). @default no output */
  readonly log?: (line: string) => void;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The local AWS for this stack: one endpoint serving IAM, STS, EC2, Auto Scaling, ELBv2,
 * CloudTrail, S3, SNS, SQS, DynamoDB (dynalite), EventBridge, KMS, Lambda and Step Functions over
 * their real wire protocols, with the synthesized stack deployed into it.
 */
export class Sandbox {
  readonly clients: SandboxClients;
  /** Every deployment made at start, in the order asked. */
  readonly deployments: Deployment[] = [];
  private readonly access: AccountAccess;

  private constructor(
    readonly server: SandboxServer,
    readonly endpoint: string,
    readonly services: {
      iam: IamService;
      sns: SnsService;
      sqs: SqsService;
      ec2: Ec2Service;
      dynamodb: DynamoDbService;
      events: EventsService;
      lambda: LambdaService;
      stepFunctions: StepFunctionsService;
      secretsManager: SecretsManagerService;
      kms: KmsService;
      functionUrls: FunctionUrlService;
      sts: StsService;
      resourcePolicies: ResourcePolicyStore;
      rds: RdsService;
      s3Control: S3ControlService;
      ecs: EcsService;
    },
  ) {
    this.clients = sandboxClients(endpoint);
    this.access = new AccountAccess(endpoint, (credentials, account) =>
      server.addAccessKey(credentials, account),
    );
  }

  /** The first (often the only) deployment. */
  get deployment(): Deployment | undefined {
    return this.deployments[0];
  }

  /** SDK clients acting in another account and region (signed with a key mapped to that account). */
  clientsFor(accountId: string, region: string = SANDBOX_REGION): SandboxClients {
    return accountId === SANDBOX_ACCOUNT_ID && region === SANDBOX_REGION
      ? this.clients
      : this.access.clientsFor(accountId, region);
  }

  /** Start every service, then (unless told not to) synthesize if stale and deploy the stack. */
  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const server = new SandboxServer();
    // Listen first: the functions' AWS_ENDPOINT_URL and the queue URLs need the real port.
    const endpoint = await server.listen({ port: options.port ?? 4566 });
    const iam = new IamService();
    const s3 = new S3Service();
    const s3Control = new S3ControlService();
    const autoScaling = new AutoScalingService();
    const secretsManager = new SecretsManagerService();
    const kms = new KmsService();
    const resourcePolicies = new ResourcePolicyStore((bucket) => s3.bucketPolicy(bucket));
    // STS assumes roles by their trust policies and holds every signed call to its caller's
    // identity policies and its resources' policies.
    const sts = new StsService({
      iam,
      organizationOf: (accountId) => server.organizations.organizationOf(accountId),
      resources: {
        autoScalingGroup: (account, region, name) => autoScaling.groupArn(account, region, name),
        kmsKey: (account, region, keyId) => kms.keyArn(account, region, keyId),
        secret: (account, region, secretId) => secretsManager.secretArn(account, region, secretId),
        functionUrl: (urlId) => functionUrls.functionArn(urlId),
        s3ObjectTags: (bucket, key) => s3.objectTags(bucket, key),
      },
      resourcePolicies,
    });
    server.authorizer = sts;
    const sns = new SnsService();
    const sqs = new SqsService(() => endpoint);
    const ec2 = new Ec2Service({ snapshotDelayMs: options.snapshotDelayMs ?? 2000 });
    const dynamodb = new DynamoDbService();
    // A few warm environments per function: enough to overlap I/O on 2 cores without a
    // worker thread (and its copy of the bundle) per concurrent event.
    const lambda = new LambdaService({
      endpoint,
      maxConcurrency: options.lambdaConcurrency ?? 4,
      functionLogs: options.functionLogs,
      policies: resourcePolicies,
    });
    const stepFunctions = new StepFunctionsService({
      endpoint,
      timeScale: options.timeScale ?? 1,
      roleSessions: sts,
    });
    const events: EventsService = new EventsService({
      deliver: (target: EventTarget, payload: unknown, context: DeliveryContext): Promise<void> =>
        deliver(sandbox, target, payload, context),
      organizationOf: (accountId) => server.organizations.organizationOf(accountId),
    });
    const rds = new RdsService();
    const ecs = new EcsService();
    const functionUrls = new FunctionUrlService(lambda, resourcePolicies);
    // CloudTrail's event history: the management calls the sandbox serves, as they are served.
    const cloudTrailHistory = new CloudTrailHistory();
    server.onCall((call, req, response) => cloudTrailHistory.record(call, req, response));
    server.registerPath(FUNCTION_URL_PREFIX, functionUrls);
    await dynamodb.start();
    for (const service of [
      iam,
      sts,
      sns,
      sqs,
      ec2,
      autoScaling,
      new ElbV2Service({ ec2 }),
      new CloudTrailService(cloudTrailHistory),
      new ConfigService(),
      new GuardDutyService(guardDutyServiceRole(iam, sts)),
      ecs,
      s3,
      s3Control,
      dynamodb,
      events,
      lambda,
      stepFunctions,
      secretsManager,
      kms,
      rds,
    ]) {
      server.register(service);
    }
    const sandbox: Sandbox = new Sandbox(server, endpoint, {
      iam,
      sns,
      sqs,
      ec2,
      dynamodb,
      events,
      lambda,
      stepFunctions,
      secretsManager,
      kms,
      functionUrls,
      sts,
      resourcePolicies,
      rds,
      s3Control,
      ecs,
    });
    events.onDeadLetter((letter: DeadLetter) => {
      void sandbox.deadLetter(letter.target.deadLetterArn, {
        error: letter.error.message,
        event: letter.event,
      });
    });
    if (options.deploy !== false) {
      try {
        await sandbox.deployAssembly(options);
      } catch (err) {
        // A failed deployment leaves nothing listening behind.
        await sandbox.stop();
        throw err;
      }
    }
    return sandbox;
  }

  private async deployAssembly(options: SandboxOptions): Promise<void> {
    const log = options.log ?? (() => {});
    const root = options.root ?? ROOT;
    const assemblyDir = options.assemblyDir ?? path.join(root, 'cdk.out');
    if (isAssemblyStale(assemblyDir, root, options.context)) {
      log('synthesizing the CDK app (cdk.out is missing, older than the sources, or of another context)…');
      const { synthesize } = await import('./deploy/synthesize.ts');
      await synthesize(assemblyDir, options.context);
    }
    const stacks = readAssembly(assemblyDir);
    const targets: readonly StackDeploymentTarget[] =
      options.deployments ?? stacks.map((stack) => ({ stack: stack.stackName }));
    for (const target of targets) {
      const stack = stackNamed(stacks, target.stack);
      const accountId = target.accountId ?? SANDBOX_ACCOUNT_ID;
      const region = target.region ?? SANDBOX_REGION;
      log(
        `deploying ${stack.stackName} from ${path.relative(root, assemblyDir) || '.'} into ${accountId} ${region}…`,
      );
      this.deployments.push(
        await deployStack(
          stack,
          { stackName: stack.stackName, accountId, region, endpoint: this.endpoint },
          { access: this.access, ...this.services },
        ),
      );
    }
  }

  /**
   * Resolve once every accepted event is delivered and every execution has finished or waits for
   * a person (a task token, such as an approval gate), so nothing more happens without input.
   */
  async idle(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const before = this.server.calls.length;
      await this.services.events.whenIdle();
      await this.services.stepFunctions.whenSettled();
      await new Promise((r) => setTimeout(r, 5));
      if (this.server.calls.length === before) return;
    }
  }

  /** Send a dead-lettered event to its SQS dead-letter queue, as EventBridge does. */
  private async deadLetter(queueArn: string | undefined, body: unknown): Promise<void> {
    if (!queueArn) return;
    const [, , , region, account, name] = queueArn.split(':') as string[];
    await this.clientsFor(account as string, region).sqs.send(
      new SendMessageCommand({
        QueueUrl: `${this.endpoint}/${account}/${name}`,
        MessageBody: JSON.stringify(body),
      }),
    );
  }

  async stop(): Promise<void> {
    await this.services.stepFunctions.close();
    await this.services.lambda.close();
    await this.server.close();
    await this.services.dynamodb.stop();
    for (const client of Object.values(this.clients)) client.destroy();
    this.access.close();
    closeSdkClients();
  }
}

/** The stack of the assembly named `name`, or an error naming those there are. */
function stackNamed(stacks: readonly AssemblyStack[], name: string): AssemblyStack {
  const stack = stacks.find((s) => s.stackName === name);
  if (stack) return stack;
  throw new Error(
    `the assembly has no stack ${name} (it has ${stacks.map((s) => s.stackName).join(', ')}); synthesize with the context that adds it`,
  );
}

/**
 * Deliver one EventBridge target payload, acting in the target's account and region: Lambda
 * targets are invoked (a function error counts as a failed delivery, so EventBridge's retry and
 * dead-letter apply), state machines started, and the event put on event-bus targets (another
 * account's or region's bus, whose policy must admit the rule's account).
 */
async function deliver(
  sandbox: Sandbox,
  target: EventTarget,
  payload: unknown,
  context: DeliveryContext,
): Promise<void> {
  const [, , service, region, account, resource] = target.arn.split(':');
  if (service === 'lambda') {
    // EventBridge may invoke a function only where the function's policy lets it.
    assertEventBridgeMayInvoke(sandbox.services.resourcePolicies, target.arn, context.rule);
    const outcome = await sandbox.services.lambda.invokeFunction(target.arn, JSON.stringify(payload));
    if (!outcome.ok) throw new Error(`${outcome.error.errorType}: ${outcome.error.errorMessage}`);
    return;
  }
  if (service === 'states') {
    await sandbox
      .clientsFor(account as string, region)
      .sfn.send(new StartExecutionCommand({ stateMachineArn: target.arn, input: JSON.stringify(payload) }));
    return;
  }
  if (service === 'events' && resource?.startsWith('event-bus/')) {
    // EventBridge forwards the event itself to another bus, not a reshaped input.
    sandbox.services.events.forward(context.event, target.arn, context.rule);
    return;
  }
  throw new Error(`the sandbox cannot deliver to ${target.arn}`);
}
