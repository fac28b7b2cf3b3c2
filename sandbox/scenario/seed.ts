import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTrailCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { SandboxClients } from '../clients.ts';

/** What the seeded account holds: the ids the scenario's findings refer to. */
export interface SeededAccount {
  users: {
    alice: { leakedKey: string; otherKey: string };
    bob: { key: string };
    breakGlass: { key: string };
  };
  vpcs: string[];
  instance: { id: string; enis: number };
  securityGroups: { web: string; app: string };
  autoScalingGroup: string;
  targetGroupArn: string;
  trail: string;
  bucket: string;
}

/**
 * Seed a small, realistic account through the real SDK, as an operator would build it: users
 * with keys (one of them a break-glass admin), two VPCs, an instance with two ENIs in an Auto
 * Scaling group behind a target group, security groups, a logging trail and a bucket.
 */
export async function seedAccount(c: SandboxClients): Promise<SeededAccount> {
  const key = async (userName: string) =>
    (await c.iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey?.AccessKeyId as string;
  for (const user of ['alice', 'bob', 'break-glass-admin']) {
    await c.iam.send(new CreateUserCommand({ UserName: user, Tags: [{ Key: 'team', Value: 'platform' }] }));
  }
  const users = {
    alice: { leakedKey: await key('alice'), otherKey: await key('alice') },
    bob: { key: await key('bob') },
    breakGlass: { key: await key('break-glass-admin') },
  };

  const vpcs: string[] = [];
  const subnets: string[] = [];
  for (const cidr of ['10.0.0.0/16', '10.1.0.0/16']) {
    const vpc = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc?.VpcId as string;
    vpcs.push(vpc);
    subnets.push(
      (await c.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr.replace('0.0/16', '1.0/24') })))
        .Subnet?.SubnetId as string,
    );
  }
  const group = async (name: string) =>
    (
      await c.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} tier`, VpcId: vpcs[0] }),
      )
    ).GroupId as string;
  const securityGroups = { web: await group('web'), app: await group('app') };
  await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroups.web,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const run = await c.ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: subnets[0], Groups: [securityGroups.web] },
        { DeviceIndex: 1, SubnetId: subnets[0], Groups: [securityGroups.app] },
      ],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web-1' }] }],
    }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId as string;
  const autoScalingGroup = 'web-asg';
  await c.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: autoScalingGroup,
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 1,
      InstanceId: instanceId,
      VPCZoneIdentifier: subnets[0],
    }),
  );
  const targetGroupArn = (
    await c.elbv2.send(
      new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTPS', Port: 443, VpcId: vpcs[0] }),
    )
  ).TargetGroups?.[0]?.TargetGroupArn as string;
  await c.elbv2.send(
    new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: instanceId }] }),
  );

  const trail = 'org-trail';
  const bucket = 'audit-logs-111122223333';
  await c.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await c.cloudtrail.send(new CreateTrailCommand({ Name: trail, S3BucketName: bucket }));
  await c.cloudtrail.send(new StartLoggingCommand({ Name: trail }));

  return {
    users,
    vpcs,
    instance: { id: instanceId, enis: run.Instances?.[0]?.NetworkInterfaces?.length ?? 0 },
    securityGroups,
    autoScalingGroup,
    targetGroupArn,
    trail,
    bucket,
  };
}
