import {
  ClientException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { EcsService } from '#sandbox/services/ecs.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { StsService } from '#sandbox/services/sts.ts';

const ACCOUNT = '111122223333';
const server = new SandboxServer();
const iamService = new IamService();
const stsService = new StsService({ iam: iamService });
for (const service of [iamService, stsService, new EcsService()]) server.register(service);
server.authorizer = stsService;
const rootKeys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
let endpoint: string;
let ecs: ECSClient;
const config = (credentials: typeof rootKeys) => ({
  endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  ecs = new ECSClient(config(rootKeys));
  await ecs.send(new CreateClusterCommand({ clusterName: 'shop' }));
});
afterAll(async () => {
  ecs.destroy();
  await server.close();
});

/** A Fargate task of a fresh task definition revision with a task role. */
async function runFargateTask() {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'checkout',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/checkout-task`,
      containerDefinitions: [{ name: 'web', image: 'public.ecr.aws/nginx/nginx:1.27', essential: true }],
    }),
  );
  const { tasks } = await ecs.send(
    new RunTaskCommand({
      cluster: 'shop',
      taskDefinition: taskDefinition?.taskDefinitionArn,
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } },
    }),
  );
  return { definition: taskDefinition, task: tasks?.[0] };
}

describe('ECS in the sandbox', () => {
  it('runs a Fargate task with its network interface, describes it, and stops it with the reason given', async () => {
    const { definition, task } = await runFargateTask();
    expect(task?.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT}:task/shop/[0-9a-f]{32}$`));
    expect(task?.attachments?.[0]?.details).toContainEqual({
      name: 'networkInterfaceId',
      value: expect.stringMatching(/^eni-/),
    });

    const described = await ecs.send(
      new DescribeTasksCommand({ cluster: 'shop', tasks: [task?.taskArn as string] }),
    );
    expect(described.tasks?.[0]).toMatchObject({
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      group: 'family:checkout',
    });
    const { taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: definition?.taskDefinitionArn }),
    );
    expect(taskDefinition?.taskRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/checkout-task`);

    const stopped = await ecs.send(
      new StopTaskCommand({ cluster: 'shop', task: task?.taskArn, reason: 'compromised' }),
    );
    expect(stopped.task).toMatchObject({ desiredStatus: 'STOPPED', stoppedReason: 'compromised' });
    const after = await ecs.send(
      new DescribeTasksCommand({ cluster: 'shop', tasks: [task?.taskArn as string] }),
    );
    expect(after.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
  });

  it('answers an unknown task, cluster or task definition as ECS does', async () => {
    const missing = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/shop/0123456789abcdef0123456789abcdef`;
    await expect(
      ecs.send(new DescribeTasksCommand({ cluster: 'shop', tasks: [missing] })),
    ).resolves.toMatchObject({
      tasks: [],
      failures: [{ arn: missing, reason: 'MISSING' }],
    });
    await expect(ecs.send(new StopTaskCommand({ cluster: 'shop', task: missing }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(
      ecs.send(new DescribeTasksCommand({ cluster: 'nowhere', tasks: [missing] })),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
    await expect(
      ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'no-such-family:3' })),
    ).rejects.toBeInstanceOf(ClientException);
  });

  it("holds a caller to its policies on the task's ARN", async () => {
    const { task } = await runFargateTask();
    const other = (await runFargateTask()).task;
    const iam = new IAMClient(config(rootKeys));
    await iam.send(new CreateUserCommand({ UserName: 'responder' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'responder',
        PolicyName: 'stop-one',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'ecs:StopTask', Resource: task?.taskArn }],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'responder' }));
    const responder = new ECSClient(
      config({
        accessKeyId: AccessKey?.AccessKeyId as string,
        secretAccessKey: AccessKey?.SecretAccessKey as string,
      }),
    );

    await expect(
      responder.send(new StopTaskCommand({ cluster: 'shop', task: other?.taskArn })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining(
        `not authorized to perform: ecs:StopTask on resource: ${other?.taskArn}`,
      ),
    });
    await expect(
      responder.send(new StopTaskCommand({ cluster: 'shop', task: task?.taskArn?.split('/').at(-1) })),
    ).resolves.toMatchObject({ task: { desiredStatus: 'STOPPED' } });
    responder.destroy();
    iam.destroy();
  });
});
