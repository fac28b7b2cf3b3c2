import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVolumesCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

let server: SandboxServer;
let ec2: EC2Client;
let endpoint: string;

beforeAll(async () => {
  server = new SandboxServer();
  server.register(new Ec2Service({ snapshotDelayMs: 0 }));
  endpoint = await server.listen({ port: 0 });
  ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  ec2.destroy();
  await server.close();
});

/** A VPC with one subnet and two security groups, as a workload would have. */
async function workloadNetwork() {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = Vpc?.VpcId as string;
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }),
  );
  const web = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }),
  );
  const db = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db', VpcId: vpcId }),
  );
  return {
    vpcId,
    subnetId: Subnet?.SubnetId as string,
    webGroupId: web.GroupId as string,
    dbGroupId: db.GroupId as string,
  };
}

/** An instance with a primary ENI in `web` and a second ENI in `db`. */
async function launchTwoInterfaceInstance(tags: Record<string, string> = {}) {
  const net = await workloadNetwork();
  const launched = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      IamInstanceProfile: { Name: 'app-profile' },
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: net.subnetId, Groups: [net.webGroupId] },
        { DeviceIndex: 1, SubnetId: net.subnetId, Groups: [net.dbGroupId] },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  return { ...net, instanceId: launched.Instances?.[0]?.InstanceId as string, launched };
}

async function describeInstance(instanceId: string) {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0];
}

describe('RunInstances and DescribeInstances', () => {
  it('launches an instance with both interfaces, a root volume kept off termination, and its profile', async () => {
    const { instanceId, webGroupId, dbGroupId, launched } = await launchTwoInterfaceInstance({
      Team: 'payments',
    });

    const instance = await describeInstance(instanceId);

    expect(launched.Instances?.[0]?.State?.Name).toBe('pending');
    expect(instance?.State).toEqual({ Code: 16, Name: 'running' });
    expect(instance?.InstanceType).toBe('t3.micro');
    const interfaces = instance?.NetworkInterfaces ?? [];
    expect(interfaces.map((eni) => eni.Attachment?.DeviceIndex)).toEqual([0, 1]);
    expect(interfaces.map((eni) => eni.Groups?.map((g) => g.GroupName))).toEqual([['web'], ['db']]);
    expect(interfaces.map((eni) => eni.Groups?.[0]?.GroupId)).toEqual([webGroupId, dbGroupId]);
    expect(instance?.SecurityGroups).toEqual([{ GroupId: webGroupId, GroupName: 'web' }]);
    expect(instance?.BlockDeviceMappings).toEqual([
      expect.objectContaining({
        DeviceName: '/dev/xvda',
        Ebs: expect.objectContaining({ DeleteOnTermination: true, Status: 'attached' }),
      }),
    ]);
    expect(instance?.IamInstanceProfile?.Arn).toBe('arn:aws:iam::111122223333:instance-profile/app-profile');
    expect(instance?.IamInstanceProfile?.Id).toMatch(/^AIPA[0-9A-Z]{17}$/);
    expect(instance?.Tags).toEqual([{ Key: 'Team', Value: 'payments' }]);
    expect(instance?.PrivateIpAddress).toMatch(/^10\.20\.1\.\d+$/);
  });

  it('finds instances by tag, VPC and state filters', async () => {
    const { instanceId, vpcId } = await launchTwoInterfaceInstance({ Finding: 'gd-123' });

    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:Finding', Values: ['gd-*'] },
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'instance-state-name', Values: ['running', 'stopped'] },
        ],
      }),
    );

    const ids = out.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId) ?? []);
    expect(ids).toEqual([instanceId]);
  });

  it('launches into the default VPC when no subnet is given', async () => {
    const out = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 }),
    );

    const instance = await describeInstance(out.Instances?.[0]?.InstanceId as string);
    expect(instance?.PrivateIpAddress).toMatch(/^172\.31\./);
    expect(instance?.SecurityGroups?.map((g) => g.GroupName)).toEqual(['default']);
  });
});

describe('moving an instance between security groups', () => {
  it('replaces each interface group list with ModifyNetworkInterfaceAttribute', async () => {
    const { instanceId, vpcId } = await launchTwoInterfaceInstance();
    const isolation = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'isolation', Description: 'no rules', VpcId: vpcId }),
    );
    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }],
      }),
    );

    for (const eni of NetworkInterfaces ?? []) {
      await ec2.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: eni.NetworkInterfaceId,
          Groups: [isolation.GroupId as string],
        }),
      );
    }

    const instance = await describeInstance(instanceId);
    expect(NetworkInterfaces).toHaveLength(2);
    expect(instance?.NetworkInterfaces?.map((eni) => eni.Groups?.map((g) => g.GroupName))).toEqual([
      ['isolation'],
      ['isolation'],
    ]);
  });

  it('refuses instance-level group changes on a multi-interface instance, as EC2 does', async () => {
    const { instanceId, webGroupId } = await launchTwoInterfaceInstance();

    const change = ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: [webGroupId] }),
    );

    await expect(change).rejects.toMatchObject({ name: 'InvalidInstanceID' });
  });

  it('rejects a group from another VPC', async () => {
    const { NetworkInterfaces } = (await launchTwoInterfaceInstance()).launched.Instances?.[0] ?? {};
    const other = await workloadNetwork();

    const change = ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: NetworkInterfaces?.[0]?.NetworkInterfaceId,
        Groups: [other.webGroupId],
      }),
    );

    await expect(change).rejects.toMatchObject({ name: 'InvalidParameter' });
  });
});

describe('termination protection and volume retention', () => {
  it('blocks TerminateInstances while DisableApiTermination is set', async () => {
    const { instanceId } = await launchTwoInterfaceInstance();
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } }),
    );

    const terminate = ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));

    await expect(terminate).rejects.toMatchObject({ name: 'OperationNotPermitted' });
    expect((await describeInstance(instanceId))?.State?.Name).toBe('running');
  });

  it('keeps a volume marked DeleteOnTermination=false after termination and deletes the rest', async () => {
    const { instanceId } = await launchTwoInterfaceInstance();
    const before = await describeInstance(instanceId);
    const rootVolumeId = before?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId as string;
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }],
      }),
    );
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instanceId,
        InstanceInitiatedShutdownBehavior: { Value: 'stop' },
      }),
    );

    const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));

    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      CurrentState: { Name: 'shutting-down' },
      PreviousState: { Name: 'running' },
    });
    const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [rootVolumeId] }));
    expect(Volumes?.[0]?.State).toBe('available');
    expect((await describeInstance(instanceId))?.State?.Name).toBe('terminated');
  });

  it('reports the attributes it was given', async () => {
    const { instanceId } = await launchTwoInterfaceInstance();
    await ec2.send(
      new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: true } }),
    );

    const protection = await ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }),
    );
    const shutdown = await ec2.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: instanceId,
        Attribute: 'instanceInitiatedShutdownBehavior',
      }),
    );

    expect(protection.DisableApiTermination?.Value).toBe(true);
    expect(shutdown.InstanceInitiatedShutdownBehavior?.Value).toBe('stop');
  });

  it('stops an instance', async () => {
    const { instanceId } = await launchTwoInterfaceInstance();

    const stopped = await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));

    expect(stopped.StoppingInstances?.[0]?.CurrentState).toEqual({ Code: 64, Name: 'stopping' });
    expect((await describeInstance(instanceId))?.State?.Name).toBe('stopped');
  });
});
