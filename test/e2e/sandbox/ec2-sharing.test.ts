import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotAttributeCommand,
  EC2Client,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
let server: SandboxServer;
let ec2: EC2Client;
beforeAll(async () => {
  server = new SandboxServer();
  server.register(new Ec2Service({ snapshotDelayMs: 0 }));
  ec2 = new EC2Client({ endpoint: await server.listen({ port: 0 }), region: 'us-east-1', credentials });
});
afterAll(async () => {
  ec2?.destroy();
  await server?.close();
});

async function newSnapshot(): Promise<string> {
  const volume = await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }));
  const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }));
  return snapshot.SnapshotId as string;
}
const volumePermissions = async (SnapshotId: string) =>
  (await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId, Attribute: 'createVolumePermission' })))
    .CreateVolumePermissions;

describe('EC2 snapshot and image sharing in the sandbox', () => {
  it('shares a snapshot publicly and with an account, then removes exactly one permission', async () => {
    const SnapshotId = await newSnapshot();
    expect(await volumePermissions(SnapshotId)).toEqual([]);

    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId,
        Attribute: 'createVolumePermission',
        CreateVolumePermission: { Add: [{ Group: 'all' }, { UserId: '444455556666' }] },
      }),
    );
    expect(await volumePermissions(SnapshotId)).toEqual([{ Group: 'all' }, { UserId: '444455556666' }]);

    await ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId,
        Attribute: 'createVolumePermission',
        OperationType: 'remove',
        GroupNames: ['all'],
      }),
    );
    expect(await volumePermissions(SnapshotId)).toEqual([{ UserId: '444455556666' }]);
  });

  it('refuses adding and removing in one call, and a group other than all', async () => {
    const SnapshotId = await newSnapshot();
    await expect(
      ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId,
          CreateVolumePermission: { Add: [{ Group: 'all' }], Remove: [{ UserId: '444455556666' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await expect(
      ec2.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId,
          CreateVolumePermission: { Add: [{ Group: 'everyone' as 'all' }] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(volumePermissions('snap-0123456789abcdef0')).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
  });

  it('makes an image public through its launch permission, as DescribeImages then reports', async () => {
    const { ImageId } = await ec2.send(
      new RegisterImageCommand({ Name: 'golden', RootDeviceName: '/dev/xvda' }),
    );
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId,
        LaunchPermission: { Add: [{ Group: 'all' }, { UserId: '444455556666' }] },
      }),
    );
    const launch = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId, Attribute: 'launchPermission' }),
    );
    expect(launch.LaunchPermissions).toEqual([{ Group: 'all' }, { UserId: '444455556666' }]);
    expect(
      (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId as string] }))).Images?.[0]?.Public,
    ).toBe(true);

    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId, LaunchPermission: { Remove: [{ Group: 'all' }] } }),
    );
    const after = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId, Attribute: 'launchPermission' }),
    );
    expect(after.LaunchPermissions).toEqual([{ UserId: '444455556666' }]);
    expect(
      (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId as string] }))).Images?.[0]?.Public,
    ).toBe(false);
  });
});
