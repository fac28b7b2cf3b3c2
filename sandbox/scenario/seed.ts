import { AttachInstancesCommand, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateTrailCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import {
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  RegisterImageCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
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
  /** The demo instance's role, the profile that holds it, and the association to the instance. */
  instanceRole: {
    roleName: string;
    instanceProfileName: string;
    instanceProfileArn: string;
    associationId: string;
  };
  securityGroups: { web: string; app: string; jump: string };
  /** The `sgr-` id of a world-open SSH rule on the web group: the demo's configuration drift. */
  openSshRuleId: string;
  autoScalingGroup: string;
  targetGroupArn: string;
  trail: string;
  bucket: string;
  /** Made public by a bucket policy: the scenario's bucket drift. */
  publicBucket: string;
}

/**
 * Seed a small, realistic account through the real SDK, as an operator would build it: users
 * with keys (one of them a break-glass admin), two VPCs, an instance with two ENIs and an
 * instance role in an Auto Scaling group behind a target group, security groups, a logging
 * trail and a bucket. Then the drift the scenario's CloudTrail events report: SSH opened to the
 * world on the web group, and the trail's logging stopped.
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
  const securityGroups = { web: await group('web'), app: await group('app'), jump: await group('jump') };
  await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroups.web,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  // Someone "temporarily" opened SSH to the world: the drift the scenario's CloudTrail event reports.
  const openSsh = await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroups.web,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'temp ssh' }],
        },
      ],
    }),
  );
  const openSshRuleId = openSsh.SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;
  // RDP opened to the world on the jump hosts, next to a legitimate rule: AWS Config reports this one.
  await c.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: securityGroups.jump,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    }),
  );
  // The image the instance runs: registered, so re-imaging from the launch image finds it.
  const image = await c.ec2.send(
    new RegisterImageCommand({
      Name: 'web-base-2026-11',
      Description: 'Web tier base image',
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
    }),
  );
  const run = await c.ec2.send(
    new RunInstancesCommand({
      ImageId: image.ImageId as string,
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
  const instanceRole = await attachInstanceRole(c, instanceId);
  const autoScalingGroup = 'web-asg';
  await c.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: autoScalingGroup,
      MinSize: 0,
      MaxSize: 3,
      DesiredCapacity: 0,
      InstanceId: instanceId,
      VPCZoneIdentifier: subnets[0],
    }),
  );
  // InstanceId above only templates the group's launch settings; attaching makes it a member
  // (and raises the desired capacity to 1).
  await c.autoscaling.send(
    new AttachInstancesCommand({ AutoScalingGroupName: autoScalingGroup, InstanceIds: [instanceId] }),
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
  // ...until someone stopped it: the drift the scenario's StopLogging event reports.
  await c.cloudtrail.send(new StopLoggingCommand({ Name: trail }));
  // A bucket someone made public with a bucket policy: the scenario's PutBucketPolicy event.
  const publicBucket = 'web-assets-111122223333';
  await c.s3.send(new CreateBucketCommand({ Bucket: publicBucket }));
  await c.s3.send(
    new PutBucketPolicyCommand({
      Bucket: publicBucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PublicRead',
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Resource: `arn:aws:s3:::${publicBucket}/*`,
          },
        ],
      }),
    }),
  );

  return {
    users,
    vpcs,
    instance: { id: instanceId, enis: run.Instances?.[0]?.NetworkInterfaces?.length ?? 0 },
    instanceRole,
    securityGroups,
    openSshRuleId,
    autoScalingGroup,
    targetGroupArn,
    trail,
    bucket,
    publicBucket,
  };
}

/** Trust policy letting EC2 hand the role's credentials to the instance (the metadata service). */
const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Give the instance a role the way operators do: role, instance profile holding it, association. */
async function attachInstanceRole(
  c: SandboxClients,
  instanceId: string,
): Promise<SeededAccount['instanceRole']> {
  const roleName = 'web-server-role';
  const instanceProfileName = 'web-server';
  await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: EC2_TRUST_POLICY }));
  const profile = await c.iam.send(
    new CreateInstanceProfileCommand({ InstanceProfileName: instanceProfileName }),
  );
  await c.iam.send(
    new AddRoleToInstanceProfileCommand({ InstanceProfileName: instanceProfileName, RoleName: roleName }),
  );
  const instanceProfileArn = profile.InstanceProfile?.Arn as string;
  const association = await c.ec2.send(
    new AssociateIamInstanceProfileCommand({
      InstanceId: instanceId,
      IamInstanceProfile: { Arn: instanceProfileArn },
    }),
  );
  return {
    roleName,
    instanceProfileName,
    instanceProfileArn,
    associationId: association.IamInstanceProfileAssociation?.AssociationId as string,
  };
}
