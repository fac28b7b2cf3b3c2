import { AwsError } from '../../protocol.ts';
import { type Ec2Context, type Ec2Operations, requiredMember } from './context.ts';
import { applyFilters, type FilterFields, paginate, readFilters } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { cidrContains, parseIpv4Cidr } from './ipv4.ts';
import { KINDS, requireAll, requireOne } from './lookups.ts';
import type { Subnet, Vpc } from './resources.ts';
import { createSecurityGroupRecord } from './security-group-records.ts';
import type { Ec2State } from './state.ts';
import { applyTagSpecifications, readTagSpecifications } from './tags.ts';

/** Create a VPC and, as AWS does, its `default` security group. */
export function createVpcRecord(state: Ec2State, cidrBlock: string, isDefault = false): Vpc {
  parseIpv4Cidr(cidrBlock);
  const vpc: Vpc = {
    vpcId: newEc2Id('vpc'),
    cidrBlock,
    cidrAssociationId: `vpc-cidr-assoc-${newEc2Id('vpc').slice(4)}`,
    isDefault,
    instanceTenancy: 'default',
  };
  state.vpcs.set(vpc.vpcId, vpc);
  createSecurityGroupRecord(state, {
    vpcId: vpc.vpcId,
    groupName: 'default',
    description: 'default VPC security group',
  });
  return vpc;
}

/** Create a subnet; its block must lie within the VPC's (`InvalidSubnet.Range` otherwise). */
export function createSubnetRecord(
  state: Ec2State,
  vpc: Vpc,
  cidrBlock: string,
  availabilityZone: string,
  defaultForAz = false,
): Subnet {
  if (!cidrContains(parseIpv4Cidr(vpc.cidrBlock), parseIpv4Cidr(cidrBlock))) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${cidrBlock}' is invalid.`);
  }
  const subnet: Subnet = {
    subnetId: newEc2Id('subnet'),
    vpcId: vpc.vpcId,
    cidrBlock,
    availabilityZone,
    defaultForAz,
    allocated: 0,
  };
  state.subnets.set(subnet.subnetId, subnet);
  return subnet;
}

/**
 * Every AWS account starts with a default VPC (172.31.0.0/16) holding a default subnet per
 * Availability Zone; instances launched without a subnet go there.
 */
export function createDefaultVpc(state: Ec2State): Vpc {
  const vpc = createVpcRecord(state, '172.31.0.0/16', true);
  createSubnetRecord(state, vpc, '172.31.0.0/20', `${state.region}a`, true);
  createSubnetRecord(state, vpc, '172.31.16.0/20', `${state.region}b`, true);
  return vpc;
}

function vpcView(state: Ec2State, vpc: Vpc) {
  return {
    VpcId: vpc.vpcId,
    OwnerId: state.accountId,
    State: 'available',
    CidrBlock: vpc.cidrBlock,
    CidrBlockAssociationSet: [
      {
        AssociationId: vpc.cidrAssociationId,
        CidrBlock: vpc.cidrBlock,
        CidrBlockState: { State: 'associated' },
      },
    ],
    DhcpOptionsId: 'default',
    InstanceTenancy: vpc.instanceTenancy,
    IsDefault: vpc.isDefault,
    Tags: state.tagSet(vpc.vpcId),
  };
}

function subnetView(state: Ec2State, subnet: Subnet) {
  const size = 2 ** (32 - parseIpv4Cidr(subnet.cidrBlock).prefix);
  return {
    SubnetId: subnet.subnetId,
    SubnetArn: `arn:aws:ec2:${state.region}:${state.accountId}:subnet/${subnet.subnetId}`,
    State: 'available',
    VpcId: subnet.vpcId,
    OwnerId: state.accountId,
    CidrBlock: subnet.cidrBlock,
    AvailableIpAddressCount: Math.max(size - 5 - subnet.allocated, 0),
    AvailabilityZone: subnet.availabilityZone,
    DefaultForAz: subnet.defaultForAz,
    MapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch ?? subnet.defaultForAz,
    Tags: state.tagSet(subnet.subnetId),
  };
}

const VPC_FILTERS: FilterFields<Vpc> = {
  'vpc-id': (v) => v.vpcId,
  'cidr-block': (v) => v.cidrBlock,
  cidr: (v) => v.cidrBlock,
  'is-default': (v) => v.isDefault,
  state: () => 'available',
};

const SUBNET_FILTERS: FilterFields<Subnet> = {
  'subnet-id': (s) => s.subnetId,
  'vpc-id': (s) => s.vpcId,
  'cidr-block': (s) => s.cidrBlock,
  'availability-zone': (s) => s.availabilityZone,
  'default-for-az': (s) => s.defaultForAz,
  state: () => 'available',
};

function createVpc({ input, state }: Ec2Context) {
  const vpc = createVpcRecord(state, requiredMember(input, 'CidrBlock'));
  applyTagSpecifications(state, vpc.vpcId, 'vpc', readTagSpecifications(input));
  return { Vpc: { ...vpcView(state, vpc), State: 'pending' } };
}

function describeVpcs({ input, state }: Ec2Context) {
  const ids = input.VpcIds ?? [];
  const scope = ids.length > 0 ? requireAll(state, KINDS.vpc, ids) : state.vpcs.values();
  const page = paginate(
    applyFilters(state, scope, (v) => v.vpcId, readFilters(input), VPC_FILTERS),
    input,
  );
  return { Vpcs: page.items.map((vpc) => vpcView(state, vpc)), NextToken: page.nextToken };
}

function createSubnet({ input, state }: Ec2Context) {
  const vpc = requireOne(state, KINDS.vpc, requiredMember(input, 'VpcId'));
  const zone = input.AvailabilityZone ?? `${state.region}a`;
  const subnet = createSubnetRecord(state, vpc, requiredMember(input, 'CidrBlock'), zone);
  applyTagSpecifications(state, subnet.subnetId, 'subnet', readTagSpecifications(input));
  return { Subnet: { ...subnetView(state, subnet), State: 'pending' } };
}

function describeSubnets({ input, state }: Ec2Context) {
  const ids = input.SubnetIds ?? [];
  const scope = ids.length > 0 ? requireAll(state, KINDS.subnet, ids) : state.subnets.values();
  const page = paginate(
    applyFilters(state, scope, (s) => s.subnetId, readFilters(input), SUBNET_FILTERS),
    input,
  );
  return { Subnets: page.items.map((subnet) => subnetView(state, subnet)), NextToken: page.nextToken };
}

/** CreateVpc, DescribeVpcs, CreateSubnet, DescribeSubnets. */
export const vpcOperations: Ec2Operations = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
};
