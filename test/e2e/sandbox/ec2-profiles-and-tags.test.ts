import {
  AssociateIamInstanceProfileCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ReplaceIamInstanceProfileAssociationCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
const profileArn = (name: string) => `arn:aws:iam::111122223333:instance-profile/${name}`;

let server: SandboxServer;
let ec2: EC2Client;
let endpoint: string;

beforeAll(async () => {
  server = new SandboxServer();
  server.register(new Ec2Service());
  endpoint = await server.listen({ port: 0 });
  ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  ec2.destroy();
  await server.close();
});

async function launch(profileName?: string): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      MinCount: 1,
      MaxCount: 1,
      IamInstanceProfile: profileName ? { Arn: profileArn(profileName) } : undefined,
    }),
  );
  return out.Instances?.[0]?.InstanceId as string;
}

async function associationsOf(instanceId: string) {
  const out = await ec2.send(
    new DescribeIamInstanceProfileAssociationsCommand({
      Filters: [{ Name: 'instance-id', Values: [instanceId] }],
    }),
  );
  return out.IamInstanceProfileAssociations ?? [];
}

describe('instance profile associations', () => {
  it('finds the launch profile by instance and removes it on disassociation', async () => {
    const instanceId = await launch('web-role');
    const [association] = await associationsOf(instanceId);

    const out = await ec2.send(
      new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }),
    );

    expect(association).toMatchObject({
      State: 'associated',
      IamInstanceProfile: { Arn: profileArn('web-role') },
    });
    expect(out.IamInstanceProfileAssociation?.State).toBe('disassociating');
    expect(await associationsOf(instanceId)).toEqual([]);
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(instance?.IamInstanceProfile).toBeUndefined();
  });

  it('associates a profile, refuses a second one, and replaces it in one step', async () => {
    const instanceId = await launch();
    const first = await ec2.send(
      new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Name: 'app' } }),
    );

    const second = await ec2
      .send(
        new AssociateIamInstanceProfileCommand({
          InstanceId: instanceId,
          IamInstanceProfile: { Name: 'other' },
        }),
      )
      .catch((e) => e);
    const replaced = await ec2.send(
      new ReplaceIamInstanceProfileAssociationCommand({
        AssociationId: first.IamInstanceProfileAssociation?.AssociationId,
        IamInstanceProfile: { Name: 'restricted' },
      }),
    );

    expect(second).toMatchObject({ name: 'IncorrectState' });
    expect(replaced.IamInstanceProfileAssociation?.AssociationId).not.toBe(
      first.IamInstanceProfileAssociation?.AssociationId,
    );
    expect((await associationsOf(instanceId)).map((a) => a.IamInstanceProfile?.Arn)).toEqual([
      profileArn('restricted'),
    ]);
  });

  it('answers InvalidAssociationID.NotFound for an unknown association', async () => {
    const disassociate = ec2.send(
      new DisassociateIamInstanceProfileCommand({ AssociationId: 'iip-assoc-0123456789abcdef0' }),
    );

    await expect(disassociate).rejects.toMatchObject({ name: 'InvalidAssociationID.NotFound' });
  });

  it('rejects a profile the IAM resolver does not know', async () => {
    const strict = new SandboxServer();
    strict.register(new Ec2Service({ resolveInstanceProfile: () => undefined }));
    const strictClient = new EC2Client({
      endpoint: await strict.listen({ port: 0 }),
      region: 'us-east-1',
      credentials,
    });

    const run = strictClient.send(
      new RunInstancesCommand({
        ImageId: 'ami-0123456789abcdef0',
        MinCount: 1,
        MaxCount: 1,
        IamInstanceProfile: { Name: 'ghost' },
      }),
    );

    await expect(run).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    const { Reservations } = await strictClient.send(new DescribeInstancesCommand({}));
    expect(Reservations).toEqual([]);
    strictClient.destroy();
    await strict.close();
  });
});

describe('tags', () => {
  it('tags an instance, lists the tags by resource, and deletes one', async () => {
    const instanceId = await launch();
    await ec2.send(
      new CreateTagsCommand({
        Resources: [instanceId],
        Tags: [
          { Key: 'Quarantined', Value: 'true' },
          { Key: 'Finding', Value: 'gd-7' },
        ],
      }),
    );

    await ec2.send(new DeleteTagsCommand({ Resources: [instanceId], Tags: [{ Key: 'Quarantined' }] }));

    const { Tags } = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [instanceId] }] }),
    );
    expect(Tags).toEqual([
      { ResourceId: instanceId, ResourceType: 'instance', Key: 'Finding', Value: 'gd-7' },
    ]);
  });

  it('answers the resource NotFound code when tagging something that does not exist', async () => {
    const tag = ec2.send(
      new CreateTagsCommand({
        Resources: ['i-0123456789abcdef0'],
        Tags: [{ Key: 'Quarantined', Value: 'true' }],
      }),
    );

    await expect(tag).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
  });

  it('keeps each account apart', async () => {
    server.addAccessKey(
      { accessKeyId: 'AKIAOTHERACCOUNT0001', secretAccessKey: 'sandbox-secret' },
      '444455556666',
    );
    const other = new EC2Client({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAOTHERACCOUNT0001', secretAccessKey: 'sandbox-secret' },
    });
    const instanceId = await launch();

    const lookup = other.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));

    await expect(lookup).rejects.toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    other.destroy();
  });
});
