import { AwsError } from '../../protocol.ts';
import type { Ec2Context, Ec2Operations } from './context.ts';
import { requiredMember } from './context.ts';
import { KINDS, requireOne } from './lookups.ts';

/** The attributes ModifySubnetAttribute takes, one per call (its request's members besides SubnetId). */
const SUBNET_ATTRIBUTES = [
  'AssignIpv6AddressOnCreation',
  'MapPublicIpOnLaunch',
  'MapCustomerOwnedIpOnLaunch',
  'CustomerOwnedIpv4Pool',
  'EnableDns64',
  'PrivateDnsHostnameTypeOnLaunch',
  'EnableResourceNameDnsARecordOnLaunch',
  'EnableResourceNameDnsAAAARecordOnLaunch',
  'EnableLniAtDeviceIndex',
  'DisableLniAtDeviceIndex',
] as const;

/**
 * ModifySubnetAttribute: "You can only modify one attribute at a time." The sandbox keeps
 * MapPublicIpOnLaunch (whether new instances get a public IPv4 address); it answers the others
 * with an error rather than pretend to keep them.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySubnetAttribute.html
 */
function modifySubnetAttribute({ input, state }: Ec2Context) {
  const subnet = requireOne(state, KINDS.subnet, requiredMember(input, 'SubnetId'));
  const named = SUBNET_ATTRIBUTES.filter((attribute) => input[attribute] !== undefined);
  if (named.length !== 1)
    throw new AwsError(
      named.length === 0 ? 'MissingParameter' : 'InvalidParameterCombination',
      named.length === 0
        ? 'The request must contain exactly one subnet attribute to modify.'
        : 'Only one attribute can be modified at a time.',
    );
  const value = input.MapPublicIpOnLaunch?.Value;
  if (named[0] !== 'MapPublicIpOnLaunch')
    throw new AwsError(
      'InvalidParameterValue',
      `The sandbox does not keep the subnet attribute ${named[0]}.`,
    );
  if (typeof value !== 'boolean')
    throw new AwsError('MissingParameter', 'MapPublicIpOnLaunch.Value is required.');
  subnet.mapPublicIpOnLaunch = value;
  return {};
}

/** Subnet attributes. */
export const subnetAttributeOperations: Ec2Operations = {
  ModifySubnetAttribute: modifySubnetAttribute,
};
