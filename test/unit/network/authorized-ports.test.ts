import { describe, expect, it } from 'vitest';
import {
  parseIngressRevocationInput,
  planIngressRevocation,
  type SecurityGroupRule,
} from '#shared/drift/ingress-revocation.ts';
import type { IngressRule } from '#shared/findings/finding.ts';
import { unauthorizedWorldOpenRules } from '#shared/network/authorized-ports.ts';

const WEB = { tcp: [80, 443], udp: [] };
const tcp = (ruleId: string, fromPort: number, toPort: number, cidrIpv4 = '0.0.0.0/0'): IngressRule => ({
  ruleId,
  protocol: 'tcp',
  fromPort,
  toPort,
  cidrIpv4,
});
const ids = (rules: IngressRule[]) => rules.map((rule) => rule.ruleId);

describe('unauthorizedWorldOpenRules (Security Hub EC2.18)', () => {
  it('leaves world-open rules on authorized ports and takes those on any other port', () => {
    const rules = [
      tcp('http', 80, 80),
      tcp('https', 443, 443),
      { ruleId: 'https-v6', protocol: '6', fromPort: 443, toPort: 443, cidrIpv6: '::/0' },
      tcp('game', 25565, 25565),
      tcp('office-ssh', 22, 22, '203.0.113.0/24'),
    ];

    expect(ids(unauthorizedWorldOpenRules(rules, WEB))).toEqual(['game']);
  });

  it('takes a range that spans authorized ports and others, and an all-traffic rule', () => {
    const rules = [
      tcp('web-range', 80, 443),
      { ruleId: 'all', protocol: '-1', cidrIpv4: '0.0.0.0/0' },
      tcp('https', 443, 443),
    ];

    expect(ids(unauthorizedWorldOpenRules(rules, WEB))).toEqual(['web-range', 'all']);
  });

  it('judges UDP by its own list: UDP 443 is not authorized by TCP 443', () => {
    const rules = [{ ruleId: 'quic', protocol: 'udp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' }];

    expect(ids(unauthorizedWorldOpenRules(rules, WEB))).toEqual(['quic']);
    expect(unauthorizedWorldOpenRules(rules, { tcp: [80, 443], udp: [443] })).toEqual([]);
  });

  it('takes halves that only together open an unauthorized port to the world, and leaves ICMP', () => {
    const rules = [
      tcp('low', 8080, 8080, '0.0.0.0/1'),
      tcp('high', 8080, 8080, '128.0.0.0/1'),
      { ruleId: 'ping', protocol: 'icmp', fromPort: 8, toPort: -1, cidrIpv4: '0.0.0.0/0' },
    ];

    expect(ids(unauthorizedWorldOpenRules(rules, WEB))).toEqual(['low', 'high']);
  });
});

describe('planIngressRevocation with authorized ports', () => {
  const GROUP = 'sg-0a1b2c3d4e5f60718';
  const rule = (id: string, fields: Partial<SecurityGroupRule>): SecurityGroupRule => ({
    SecurityGroupRuleId: id,
    GroupId: GROUP,
    IsEgress: false,
    IpProtocol: 'tcp',
    CidrIpv4: '0.0.0.0/0',
    ...fields,
  });

  it('revokes every world-open rule but those on the authorized ports, and records them', () => {
    const plan = planIngressRevocation(
      parseIngressRevocationInput({
        source: 'securityhub',
        resource: { groupId: GROUP, addedRules: [] },
        decision: { params: { authorizedTcpPorts: [80, 443] } },
        described: {
          SecurityGroupRules: [
            rule('sgr-00000000000000443', { FromPort: 443, ToPort: 443 }),
            rule('sgr-00000000000000080', { FromPort: 80, ToPort: 80 }),
            rule('sgr-00000000000008443', { FromPort: 8443, ToPort: 8443 }),
            rule('sgr-000000000000000e1', { IsEgress: true, IpProtocol: '-1' }),
          ],
        },
      }),
    );

    expect(plan).toMatchObject({
      ruleIds: ['sgr-00000000000008443'],
      ports: [],
      authorizedPorts: { tcp: [80, 443], udp: [] },
    });
  });

  it('refuses an authorized port that is not a port', () => {
    expect(() =>
      parseIngressRevocationInput({
        source: 'securityhub',
        resource: { groupId: GROUP, addedRules: [] },
        decision: { params: { authorizedTcpPorts: ['http'] } },
        described: {},
      }),
    ).toThrow(/authorizedTcpPorts/);
  });
});
