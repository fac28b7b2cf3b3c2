import {
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { Ec2Service } from '#sandbox/services/ec2/ec2-service.ts';

let server: SandboxServer;
let ec2: EC2Client;

beforeAll(async () => {
  server = new SandboxServer();
  server.register(new Ec2Service());
  const endpoint = await server.listen({ port: 0 });
  ec2 = new EC2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
  });
});

afterAll(async () => {
  ec2.destroy();
  await server.close();
});

async function newVpc(): Promise<string> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }));
  return Vpc?.VpcId as string;
}

async function newGroup(vpcId: string, name = 'app'): Promise<string> {
  const out = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} tier`, VpcId: vpcId }),
  );
  return out.GroupId as string;
}

async function rulesOf(groupId: string) {
  const out = await ec2.send(
    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
  );
  return out.SecurityGroupRules ?? [];
}

const sshFromAnywhere = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

describe('CreateSecurityGroup', () => {
  it('creates a group with the default allow-all egress rule and no ingress', async () => {
    const groupId = await newGroup(await newVpc());

    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));

    expect(SecurityGroups?.[0]?.IpPermissions).toEqual([]);
    expect(SecurityGroups?.[0]?.IpPermissionsEgress).toEqual([
      expect.objectContaining({ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ]);
  });

  it('rejects a second group with the same name in the same VPC, but not in another', async () => {
    const vpcId = await newVpc();
    await newGroup(vpcId, 'isolation');

    const duplicate = newGroup(vpcId, 'isolation');

    await expect(duplicate).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
    await expect(newGroup(await newVpc(), 'isolation')).resolves.toMatch(/^sg-[0-9a-f]{17}$/);
  });

  it('finds groups by VPC and name filters', async () => {
    const vpcId = await newVpc();
    const groupId = await newGroup(vpcId, 'quarantine');

    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['quarantine'] },
        ],
      }),
    );

    expect(SecurityGroups?.map((g) => g.GroupId)).toEqual([groupId]);
  });
});

describe('ingress rules', () => {
  it('returns sgr- ids and revokes a world-open rule by id without touching the others', async () => {
    const groupId = await newGroup(await newVpc());
    const added = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          sshFromAnywhere,
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'internal' }],
          },
        ],
      }),
    );
    const worldOpen = added.SecurityGroupRules?.find((r) => r.CidrIpv4 === '0.0.0.0/0');

    const revoked = await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        SecurityGroupRuleIds: [worldOpen?.SecurityGroupRuleId as string],
      }),
    );

    expect(added.SecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([
      expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
      expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
    ]);
    expect(revoked.RevokedSecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([
      worldOpen?.SecurityGroupRuleId,
    ]);
    const remaining = await rulesOf(groupId);
    expect(remaining.map((r) => [r.IsEgress, r.FromPort, r.CidrIpv4, r.Description])).toEqual([
      [true, -1, '0.0.0.0/0', undefined],
      [false, 443, '10.0.0.0/8', 'internal'],
    ]);
  });

  it('rejects a rule that already exists', async () => {
    const groupId = await newGroup(await newVpc());
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [sshFromAnywhere] }),
    );

    const again = ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [sshFromAnywhere] }),
    );

    await expect(again).rejects.toMatchObject({
      name: 'InvalidPermission.Duplicate',
      message: 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    });
  });

  it('answers InvalidPermission.NotFound when revoking a rule the group does not have (non-default VPC)', async () => {
    const groupId = await newGroup(await newVpc());

    const revoke = ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [sshFromAnywhere] }),
    );

    await expect(revoke).rejects.toMatchObject({ name: 'InvalidPermission.NotFound' });
  });

  it('revokes a rule given by its properties', async () => {
    const groupId = await newGroup(await newVpc());
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [sshFromAnywhere] }),
    );

    await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [sshFromAnywhere] }),
    );

    const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    expect(SecurityGroups?.[0]?.IpPermissions).toEqual([]);
  });

  it('answers InvalidSecurityGroupRuleId.NotFound for an unknown rule id', async () => {
    const groupId = await newGroup(await newVpc());

    const revoke = ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        SecurityGroupRuleIds: ['sgr-0123456789abcdef0'],
      }),
    );

    await expect(revoke).rejects.toMatchObject({ name: 'InvalidSecurityGroupRuleId.NotFound' });
  });
});

describe('an isolation group', () => {
  it('ends with no rules once the default egress rule is revoked', async () => {
    const groupId = await newGroup(await newVpc(), 'isolation');

    await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );

    expect(await rulesOf(groupId)).toEqual([]);
  });
});

describe('group errors', () => {
  it('answers InvalidGroup.NotFound and InvalidGroupId.Malformed', async () => {
    const missing = await ec2
      .send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123456789abcdef0'] }))
      .catch((e) => e);
    const malformed = await ec2
      .send(new DescribeSecurityGroupsCommand({ GroupIds: ['web-servers'] }))
      .catch((e) => e);

    expect(missing).toMatchObject({ name: 'InvalidGroup.NotFound' });
    expect(malformed).toMatchObject({ name: 'InvalidGroupId.Malformed' });
  });

  it('refuses to delete a group still used by a network interface, and deletes it once unused', async () => {
    const vpcId = await newVpc();
    const groupId = await newGroup(vpcId);
    const unused = await newGroup(vpcId, 'unused');
    const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.5.0/24' }));
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: Subnet?.SubnetId, Groups: [groupId] }));

    const inUse = ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));

    await expect(inUse).rejects.toMatchObject({ name: 'DependencyViolation' });
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: unused }));
    await expect(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [unused] }))).rejects.toMatchObject({
      name: 'InvalidGroup.NotFound',
    });
  });
});
