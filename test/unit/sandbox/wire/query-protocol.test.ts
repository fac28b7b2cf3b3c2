import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { AutoScalingService } from '#sandbox/services/autoscaling.ts';
import { IamService } from '#sandbox/services/iam.ts';
import { SnsService } from '#sandbox/services/sns.ts';
import { formCall } from './signed-request.ts';

const server = new SandboxServer();
const sns = new SnsService();
server.register(sns);
server.register(new AutoScalingService());
server.register(new IamService());
let endpoint: string;
const config = () => ({ endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
});
afterAll(() => server.close());

describe('query protocol, read and written from the SDK model', () => {
  it('round-trips maps of structures, blobs, booleans and lists through a real client', async () => {
    const client = new SNSClient(config());
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'alerts' }));
    const subscribed = await client.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'email',
        Endpoint: 'sec@example.com',
        ReturnSubscriptionArn: true,
      }),
    );
    const published = await client.send(
      new PublishCommand({
        TopicArn,
        Message: 'key disabled',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'HIGH' },
          digest: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    const { Topics } = await client.send(new ListTopicsCommand({}));

    expect(subscribed.SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:`));
    expect(published.MessageId).toBeTruthy();
    expect(sns.published.at(-1)?.messageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'HIGH' },
      digest: { DataType: 'Binary', BinaryValue: 'AQID' },
    });
    expect(Topics).toEqual([{ TopicArn }]);
  });

  it('round-trips nested structures, lists of structures, integers and timestamps (Auto Scaling)', async () => {
    const client = new AutoScalingClient(config());
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchTemplate: { LaunchTemplateName: 'web-lt', Version: '$Latest' },
        MinSize: 1,
        MaxSize: 3,
        AvailabilityZones: ['us-east-1a', 'us-east-1b'],
        Tags: [{ Key: 'team', Value: 'payments', PropagateAtLaunch: true }],
      }),
    );
    const { AutoScalingGroups } = await client.send(
      new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: 'tag:team', Values: ['payments'] }] }),
    );

    const group = AutoScalingGroups?.[0];
    expect(group?.LaunchTemplate).toEqual({ LaunchTemplateName: 'web-lt', Version: '$Latest' });
    expect([group?.MinSize, group?.DesiredCapacity, group?.MaxSize]).toEqual([1, 1, 3]);
    expect(group?.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(group?.Tags?.[0]).toMatchObject({ Key: 'team', Value: 'payments', PropagateAtLaunch: true });
    expect(group?.CreatedTime).toBeInstanceOf(Date);
  });

  it('refuses a value outside the enum, however deep, with ValidationError', async () => {
    const overrides = 'MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements';
    const answer = await formCall(endpoint, 'autoscaling', {
      Action: 'CreateAutoScalingGroup',
      Version: '2011-01-01',
      AutoScalingGroupName: 'mixed',
      MinSize: '1',
      MaxSize: '1',
      'MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName': 'lt',
      [`${overrides}.VCpuCount.Min`]: '1',
      [`${overrides}.MemoryMiB.Min`]: '512',
      [`${overrides}.BareMetal`]: 'sometimes',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain(
      "Value 'sometimes' at 'mixedInstancesPolicy.launchTemplate.overrides.1.instanceRequirements.bareMetal'",
    );
    expect(answer.message).toContain('[excluded, included, required]');
  });

  it('refuses an access key status outside the enum (IAM) and leaves the key as it was', async () => {
    const created = await formCall(endpoint, 'iam', {
      Action: 'CreateUser',
      Version: '2010-05-08',
      UserName: 'alice',
    });
    const key = await formCall(endpoint, 'iam', {
      Action: 'CreateAccessKey',
      Version: '2010-05-08',
      UserName: 'alice',
    });
    const accessKeyId = /<AccessKeyId>([^<]+)</.exec(key.body)?.[1] as string;

    const answer = await formCall(endpoint, 'iam', {
      Action: 'UpdateAccessKey',
      Version: '2010-05-08',
      UserName: 'alice',
      AccessKeyId: accessKeyId,
      Status: 'Paused',
    });
    const listed = await formCall(endpoint, 'iam', {
      Action: 'ListAccessKeys',
      Version: '2010-05-08',
      UserName: 'alice',
    });

    expect([created.status, key.status]).toEqual([200, 200]);
    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain(
      "Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Expired, Inactive]",
    );
    expect(listed.body).toContain('<Status>Active</Status>');
  });

  it('refuses an unknown parameter with ValidationError naming it', async () => {
    const answer = await formCall(endpoint, 'sns', {
      Action: 'CreateTopic',
      Version: '2010-03-31',
      Name: 'typo',
      Tag: 'x',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("'Tag'");
  });

  it('refuses a missing required parameter with ValidationError', async () => {
    const answer = await formCall(endpoint, 'sns', {
      Action: 'Subscribe',
      Version: '2010-03-31',
      Protocol: 'sqs',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain("Value null at 'topicArn'");
  });

  it('refuses a value of the wrong type with ValidationError', async () => {
    const answer = await formCall(endpoint, 'sns', {
      Action: 'Subscribe',
      Version: '2010-03-31',
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:alerts',
      Protocol: 'email',
      ReturnSubscriptionArn: 'maybe',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationError']);
    expect(answer.message).toContain('Member must be a boolean');
  });

  it('refuses an action the service does not serve with InvalidAction', async () => {
    const answer = await formCall(endpoint, 'sns', {
      Action: 'DeleteTopic',
      Version: '2010-03-31',
      TopicArn: 'x',
    });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidAction']);
  });
});
