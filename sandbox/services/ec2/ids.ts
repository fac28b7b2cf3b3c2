import { randomBytes } from 'node:crypto';

/** The prefixes of EC2 resource ids the sandbox issues. */
export type Ec2IdPrefix =
  | 'i'
  | 'r'
  | 'sg'
  | 'sgr'
  | 'eni'
  | 'eni-attach'
  | 'vol'
  | 'snap'
  | 'vpc'
  | 'subnet'
  | 'ami'
  | 'iip-assoc'
  | 'replacevol'
  | 'lt'
  | 'fl';

/** A new id in the current EC2 format: the prefix and 17 lowercase hex digits. */
export function newEc2Id(prefix: Ec2IdPrefix): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/**
 * Whether `id` is shaped like an id with `prefix`. EC2 ids have 8 (older resources) or
 * 17 hex digits; anything else is rejected as malformed before any lookup.
 */
export function isEc2Id(id: string, prefix: Ec2IdPrefix): boolean {
  return new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}

/** The resource type EC2 reports for an id (DescribeTags `resourceType`), by its prefix. */
export function resourceTypeOf(id: string): string | undefined {
  const prefix = id.slice(0, id.lastIndexOf('-'));
  const types: Record<string, string> = {
    i: 'instance',
    sg: 'security-group',
    sgr: 'security-group-rule',
    eni: 'network-interface',
    vol: 'volume',
    snap: 'snapshot',
    vpc: 'vpc',
    subnet: 'subnet',
    ami: 'image',
    replacevol: 'replace-root-volume-task',
    lt: 'launch-template',
    fl: 'vpc-flow-log',
  };
  return types[prefix];
}

/** A random locally administered MAC address, as EC2 assigns to an ENI. */
export function newMacAddress(): string {
  const bytes = [0x02, ...randomBytes(5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
