import {
  CreateVolumeCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
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
  server.register(new Ec2Service());
  endpoint = await server.listen({ port: 0 });
  ec2 = new EC2Client({ endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  ec2.destroy();
  await server.close();
});

describe('errors and throttling', () => {
  it('answers InvalidInstanceID.NotFound and .Malformed as SDK exceptions', async () => {
    const missing = await ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }))
      .catch((e) => e);
    const malformed = await ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ['instance-1'] }))
      .catch((e) => e);

    expect(missing).toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
      $metadata: { httpStatusCode: 400 },
    });
    expect(malformed).toMatchObject({ name: 'InvalidInstanceID.Malformed' });
  });

  it('fails once with an injected RequestLimitExceeded, then answers', async () => {
    const noRetry = new EC2Client({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    server.faults.add({
      service: 'ec2',
      operation: 'DescribeInstances',
      code: 'RequestLimitExceeded',
      times: 1,
    });

    const throttled = noRetry.send(new DescribeInstancesCommand({}));

    await expect(throttled).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    await expect(noRetry.send(new DescribeInstancesCommand({}))).resolves.toHaveProperty('Reservations');
    noRetry.destroy();
  });

  it('is retried transparently by the SDK when throttled', async () => {
    server.faults.add({
      service: 'ec2',
      operation: 'DescribeInstances',
      code: 'RequestLimitExceeded',
      times: 1,
    });

    const out = await ec2.send(new DescribeInstancesCommand({}));

    expect(out.$metadata.attempts).toBe(2);
  });

  it('answers MissingParameter when a required parameter is absent', async () => {
    const terminate = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [] })).catch((e) => e);
    const volume = await ec2.send(new CreateVolumeCommand({ Size: 10 })).catch((e) => e);

    expect(terminate).toMatchObject({ name: 'MissingParameter' });
    expect(volume).toMatchObject({ name: 'MissingParameter' });
  });

  it('answers DryRunOperation to a dry run and changes nothing', async () => {
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId as string;

    const dryRun = await ec2
      .send(new TerminateInstancesCommand({ InstanceIds: [instanceId], DryRun: true }))
      .catch((e) => e);

    expect(dryRun).toMatchObject({ name: 'DryRunOperation', $metadata: { httpStatusCode: 412 } });
    const after = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(after.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('running');
  });
});
