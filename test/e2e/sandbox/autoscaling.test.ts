import {
  AttachInstancesCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { AutoScalingService } from '#sandbox/services/autoscaling.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

let server: SandboxServer;
let ec2: EC2Client;
let autoscaling: AutoScalingClient;

beforeAll(async () => {
  server = new SandboxServer();
  const ec2Service = new Ec2Service();
  server.register(ec2Service);
  server.register(new AutoScalingService({ ec2: ec2Service }));
  const endpoint = await server.listen({ port: 0 });
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
  };
  ec2 = new EC2Client(config);
  autoscaling = new AutoScalingClient(config);
});

afterAll(async () => {
  ec2.destroy();
  autoscaling.destroy();
  await server.close();
});

let groupCount = 0;

/** A group of two running instances, seeded the way an operator would: create, then attach. */
async function groupWithTwoInstances() {
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 2, MaxCount: 2 }),
  );
  const instanceIds = run.Instances?.map((i) => i.InstanceId as string) ?? [];
  groupCount += 1;
  const name = `web-asg-${groupCount}`;
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
      AvailabilityZones: ['us-east-1a'],
      Tags: [{ Key: 'Team', Value: 'web', PropagateAtLaunch: true }],
    }),
  );
  await autoscaling.send(
    new AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: instanceIds }),
  );
  return { name, instanceIds };
}

async function describeGroup(name: string) {
  const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups?.[0];
}

describe('seeding a group', () => {
  it('counts attached instances into the desired capacity', async () => {
    const { name, instanceIds } = await groupWithTwoInstances();

    const group = await describeGroup(name);

    expect(group?.DesiredCapacity).toBe(2);
    expect(group?.Instances?.map((i) => [i.InstanceId, i.LifecycleState, i.HealthStatus])).toEqual(
      instanceIds.map((id) => [id, 'InService', 'Healthy']),
    );
    expect(group?.Instances?.[0]?.InstanceType).toBe('m1.small');
    expect(group?.Tags).toEqual([
      {
        ResourceId: name,
        ResourceType: 'auto-scaling-group',
        Key: 'Team',
        Value: 'web',
        PropagateAtLaunch: true,
      },
    ]);
  });

  it('tells which group an instance belongs to', async () => {
    const { name, instanceIds } = await groupWithTwoInstances();

    const out = await autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceIds[0] as string] }),
    );

    expect(out.AutoScalingInstances?.map((i) => [i.InstanceId, i.AutoScalingGroupName])).toEqual([
      [instanceIds[0], name],
    ]);
  });

  it('refuses an instance EC2 does not know', async () => {
    const { name } = await groupWithTwoInstances();

    const attach = autoscaling.send(
      new AttachInstancesCommand({ AutoScalingGroupName: name, InstanceIds: ['i-0123456789abcdef0'] }),
    );

    await expect(attach).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('DetachInstances', () => {
  it('keeps the desired capacity when told not to decrement it', async () => {
    const { name, instanceIds } = await groupWithTwoInstances();
    const [suspect, healthy] = instanceIds;

    const out = await autoscaling.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: name,
        InstanceIds: [suspect as string],
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    expect(out.Activities?.[0]).toMatchObject({
      Description: `Detaching EC2 instance: ${suspect}`,
      StatusCode: 'InProgress',
    });
    const group = await describeGroup(name);
    expect(group?.DesiredCapacity).toBe(2);
    expect(group?.Instances?.map((i) => i.InstanceId)).toEqual([healthy]);
    const membership = await autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [suspect as string] }),
    );
    expect(membership.AutoScalingInstances).toEqual([]);
  });

  it('lowers the desired capacity when told to decrement it', async () => {
    const { name, instanceIds } = await groupWithTwoInstances();

    await autoscaling.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: name,
        InstanceIds: [instanceIds[0] as string],
        ShouldDecrementDesiredCapacity: true,
      }),
    );

    expect((await describeGroup(name))?.DesiredCapacity).toBe(1);
  });

  it('answers ValidationError for an instance that is not in the group', async () => {
    const { name } = await groupWithTwoInstances();

    const detach = autoscaling.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: name,
        InstanceIds: ['i-0123456789abcdef0'],
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    await expect(detach).rejects.toMatchObject({
      name: 'ValidationError',
      message: `The instance i-0123456789abcdef0 is not part of Auto Scaling group ${name}.`,
    });
  });

  it('answers ValidationError for a group that does not exist', async () => {
    const detach = autoscaling.send(
      new DetachInstancesCommand({
        AutoScalingGroupName: 'no-such-group',
        InstanceIds: ['i-0123456789abcdef0'],
        ShouldDecrementDesiredCapacity: false,
      }),
    );

    await expect(detach).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
