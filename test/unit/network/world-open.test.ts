import { describe, expect, it } from 'vitest';
import type { IngressRule } from '#shared/findings/finding.ts';
import { isWorldOpenCidr, worldOpenRules } from '#shared/network/world-open.ts';

const tcp = (port: number, cidr: string): IngressRule => ({
  protocol: 'tcp',
  fromPort: port,
  toPort: port,
  ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
});

describe('isWorldOpenCidr', () => {
  it.each([
    ['0.0.0.0/0', true],
    ['208.236.235.254/0', true],
    ['::/0', true],
    ['2001:db8::1/0', true],
    ['0.0.0.0/1', false],
    ['10.0.0.0/8', false],
    ['::/1', false],
    ['not-a-cidr', false],
  ])('%s → %s', (cidr, expected) => {
    expect(isWorldOpenCidr(cidr)).toBe(expected);
  });
});

describe('worldOpenRules', () => {
  it('finds two halves of the IPv4 space on one port world-open together', () => {
    const low = tcp(22, '0.0.0.0/1');
    const high = tcp(22, '128.0.0.0/1');

    expect(worldOpenRules([low, high])).toEqual([low, high]);
  });

  it('finds IPv6 halves world-open together', () => {
    const rules = [tcp(3389, '::/1'), tcp(3389, '8000::/1')];

    expect(worldOpenRules(rules)).toEqual(rules);
  });

  it('leaves a block inside the cover alone', () => {
    const office = tcp(22, '10.0.0.0/8');
    const low = tcp(22, '0.0.0.0/1');
    const high = tcp(22, '128.0.0.0/1');

    expect(worldOpenRules([office, low, high])).toEqual([low, high]);
  });

  it('does not add up halves on different ports or protocols', () => {
    const udp: IngressRule = { protocol: 'udp', fromPort: 22, toPort: 22, cidrIpv4: '128.0.0.0/1' };

    expect(worldOpenRules([tcp(22, '0.0.0.0/1'), tcp(80, '128.0.0.0/1')])).toEqual([]);
    expect(worldOpenRules([tcp(22, '0.0.0.0/1'), udp])).toEqual([]);
  });

  it('counts a port range with a single port when both admit the port', () => {
    const range: IngressRule = { protocol: 'tcp', fromPort: 0, toPort: 1024, cidrIpv4: '128.0.0.0/1' };
    const ssh = tcp(22, '0.0.0.0/1');

    expect(worldOpenRules([range, ssh], [22])).toEqual([range, ssh]);
    expect(worldOpenRules([range, ssh], [443])).toEqual([]);
  });

  it('finds every cover, so revoking what it returns leaves nothing world-open', () => {
    const rules = [
      tcp(22, '0.0.0.0/1'),
      tcp(22, '128.0.0.0/1'),
      tcp(22, '0.0.0.0/1'),
      tcp(22, '128.0.0.0/2'),
      tcp(22, '192.0.0.0/2'),
    ];

    expect(worldOpenRules(rules)).toHaveLength(5);
  });
});
