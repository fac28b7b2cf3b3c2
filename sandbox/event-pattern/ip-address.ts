import { BlockList, isIP } from 'node:net';
import { invalidPattern } from './errors.ts';
import type { LeafPredicate } from './values.ts';

type Family = 'ipv4' | 'ipv6';

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  if (version === 4) return 'ipv4';
  if (version === 6) return 'ipv6';
  return undefined;
}

/** Node's BlockList does the address arithmetic (IPv4, IPv6, `::` compression, mapped IPv4). */
function inList(list: BlockList, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const family = familyOf(value);
  return family !== undefined && list.check(value, family);
}

/**
 * A `cidr` match: true for string values that are IP addresses inside the block. The block's
 * address need not be the network address (`10.0.0.7/24` is `10.0.0.0/24`), as in EventBridge.
 */
export function compileCidr(cidr: unknown): LeafPredicate {
  if (typeof cidr !== 'string') invalidPattern('cidr match pattern must be a string');
  const slash = cidr.indexOf('/');
  const address = slash < 0 ? '' : cidr.slice(0, slash);
  const bitsText = slash < 0 ? '' : cidr.slice(slash + 1);
  const family = familyOf(address);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  const maxBits = family === 'ipv4' ? 32 : 128;
  if (family === undefined || !(bits >= 0 && bits <= maxBits)) {
    invalidPattern(`Malformed CIDR, one '/' required with a valid address and prefix length: ${cidr}`);
  }
  const list = new BlockList();
  list.addSubnet(address, bits, family);
  return (value) => inList(list, value);
}

/**
 * EventBridge compiles an exact-match string that is an IP address into an address range, so
 * `"2001:db8::1"` also matches `"2001:0db8:0:0:0:0:0:1"`. Returns undefined for other strings.
 */
export function compileAddressEquality(text: string): LeafPredicate | undefined {
  const family = familyOf(text);
  if (family === undefined) return undefined;
  const list = new BlockList();
  list.addAddress(text, family);
  return (value) => inList(list, value);
}
