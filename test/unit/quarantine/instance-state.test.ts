import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InstanceStateInputError,
  parseInstanceStateInput,
  readForQuarantine,
} from '#shared/quarantine/instance-state.ts';

const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const iam = mockClient(IAMClient);
afterEach(() => {
  ec2.reset();
  autoScaling.reset();
  elbv2.reset();
  iam.reset();
});
const clients = () => ({
  ec2: new EC2Client({}),
  autoScaling: new AutoScalingClient({}),
  elbv2: new ElasticLoadBalancingV2Client({}),
  iam: new IAMClient({}),
});

const PROFILE = 'arn:aws:iam::111122223333:instance-profile/web/web-profile';
const TG = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/${name}/0123`;
const input = (instance: Record<string, unknown> = {}) =>
  parseInstanceStateInput({
    instanceId: 'i-0abc',
    instance: {
      VpcId: 'vpc-a',
      IamInstanceProfile: { Arn: PROFILE },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }],
      ...instance,
    },
    networkInterfaces: [{ networkInterfaceId: 'eni-1', groups: [{ GroupId: 'sg-web' }], changed: true }],
  });

describe('readForQuarantine: the state before quarantine, as undo reads it', () => {
  it('records the group, serving target groups, settled profile and role, and hands on only the groups to deregister', async () => {
    ec2.on(DescribeTagsCommand).resolves({ Tags: [] });
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({
      AutoScalingInstances: [{ InstanceId: 'i-0abc', AutoScalingGroupName: 'web-asg' } as never],
    });
    elbv2.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupArn: TG('web'), TargetType: 'instance', VpcId: 'vpc-a' },
        { TargetGroupArn: TG('idle'), TargetType: 'instance', VpcId: 'vpc-a' },
        { TargetGroupArn: TG('other-vpc'), TargetType: 'instance', VpcId: 'vpc-b' },
        { TargetGroupArn: TG('ip'), TargetType: 'ip', VpcId: 'vpc-a' },
        { TargetGroupArn: TG('gone'), TargetType: 'instance', VpcId: 'vpc-a' },
      ],
    });
    elbv2
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG('web') })
      .resolves({
        TargetHealthDescriptions: [
          { Target: { Id: 'i-0abc', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        ],
      })
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG('idle') })
      .resolves({
        TargetHealthDescriptions: [{ Target: { Id: 'i-0abc', Port: 80 }, TargetHealth: { State: 'unused' } }],
      })
      .on(DescribeTargetHealthCommand, { TargetGroupArn: TG('gone') })
      .rejects(Object.assign(new Error('gone'), { name: 'TargetGroupNotFoundException' }));
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        { AssociationId: 'iip-assoc-1', IamInstanceProfile: { Arn: PROFILE }, State: 'associated' },
      ],
    });
    iam
      .on(GetInstanceProfileCommand, { InstanceProfileName: 'web-profile' })
      .resolves({ InstanceProfile: { Roles: [{ RoleName: 'web-role' }] } as never });

    const { before, servingTargetGroups, changes } = await readForQuarantine(clients(), input());

    expect(before).toEqual({
      instanceId: 'i-0abc',
      vpcId: 'vpc-a',
      networkInterfaces: [{ networkInterfaceId: 'eni-1', groups: [{ GroupId: 'sg-web' }], changed: true }],
      volumes: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }],
      quarantineTag: { tags: [] },
      quarantinedBy: { findingId: '' },
      autoScaling: { member: true, autoScalingGroupName: 'web-asg' },
      targetGroups: [
        { targetGroupArn: TG('web'), state: 'healthy', port: 8080 },
        { targetGroupArn: TG('idle'), state: 'unused', port: 80 },
        { targetGroupArn: TG('other-vpc'), state: 'not-applicable' },
        { targetGroupArn: TG('ip'), state: 'not-applicable' },
        { targetGroupArn: TG('gone'), state: 'unknown', error: 'TargetGroupNotFoundException' },
      ],
      targetGroupsTruncated: false,
      instanceProfile: { associated: true, associationId: 'iip-assoc-1', instanceProfileArn: PROFILE },
      instanceRole: { roleName: 'web-role' },
    });
    // Only where it serves on a known port: not idle, not another VPC's, not one it could not read.
    expect(servingTargetGroups).toEqual([{ targetGroupArn: TG('web'), port: 8080 }]);
    // The instance's health is asked only of instance groups of its own VPC.
    expect(
      elbv2.commandCalls(DescribeTargetHealthCommand).map((c) => c.args[0].input.TargetGroupArn),
    ).toEqual([TG('web'), TG('idle'), TG('gone')]);
    // A first quarantine of an instance with a role, a settled profile and a group: every change.
    expect(changes).toEqual({
      revokeSessions: true,
      removeProfile: true,
      preserveEvidence: true,
      leaveAutoScalingGroup: true,
    });
  });

  it('names the finding that quarantined it first, and records an unsettled profile, a missing group and a further page', async () => {
    ec2.on(DescribeTagsCommand).resolves({ Tags: [{ Key: 'remediation:quarantine', Value: 'finding-1' }] });
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({ AutoScalingInstances: [] });
    elbv2.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [], NextMarker: 'more' });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });
    iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { Roles: [] } as never });

    const { before, changes } = await readForQuarantine(clients(), input());

    // Quarantined before, no role, an unsettled association, no group: none of the changes.
    expect(changes).toEqual({
      revokeSessions: false,
      removeProfile: false,
      preserveEvidence: false,
      leaveAutoScalingGroup: false,
    });
    expect(before.quarantinedBy).toEqual({ findingId: 'finding-1' });
    expect(before.autoScaling).toEqual({ member: false });
    expect(before.targetGroupsTruncated).toBe(true);
    expect(before.instanceProfile).toEqual({
      associated: false,
      unsettled: true,
      instanceProfileArn: PROFILE,
    });
    expect(before.instanceRole).toEqual({});
  });

  it('reads no association or role for an instance without a profile', async () => {
    ec2.on(DescribeTagsCommand).resolves({});
    autoScaling.on(DescribeAutoScalingInstancesCommand).resolves({});
    elbv2.on(DescribeTargetGroupsCommand).resolves({});

    const { before } = await readForQuarantine(clients(), input({ IamInstanceProfile: undefined }));

    expect(before.instanceProfile).toEqual({ associated: false });
    expect(before.instanceRole).toEqual({});
    expect(ec2.commandCalls(DescribeIamInstanceProfileAssociationsCommand)).toHaveLength(0);
    expect(iam.commandCalls(GetInstanceProfileCommand)).toHaveLength(0);
  });

  it('fails the whole read when one read is refused, so the run hands over to a person', async () => {
    ec2.on(DescribeTagsCommand).resolves({});
    autoScaling
      .on(DescribeAutoScalingInstancesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    elbv2.on(DescribeTargetGroupsCommand).resolves({});
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({});
    iam.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { Roles: [] } as never });

    await expect(readForQuarantine(clients(), input())).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses input without the instance VPC or with a role that is not an IAM role ARN', () => {
    expect(() => parseInstanceStateInput({ instanceId: 'i-1', instance: {}, networkInterfaces: [] })).toThrow(
      InstanceStateInputError,
    );
    expect(() =>
      parseInstanceStateInput({
        instanceId: 'i-1',
        instance: { VpcId: 'vpc-a' },
        networkInterfaces: [],
        roleArn: 'arn:aws:iam::111122223333:user/alice',
      }),
    ).toThrow(/roleArn/);
  });
});
