import { fileURLToPath } from 'node:url';
import { EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { Sandbox } from '#sandbox/index.ts';
import { permissionStatement } from '#sandbox/services/iam/resource-policies.ts';

const ACCOUNT = '111122223333';
const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/caller', import.meta.url));
const echoDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));

let sandbox: Sandbox;
const config = (credentials = SANDBOX_CREDENTIALS) => ({
  endpoint: sandbox.endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

/** A role trusted by `principal`, whose one inline policy is `document`. */
async function role(name: string, principal: object, document: string): Promise<string> {
  const { Role } = await sandbox.clients.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }),
    }),
  );
  await sandbox.clients.iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'work', PolicyDocument: document }),
  );
  return Role?.Arn as string;
}

async function sessionOf(roleArn: string) {
  const { Credentials } = await new STSClient(config()).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'run' }),
  );
  return {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken,
  };
}

const topic = async (name: string) =>
  (await sandbox.clients.sns.send(new CreateTopicCommand({ Name: name }))).TopicArn as string;

beforeAll(async () => {
  sandbox = await Sandbox.start({ port: 0, deploy: false });
});
afterAll(async () => {
  await sandbox.stop();
});

describe('IAM matches the resource each call acts on', () => {
  it('a Deny naming one instance blocks the call on that instance only', async () => {
    const ec2 = new EC2Client(config());
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 2, MaxCount: 2 }),
    );
    const [guarded, other] = (run.Instances ?? []).map((i) => i.InstanceId as string) as [string, string];
    const guardedArn = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${guarded}`;
    const operator = await role(
      'instance-operator',
      { AWS: ACCOUNT },
      policy(
        { Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*' },
        { Effect: 'Deny', Action: 'ec2:StopInstances', Resource: guardedArn },
      ),
    );
    const asOperator = new EC2Client(config(await sessionOf(operator)));

    await expect(asOperator.send(new StopInstancesCommand({ InstanceIds: [guarded] }))).rejects.toMatchObject(
      {
        name: 'UnauthorizedOperation',
        message: expect.stringContaining(
          `is not authorized to perform: ec2:StopInstances on resource: ${guardedArn} with an explicit deny`,
        ),
      },
    );
    const stopped = await asOperator.send(new StopInstancesCommand({ InstanceIds: [other] }));
    expect(stopped.StoppingInstances?.[0]?.InstanceId).toBe(other);
    // Both together: the call is refused as a whole, the other instance's grant notwithstanding.
    await expect(
      asOperator.send(new StopInstancesCommand({ InstanceIds: [other, guarded] })),
    ).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });

  it('an Allow on another topic grants nothing on this one', async () => {
    const alerts = await topic('alerts');
    const audit = await topic('audit-feed');
    const notifier = await role(
      'alerts-notifier',
      { AWS: ACCOUNT },
      policy({ Effect: 'Allow', Action: 'sns:Publish', Resource: alerts }),
    );
    const sns = new SNSClient(config(await sessionOf(notifier)));

    await expect(sns.send(new PublishCommand({ TopicArn: alerts, Message: 'x' }))).resolves.toHaveProperty(
      'MessageId',
    );
    await expect(sns.send(new PublishCommand({ TopicArn: audit, Message: 'x' }))).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
      message: expect.stringContaining(`sns:Publish on resource: ${audit} because no identity-based policy`),
    });
  });

  it('a topic policy naming a role lets it publish without any identity policy; its Deny wins over one', async () => {
    const open = await topic('open-feed');
    const closed = await topic('closed-feed');
    const publisher = await role(
      'feed-publisher',
      { AWS: ACCOUNT },
      policy({ Effect: 'Allow', Action: 'sns:Publish', Resource: closed }),
    );
    sandbox.services.resourcePolicies.set(
      open,
      policy({ Effect: 'Allow', Principal: { AWS: publisher }, Action: 'sns:Publish', Resource: open }),
    );
    sandbox.services.resourcePolicies.set(
      closed,
      policy({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: closed }),
    );
    const sns = new SNSClient(config(await sessionOf(publisher)));

    await expect(sns.send(new PublishCommand({ TopicArn: open, Message: 'x' }))).resolves.toHaveProperty(
      'MessageId',
    );
    await expect(sns.send(new PublishCommand({ TopicArn: closed, Message: 'x' }))).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
      message: expect.stringContaining('with an explicit deny in a resource-based policy'),
    });
  });
});

describe('a function runs as its execution role', () => {
  it('is refused exactly the action and resource its role lacks', async () => {
    const allowed = await topic('function-allowed');
    const other = await topic('function-other');
    const executionRole = await role(
      'publisher-function-role',
      { Service: 'lambda.amazonaws.com' },
      policy({ Effect: 'Allow', Action: 'sns:Publish', Resource: allowed }),
    );
    sandbox.services.lambda.registerFunction({
      name: 'publisher',
      arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:publisher`,
      assetDir,
      handler: 'index.publish',
      timeoutSeconds: 10,
      roleArn: executionRole,
      credentials: () =>
        sandbox.services.sts.serviceSession(executionRole, 'lambda.amazonaws.com', {
          sessionName: 'publisher',
        }),
    });

    const response = await new LambdaClient(config()).send(
      new InvokeCommand({ FunctionName: 'publisher', Payload: JSON.stringify({ topics: [allowed, other] }) }),
    );
    const result = JSON.parse(Buffer.from(response.Payload ?? []).toString('utf8'));

    expect(result.caller).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/publisher-function-role/publisher`);
    expect(result.outcomes).toEqual([
      { topic: allowed, ok: true },
      {
        topic: other,
        ok: false,
        name: 'AuthorizationErrorException',
        message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/publisher-function-role/publisher is not authorized to perform: sns:Publish on resource: ${other} because no identity-based policy allows the sns:Publish action`,
      },
    ]);
  });
});

describe('a function URL with AuthType NONE', () => {
  it('serves no one until the function policy grants public access, as Lambda requires', async () => {
    const arn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:public-echo`;
    sandbox.services.lambda.registerFunction({
      name: 'public-echo',
      arn,
      assetDir: echoDir,
      handler: 'index.echo',
    });
    sandbox.services.functionUrls.register({
      urlId: 'publicechourl000000000000000000aa',
      functionName: 'public-echo',
      accountId: ACCOUNT,
      authType: 'NONE',
    });
    const url = `${sandbox.endpoint}/_function-url/publicechourl000000000000000000aa/`;

    expect((await fetch(url)).status).toBe(403);
    sandbox.services.resourcePolicies.addPermission(
      arn,
      permissionStatement({
        sid: 'url',
        functionArn: arn,
        action: 'lambda:InvokeFunctionUrl',
        principal: '*',
        functionUrlAuthType: 'NONE',
      }),
    );
    // Since October 2025 a new URL also needs lambda:InvokeFunction through the URL.
    expect((await fetch(url)).status).toBe(403);
    sandbox.services.resourcePolicies.addPermission(
      arn,
      permissionStatement({
        sid: 'invoke',
        functionArn: arn,
        action: 'lambda:InvokeFunction',
        principal: '*',
        invokedViaFunctionUrl: true,
      }),
    );
    expect((await fetch(url)).status).toBe(200);
  });
});
