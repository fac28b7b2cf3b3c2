import {
  AttachVolumeCommand,
  CreateReplaceRootVolumeTaskCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RegisterImageCommand,
  RunInstancesCommand,
  waitUntilSnapshotCompleted,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** A sandbox whose snapshots take `snapshotDelayMs` to complete. */
async function startSandbox(snapshotDelayMs: number) {
  const server = new SandboxServer();
  server.register(new Ec2Service({ snapshotDelayMs, replaceRootVolumeDelayMs: 0 }));
  const endpoint = await server.listen({ port: 0 });
  const ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
  return { server, ec2 };
}

/** An instance with its root volume and one data volume, both tagged. */
async function instanceWithDataVolume(ec2: EC2Client) {
  const run = await ec2.send(
    new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 }),
  );
  const instance = run.Instances?.[0];
  const instanceId = instance?.InstanceId as string;
  const zone = instance?.Placement?.AvailabilityZone as string;
  const volume = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: zone, Size: 50, VolumeType: 'gp3' }),
  );
  await ec2.send(
    new AttachVolumeCommand({ InstanceId: instanceId, VolumeId: volume.VolumeId, Device: '/dev/sdf' }),
  );
  const rootVolumeId = instance?.BlockDeviceMappings?.[0]?.Ebs?.VolumeId as string;
  await ec2.send(
    new CreateTagsCommand({
      Resources: [rootVolumeId, volume.VolumeId as string],
      Tags: [{ Key: 'App', Value: 'shop' }],
    }),
  );
  return { instanceId, rootVolumeId, dataVolumeId: volume.VolumeId as string };
}

describe('snapshots of an instance', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox(150);
  });
  afterAll(async () => {
    sandbox.ec2.destroy();
    await sandbox.server.close();
  });

  it('snapshots every attached volume together, pending first, then completed', async () => {
    const { ec2 } = sandbox;
    const { instanceId, rootVolumeId, dataVolumeId } = await instanceWithDataVolume(ec2);

    const created = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId },
        Description: 'evidence for gd-42',
        CopyTagsFromSource: 'volume',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Finding', Value: 'gd-42' }] }],
      }),
    );
    const snapshotIds = created.Snapshots?.map((s) => s.SnapshotId as string) ?? [];
    await waitUntilSnapshotCompleted(
      { client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { SnapshotIds: snapshotIds },
    );

    expect(created.Snapshots?.map((s) => s.State)).toEqual(['pending', 'pending']);
    expect(created.Snapshots?.map((s) => s.VolumeId).sort()).toEqual([rootVolumeId, dataVolumeId].sort());
    expect(new Set(created.Snapshots?.map((s) => s.StartTime?.toISOString())).size).toBe(1);
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }));
    expect(Snapshots?.map((s) => [s.State, s.Progress])).toEqual([
      ['completed', '100%'],
      ['completed', '100%'],
    ]);
    expect(Snapshots?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'App', Value: 'shop' },
        { Key: 'Finding', Value: 'gd-42' },
      ]),
    );
    expect(Snapshots?.[0]?.Description).toBe('evidence for gd-42');
  });

  it('leaves out the boot volume when asked', async () => {
    const { ec2 } = sandbox;
    const { instanceId, dataVolumeId } = await instanceWithDataVolume(ec2);

    const created = await ec2.send(
      new CreateSnapshotsCommand({
        InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: true },
      }),
    );

    expect(created.Snapshots?.map((s) => s.VolumeId)).toEqual([dataVolumeId]);
  });

  it('answers InvalidSnapshot.NotFound for an unknown snapshot', async () => {
    const describe = sandbox.ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] }),
    );

    await expect(describe).rejects.toMatchObject({ name: 'InvalidSnapshot.NotFound' });
  });

  it('lists an instance volumes by attachment filter', async () => {
    const { ec2 } = sandbox;
    const { instanceId, rootVolumeId, dataVolumeId } = await instanceWithDataVolume(ec2);

    const { Volumes } = await ec2.send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
    );

    expect(Volumes?.map((v) => [v.VolumeId, v.State, v.Attachments?.[0]?.Device])).toEqual([
      [rootVolumeId, 'in-use', '/dev/xvda'],
      [dataVolumeId, 'in-use', '/dev/sdf'],
    ]);
  });
});

describe('re-imaging the root volume', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sandbox = await startSandbox(0);
  });
  afterAll(async () => {
    sandbox.ec2.destroy();
    await sandbox.server.close();
  });

  it('replaces the root volume from a golden AMI and keeps the old one as evidence', async () => {
    const { ec2 } = sandbox;
    const { instanceId, rootVolumeId } = await instanceWithDataVolume(ec2);
    const { ImageId } = await ec2.send(
      new RegisterImageCommand({ Name: 'golden-2024-06', RootDeviceName: '/dev/xvda' }),
    );

    const task = await ec2.send(
      new CreateReplaceRootVolumeTaskCommand({
        InstanceId: instanceId,
        ImageId,
        DeleteReplacedRootVolume: false,
      }),
    );
    const { ReplaceRootVolumeTasks } = await ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({
        ReplaceRootVolumeTaskIds: [task.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId as string],
      }),
    );

    expect(task.ReplaceRootVolumeTask?.TaskState).toBe('pending');
    expect(ReplaceRootVolumeTasks?.[0]?.TaskState).toBe('succeeded');
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    const newRoot = instance?.BlockDeviceMappings?.find((m) => m.DeviceName === '/dev/xvda')?.Ebs?.VolumeId;
    expect(instance?.ImageId).toBe(ImageId);
    expect(newRoot).not.toBe(rootVolumeId);
    const old = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [rootVolumeId] }));
    expect(old.Volumes?.[0]?.State).toBe('available');
  });

  it('answers InvalidAMIID.NotFound for an image that was never registered', async () => {
    const { ec2 } = sandbox;
    const { instanceId } = await instanceWithDataVolume(ec2);

    const task = ec2.send(
      new CreateReplaceRootVolumeTaskCommand({ InstanceId: instanceId, ImageId: 'ami-0fedcba9876543210' }),
    );

    await expect(task).rejects.toMatchObject({ name: 'InvalidAMIID.NotFound' });
  });

  it('lists registered images by name', async () => {
    const { ec2 } = sandbox;
    await ec2.send(new RegisterImageCommand({ Name: 'golden-2024-07', Description: 'hardened base' }));

    const { Images } = await ec2.send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: 'name', Values: ['golden-2024-07'] }],
      }),
    );

    expect(Images?.map((i) => [i.Name, i.Description, i.State, i.OwnerId])).toEqual([
      ['golden-2024-07', 'hardened base', 'available', '111122223333'],
    ]);
  });
});
