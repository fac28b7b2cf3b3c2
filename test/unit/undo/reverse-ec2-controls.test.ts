import { describe, expect, it } from 'vitest';
import type { Finding } from '#shared/findings/finding.ts';
import type { ExecutionTrail } from '#shared/undo/reverse.ts';
import { reverseCloseDefaultSecurityGroup } from '#shared/undo/reverse-default-group.ts';
import { reverseDisableSubnetPublicIp, reverseRequireImdsv2 } from '#shared/undo/reverse-ec2-settings.ts';

const GROUP = 'sg-0123456789abcdef0';
const INSTANCE = 'i-0123456789abcdef0';

/** One run whose `action` record saw `before`. */
const trailOf = (resource: Finding['resource'], action: string, before: unknown): ExecutionTrail => ({
  finding: { accountId: '111122223333', region: 'us-east-1', resource } as Finding,
  succeeded: [{ at: '2026-12-06T00:00:00Z', action, outcome: 'succeeded', before: JSON.stringify(before) }],
});

describe('undo of close-default-security-group', () => {
  it('authorizes each direction again with the rules as they were, group references and prefix lists included', () => {
    const rules = [
      {
        SecurityGroupRuleId: 'sgr-1',
        IsEgress: false,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        ReferencedGroupInfo: { GroupId: GROUP, UserId: '111122223333' },
      },
      {
        SecurityGroupRuleId: 'sgr-2',
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '10.0.0.0/16',
        Description: 'office',
      },
      {
        SecurityGroupRuleId: 'sgr-3',
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: '0.0.0.0/0',
      },
      {
        SecurityGroupRuleId: 'sgr-4',
        IsEgress: true,
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        PrefixListId: 'pl-0123456789abcdef0',
      },
    ];
    const trail = trailOf(
      { kind: 'SecurityGroup', groupId: GROUP, addedRules: [] },
      'RevokeSecurityGroupRules',
      {
        SecurityGroupRules: rules,
      },
    );

    const { actions } = reverseCloseDefaultSecurityGroup(trail);

    expect(actions.map((a) => [a.type, a.request])).toEqual([
      [
        'AuthorizeSecurityGroupIngress',
        {
          GroupId: GROUP,
          IpPermissions: [
            { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: GROUP, UserId: '111122223333' }] },
            {
              IpProtocol: 'tcp',
              FromPort: 22,
              ToPort: 22,
              IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'office' }],
            },
          ],
        },
      ],
      [
        'AuthorizeSecurityGroupEgress',
        {
          GroupId: GROUP,
          IpPermissions: [
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
            {
              IpProtocol: 'tcp',
              FromPort: 443,
              ToPort: 443,
              PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
            },
          ],
        },
      ],
    ]);
  });

  it('does nothing for a run that found the group without rules', () => {
    const trail = trailOf(
      { kind: 'SecurityGroup', groupId: GROUP, addedRules: [] },
      'RevokeSecurityGroupRules',
      {},
    );

    expect(reverseCloseDefaultSecurityGroup(trail)).toEqual({ actions: [], notes: [] });
  });
});

describe('undo of require-imdsv2', () => {
  const instance: Finding['resource'] = { kind: 'Instance', instanceId: INSTANCE };

  it('sets HttpTokens back to optional, naming no other option', () => {
    const trail = trailOf(instance, 'ModifyInstanceMetadataOptions', { HttpTokens: 'optional' });

    expect(reverseRequireImdsv2(trail).actions.map((a) => [a.type, a.request])).toEqual([
      ['ModifyInstanceMetadataOptions', { InstanceId: INSTANCE, HttpTokens: 'optional' }],
    ]);
  });

  it('does nothing when IMDSv2 was already required', () => {
    const trail = trailOf(instance, 'ModifyInstanceMetadataOptions', { HttpTokens: 'required' });

    expect(reverseRequireImdsv2(trail).actions).toEqual([]);
  });
});

describe('undo of disable-subnet-public-ip', () => {
  const SUBNET = 'subnet-0123456789abcdef0';
  const subnet: Finding['resource'] = { kind: 'Other', type: 'AwsEc2Subnet', id: SUBNET };

  it('turns automatic public addresses back on when the subnet assigned them before', () => {
    const trail = trailOf(subnet, 'ModifySubnetAttribute', { MapPublicIpOnLaunch: true });

    expect(reverseDisableSubnetPublicIp(trail).actions.map((a) => [a.type, a.request])).toEqual([
      ['ModifySubnetAttribute', { SubnetId: SUBNET, MapPublicIpOnLaunch: { Value: true } }],
    ]);
  });

  it('does nothing when the subnet assigned no public addresses before', () => {
    const trail = trailOf(subnet, 'ModifySubnetAttribute', { MapPublicIpOnLaunch: false });

    expect(reverseDisableSubnetPublicIp(trail).actions).toEqual([]);
  });
});
