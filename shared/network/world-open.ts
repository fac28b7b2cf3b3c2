import ipaddr from 'ipaddr.js';
import type { IngressRule } from '#shared/findings/finding.ts';

/**
 * Whether ingress rules open a port to the whole internet, by CIDR arithmetic rather than by
 * spelling: `208.236.235.254/0` is as world-open as `0.0.0.0/0` (a prefix length of 0 leaves no
 * network bits), and `0.0.0.0/1` with `128.0.0.0/1` together admit every IPv4 address. Security
 * groups evaluate all their rules together, allowing traffic any rule allows, so a set of rules
 * is judged as one (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
 * Addresses are parsed by ipaddr.js; only the interval cover is written here.
 */

type Family = 'ipv4' | 'ipv6';
interface AddressRange {
  family: Family;
  start: bigint;
  end: bigint;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };
const LAST: Record<Family, bigint> = { ipv4: (1n << 32n) - 1n, ipv6: (1n << 128n) - 1n };

/** The addresses a CIDR block covers, or undefined when it is not a CIDR block of the family. */
function rangeOf(cidr: string, family: Family): AddressRange | undefined {
  const valid =
    family === 'ipv4' ? ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr) : ipaddr.IPv6.isValidCIDR(cidr);
  if (!valid) return undefined;
  const [address, prefix] = ipaddr.parseCIDR(cidr);
  const value = address.toByteArray().reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
  const hostBits = BigInt(BITS[family] - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const start = value & ~hostMask & LAST[family];
  return { family, start, end: start | hostMask };
}

/** The rule's CIDR as an address range (a rule names one IPv4 or one IPv6 block, or a group/prefix list). */
function rangeOfRule(rule: IngressRule): AddressRange | undefined {
  if (rule.cidrIpv4 !== undefined) return rangeOf(rule.cidrIpv4, 'ipv4');
  if (rule.cidrIpv6 !== undefined) return rangeOf(rule.cidrIpv6, 'ipv6');
  return undefined;
}

/** True when the CIDR block alone admits every address of its family (prefix length 0). */
export function isWorldOpenCidr(cidr: string): boolean {
  const range = rangeOf(cidr, cidr.includes(':') ? 'ipv6' : 'ipv4');
  return range !== undefined && range.start === 0n && range.end === LAST[range.family];
}

/**
 * The fewest of `rules` whose blocks together admit every address of one family, or [] when
 * they do not. Greedy interval cover: from the lowest address not yet covered, take the block
 * that starts at or below it and reaches farthest; a block inside another is never taken.
 */
export function worldOpenCover(rules: readonly IngressRule[]): IngressRule[] {
  // Each block parsed once, not once per family.
  const ranges = rules.flatMap((rule) => {
    const range = rangeOfRule(rule);
    return range ? [{ rule, range }] : [];
  });
  for (const family of ['ipv4', 'ipv6'] as const) {
    const ranged = ranges.filter(({ range }) => range.family === family);
    const chosen: IngressRule[] = [];
    let next = 0n;
    while (next <= LAST[family]) {
      let best: (typeof ranged)[number] | undefined;
      for (const candidate of ranged)
        if (candidate.range.start <= next && candidate.range.end >= next)
          if (!best || candidate.range.end > best.range.end) best = candidate;
      if (!best) break;
      chosen.push(best.rule);
      next = best.range.end + 1n;
    }
    if (next > LAST[family]) return chosen;
  }
  return [];
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };

/** The rule's protocol by name: `6`, `17`, `1` and `all` as `tcp`, `udp`, `icmp` and `-1`. */
export function protocolOf(protocol: string): string {
  const lower = protocol.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** True when the rule admits one of `ports`; `-1` in `ports` stands for "all protocols and ports" rules. */
export function coversPorts(rule: IngressRule, ports: readonly number[]): boolean {
  const protocol = protocolOf(rule.protocol);
  if (protocol === '-1') return ports.includes(-1);
  if (protocol !== 'tcp' && protocol !== 'udp') return false;
  const from = rule.fromPort ?? 0;
  const to = rule.toPort ?? 65535;
  return ports.some((port) => port >= 0 && port >= from && port <= to);
}

/**
 * The groups of rules that admit the same traffic and are judged together: per port of `ports`,
 * the TCP rules and the UDP rules that admit it (`-1`: the all-traffic rules). Without `ports`,
 * every port a rule opens (which rules admit a port changes only where a range starts, so each
 * range's first port stands for the rest) and each other protocol (ICMP...) as a whole.
 */
function trafficGroups(rules: readonly IngressRule[], ports?: readonly number[]): IngressRule[][] {
  const portRules = (protocol: string) => rules.filter((rule) => protocolOf(rule.protocol) === protocol);
  const candidates = ports ?? [
    -1,
    ...rules.filter((rule) => coversPorts(rule, [rule.fromPort ?? 0])).map((rule) => rule.fromPort ?? 0),
  ];
  const groups = [...new Set(candidates)].flatMap((port) =>
    port === -1
      ? [portRules('-1')]
      : ['tcp', 'udp'].map((protocol) => portRules(protocol).filter((rule) => coversPorts(rule, [port]))),
  );
  if (ports) return groups;
  const others = [...new Set(rules.map((rule) => protocolOf(rule.protocol)))].filter(
    (protocol) => !['-1', 'tcp', 'udp'].includes(protocol),
  );
  return [...groups, ...others.map(portRules)];
}

/**
 * Every rule that opens one of `ports` (default: any port) to the whole internet, alone or
 * together with others of its group. Covers are taken until none is left, so removing every rule
 * returned leaves no set of the rest admitting the whole internet there.
 */
export function worldOpenRules(rules: readonly IngressRule[], ports?: readonly number[]): IngressRule[] {
  const open = new Set<IngressRule>();
  for (const group of trafficGroups(rules, ports)) {
    let rest = group;
    for (let cover = worldOpenCover(rest); cover.length > 0; cover = worldOpenCover(rest)) {
      for (const rule of cover) open.add(rule);
      rest = rest.filter((rule) => !cover.includes(rule));
    }
  }
  return rules.filter((rule) => open.has(rule));
}
