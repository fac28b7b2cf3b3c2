import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';
import { ElbV2Service } from '#sandbox/services/elbv2.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** EC2 and ELBv2 on one endpoint, deregistered targets draining for `deregistrationDelayMs`. */
async function startSandbox(deregistrationDelayMs: number) {
  const server = new SandboxServer();
  const ec2Service = new Ec2Service();
  server.register(ec2Service);
  server.register(new ElbV2Service({ ec2: ec2Service, deregistrationDelayMs }));
  const endpoint = await server.listen({ port: 0 });
  const config = { endpoint, region: 'us-east-1', credentials };
  return { server, ec2: new EC2Client(config), elb: new ElasticLoadBalancingV2Client(config) };
}

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

async function stop(sandbox: Sandbox) {
  sandbox.ec2.destroy();
  sandbox.elb.destroy();
  await sandbox.server.close();
}

/** A VPC with two running instances and two target groups, the first instance in both. */
async function webTier({ ec2, elb }: Sandbox) {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }));
  const vpcId = Vpc?.VpcId as string;
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24' }));
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      MinCount: 2,
      MaxCount: 2,
      SubnetId: Subnet?.SubnetId,
    }),
  );
  const [suspect, other] = run.Instances?.map((i) => i.InstanceId as string) ?? [];
  const suffix = vpcId.slice(-6);
  const group = async (name: string) =>
    (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId })))
      .TargetGroups?.[0]?.TargetGroupArn as string;
  const webArn = await group(`web-${suffix}`);
  const adminArn = await group(`admin-${suffix}`);
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: webArn, Targets: [{ Id: suspect }, { Id: other }] }),
  );
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: adminArn, Targets: [{ Id: suspect, Port: 8080 }] }),
  );
  return { vpcId, suspect: suspect as string, other: other as string, webArn, adminArn };
}

async function healthOf(elb: ElasticLoadBalancingV2Client, arn: string) {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return out.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.Target?.Port, d.TargetHealth?.State]);
}

describe('target groups', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(60_000);
  });
  afterAll(async () => stop(sandbox));

  it('reports registered targets healthy', async () => {
    const { webArn, suspect, other } = await webTier(sandbox);

    expect(await healthOf(sandbox.elb, webArn)).toEqual([
      [suspect, 80, 'healthy'],
      [other, 80, 'healthy'],
    ]);
  });

  it("finds an instance's target groups through DescribeTargetGroups and DescribeTargetHealth", async () => {
    const { elb } = sandbox;
    const { suspect, webArn, adminArn } = await webTier(sandbox);

    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({}));
    const memberships: { arn: string; port: number | undefined }[] = [];
    for (const group of TargetGroups ?? []) {
      const health = await elb.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      for (const d of health.TargetHealthDescriptions ?? []) {
        if (d.Target?.Id === suspect)
          memberships.push({ arn: group.TargetGroupArn as string, port: d.Target.Port });
      }
    }

    expect(memberships).toEqual([
      { arn: webArn, port: 80 },
      { arn: adminArn, port: 8080 },
    ]);
  });

  it('drains a deregistered target and leaves the others serving', async () => {
    const { elb } = sandbox;
    const { webArn, suspect, other } = await webTier(sandbox);

    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: webArn, Targets: [{ Id: suspect }] }));

    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: webArn }));
    expect(out.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.TargetHealth])).toEqual([
      [
        suspect,
        {
          State: 'draining',
          Reason: 'Target.DeregistrationInProgress',
          Description: 'Target deregistration is in progress',
        },
      ],
      [other, { State: 'healthy' }],
    ]);
  });

  it('says unused / Target.NotRegistered for an instance the group does not hold', async () => {
    const { elb } = sandbox;
    const { adminArn, other } = await webTier(sandbox);

    const out = await elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: adminArn, Targets: [{ Id: other }] }),
    );

    expect(out.TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: 'unused',
      Reason: 'Target.NotRegistered',
    });
  });

  it('answers TargetGroupNotFound with the SDK exception', async () => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/gone/0123456789abcdef';

    const describe = sandbox.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));

    await expect(describe).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
  });

  it('refuses an instance from another VPC with InvalidTarget', async () => {
    const { elb } = sandbox;
    const first = await webTier(sandbox);
    const second = await webTier(sandbox);

    const register = elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: first.webArn, Targets: [{ Id: second.other }] }),
    );

    await expect(register).rejects.toMatchObject({ name: 'InvalidTargetException' });
  });

  it('refuses DescribeTargetHealth about an instance in another VPC with InvalidTarget', async () => {
    const { elb } = sandbox;
    const first = await webTier(sandbox);
    const second = await webTier(sandbox);

    const describe = elb.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: first.webArn, Targets: [{ Id: second.suspect }] }),
    );

    await expect(describe).rejects.toMatchObject({ name: 'InvalidTargetException' });
  });
});

describe('with no deregistration delay', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(0);
  });
  afterAll(async () => stop(sandbox));

  it('drops a deregistered target at once', async () => {
    const { elb } = sandbox;
    const { webArn, suspect, other } = await webTier(sandbox);

    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: webArn, Targets: [{ Id: suspect }] }));

    expect(await healthOf(elb, webArn)).toEqual([[other, 80, 'healthy']]);
  });
});
