import { isIPv4 } from 'node:net';
import { AwsError } from '../../protocol.ts';

/** An IPv4 CIDR block as numbers: the network address and the prefix length. */
export interface Ipv4Block {
  readonly network: number;
  readonly prefix: number;
}

function toNumber(address: string): number {
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Parse `a.b.c.d/n`; throws `InvalidParameterValue` naming `parameter` when it is not one. */
export function parseIpv4Cidr(cidr: string, parameter = 'cidrBlock'): Ipv4Block {
  const [address, bits, ...rest] = cidr.split('/');
  const prefix = Number(bits);
  if (
    !address ||
    !isIPv4(address) ||
    rest.length > 0 ||
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > 32
  ) {
    throw new AwsError('InvalidParameterValue', `Value (${cidr}) for parameter ${parameter} is invalid.`);
  }
  const size = 2 ** (32 - prefix);
  return { network: Math.floor(toNumber(address) / size) * size, prefix };
}

/** Whether `inner` lies entirely within `outer`. */
export function cidrContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  if (inner.prefix < outer.prefix) return false;
  const size = 2 ** (32 - outer.prefix);
  return Math.floor(inner.network / size) * size === outer.network;
}

/**
 * The `n`th host address of a block. AWS reserves the first four addresses of every subnet
 * (network, router, DNS, future use), so hosts start at offset 4.
 */
export function hostAddress(block: Ipv4Block, n: number): string {
  const size = 2 ** (32 - block.prefix);
  return toAddress(block.network + 4 + (n % Math.max(size - 5, 1)));
}

/** The private DNS name EC2 gives an address: `ip-10-0-1-5.ec2.internal` in us-east-1. */
export function privateDnsName(address: string, region: string): string {
  const host = `ip-${address.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}
