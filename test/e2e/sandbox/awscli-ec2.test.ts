import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AttachInstancesCommand,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { AutoScalingService } from '#sandbox/services/autoscaling.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';
import { ElbV2Service } from '#sandbox/services/elbv2.ts';

const hasAws = spawnSync('aws', ['--version']).status === 0;
if (!hasAws) console.warn('awscli-ec2: the `aws` CLI is not on PATH; skipping the CLI compatibility tests.');

const run = promisify(execFile);
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

describe.skipIf(!hasAws)('the AWS CLI against the sandbox EC2, Auto Scaling and ELBv2', () => {
  let server: SandboxServer;
  let endpoint: string;

  /** Run `aws <args>` against the sandbox and parse its JSON output. */
  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
        },
      },
    );
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  }

  beforeAll(async () => {
    server = new SandboxServer();
    const ec2 = new Ec2Service();
    server.register(ec2);
    server.register(new AutoScalingService({ ec2 }));
    server.register(new ElbV2Service({ ec2 }));
    endpoint = await server.listen({ port: 0 });
  });

  afterAll(async () => {
    await server.close();
  });

  async function launch(): Promise<{ InstanceId: string; VpcId: string }> {
    const out = await aws(
      'ec2',
      'run-instances',
      '--image-id',
      'ami-0123456789abcdef0',
      '--count',
      '1',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=Finding,Value=gd-9}]',
    );
    return (out.Instances as { InstanceId: string; VpcId: string }[])[0] as {
      InstanceId: string;
      VpcId: string;
    };
  }

  it('ec2 describe-instances shows a launched instance with its groups and tags', async () => {
    const { InstanceId } = await launch();

    const out = await aws('ec2', 'describe-instances', '--instance-ids', InstanceId);

    const instance = (out.Reservations as { Instances: Record<string, unknown>[] }[])[0]?.Instances[0];
    expect(instance).toMatchObject({
      InstanceId,
      State: { Code: 16, Name: 'running' },
      SecurityGroups: [{ GroupName: 'default' }],
      Tags: [{ Key: 'Finding', Value: 'gd-9' }],
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, Status: 'attached' } },
      ],
    });
  });

  it('ec2 create-security-group, authorize-security-group-ingress and describe-security-groups agree', async () => {
    const created = await aws(
      'ec2',
      'create-security-group',
      '--group-name',
      'cli-web',
      '--description',
      'from the CLI',
    );
    const groupId = String(created.GroupId);

    const authorized = await aws(
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      groupId,
      '--protocol',
      'tcp',
      '--port',
      '22',
      '--cidr',
      '0.0.0.0/0',
    );
    const described = await aws('ec2', 'describe-security-groups', '--group-ids', groupId);

    expect(groupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(authorized).toMatchObject({
      Return: true,
      SecurityGroupRules: [
        { GroupId: groupId, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' },
      ],
    });
    expect((described.SecurityGroups as Record<string, unknown>[])[0]).toMatchObject({
      GroupName: 'cli-web',
      Description: 'from the CLI',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('reports an AWS error code and a failing exit status', async () => {
    const failure = await aws('ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0').catch(
      (error: { code: number; stderr: string }) => error,
    );

    // CLI v1 exits 255 on a service error and v2 exits 254: either way, not success.
    expect(failure).toMatchObject({ stderr: expect.stringContaining('(InvalidInstanceID.NotFound)') });
    expect((failure as { code: number }).code).toBeGreaterThan(0);
  });

  it('autoscaling describe-auto-scaling-groups lists the seeded group and its instance', async () => {
    const { InstanceId } = await launch();
    const client = new AutoScalingClient({ endpoint, region: 'us-east-1', credentials });
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'cli-asg',
        MinSize: 0,
        MaxSize: 3,
        LaunchTemplate: { LaunchTemplateName: 'web' },
        AvailabilityZones: ['us-east-1a'],
      }),
    );
    await client.send(
      new AttachInstancesCommand({ AutoScalingGroupName: 'cli-asg', InstanceIds: [InstanceId] }),
    );
    client.destroy();

    const out = await aws(
      'autoscaling',
      'describe-auto-scaling-groups',
      '--auto-scaling-group-names',
      'cli-asg',
    );

    expect(out.AutoScalingGroups).toEqual([
      expect.objectContaining({
        AutoScalingGroupName: 'cli-asg',
        DesiredCapacity: 1,
        MinSize: 0,
        MaxSize: 3,
        Instances: [
          expect.objectContaining({ InstanceId, LifecycleState: 'InService', HealthStatus: 'Healthy' }),
        ],
      }),
    ]);
  });

  it('elbv2 describe-target-health shows the registered instance healthy', async () => {
    const { InstanceId, VpcId } = await launch();
    const client = new ElasticLoadBalancingV2Client({ endpoint, region: 'us-east-1', credentials });
    const created = await client.send(
      new CreateTargetGroupCommand({ Name: 'cli-web', Protocol: 'HTTP', Port: 80, VpcId }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn as string;
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: InstanceId }] }));
    client.destroy();

    const out = await aws('elbv2', 'describe-target-health', '--target-group-arn', arn);

    expect(out.TargetHealthDescriptions).toEqual([
      { Target: { Id: InstanceId, Port: 80 }, HealthCheckPort: '80', TargetHealth: { State: 'healthy' } },
    ]);
  });
});
