import {
  CreateVolumeCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DescribeReplaceRootVolumeTasksCommand,
  DescribeSecurityGroupRulesCommand,
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

  // Each operation refuses the filter names its API reference page does not list, as EC2 does.
  it.each([
    [
      'DescribeReplaceRootVolumeTasks',
      'tag:remediation:finding',
      () =>
        new DescribeReplaceRootVolumeTasksCommand({
          Filters: [{ Name: 'tag:remediation:finding', Values: ['x'] }],
        }),
    ],
    [
      'DescribeIamInstanceProfileAssociations',
      'tag-key',
      () =>
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'tag-key', Values: ['x'] }] }),
    ],
    [
      'DescribeSecurityGroupRules',
      'tag-key',
      () => new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'tag-key', Values: ['x'] }] }),
    ],
    [
      'DescribeInstances',
      'tag-value',
      () => new DescribeInstancesCommand({ Filters: [{ Name: 'tag-value', Values: ['x'] }] }),
    ],
  ] as const)('answers InvalidParameterValue to %s filtered by %s', async (_operation, _filter, command) => {
    const refused = ec2.send(command() as never);

    await expect(refused).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('still answers the documented filters of DescribeReplaceRootVolumeTasks and DescribeInstances', async () => {
    const tasks = ec2.send(
      new DescribeReplaceRootVolumeTasksCommand({
        Filters: [{ Name: 'instance-id', Values: ['i-0123456789abcdef0'] }],
      }),
    );
    const instances = ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'tag:team', Values: ['x'] }] }),
    );

    await expect(tasks).resolves.toMatchObject({ ReplaceRootVolumeTasks: [] });
    await expect(instances).resolves.toMatchObject({ Reservations: [] });
  });
});
