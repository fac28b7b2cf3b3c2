import { describe, expect, it } from 'vitest';
import {
  coversPorts,
  IngressRevocationInputError,
  parseIngressRevocationInput,
  planIngressRevocation,
  type SecurityGroupRule,
} from '#shared/drift/ingress-revocation.ts';

const GROUP = 'sg-0a1b2c3d4e5f60718';
const rule = (id: string, fields: Partial<SecurityGroupRule>): SecurityGroupRule => ({
  SecurityGroupRuleId: id,
  GroupId: GROUP,
  IsEgress: false,
  IpProtocol: 'tcp',
  ...fields,
});
const https = rule('sgr-00000000000000443', { FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' });
const sshWorld = rule('sgr-00000000000000022', { FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' });
const sshWorldV6 = rule('sgr-00000000000000066', { FromPort: 22, ToPort: 22, CidrIpv6: '::/0' });
const sshOffice = rule('sgr-000000000000000a1', { FromPort: 22, ToPort: 22, CidrIpv4: '203.0.113.0/24' });
const allTraffic = rule('sgr-000000000000000ff', { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' });
const egressAll = rule('sgr-000000000000000e1', { IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' });

describe('planIngressRevocation from a CloudTrail call', () => {
  it('revokes only the world-open sensitive rules the call added, by rule id', () => {
    // Arrange: the call added world-open SSH (v4 and v6) and an office-only SSH rule.
    const input = parseIngressRevocationInput({
      source: 'cloudtrail',
      resource: {
        groupId: GROUP,
        addedRules: [
          {
            ruleId: sshWorld.SecurityGroupRuleId,
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '0.0.0.0/0',
          },
          {
            ruleId: sshWorldV6.SecurityGroupRuleId,
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv6: '::/0',
          },
          {
            ruleId: sshOffice.SecurityGroupRuleId,
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '203.0.113.0/24',
          },
        ],
      },
      described: { SecurityGroupRules: [https, sshWorld, sshWorldV6, sshOffice, allTraffic, egressAll] },
    });

    // Act
    const plan = planIngressRevocation(input);

    // Assert: the pre-existing all-traffic rule is not the finding's, so it stays.
    expect(plan.ruleIds).toEqual([sshWorld.SecurityGroupRuleId, sshWorldV6.SecurityGroupRuleId]);
    expect(plan).toMatchObject({ scope: 'added-rules', count: 2, alreadyGone: [] });
    expect(plan.leftAlone.map((r) => r.ruleId)).toEqual([sshOffice.SecurityGroupRuleId]);
  });

  it('reports an added rule the group no longer has as already gone, and revokes nothing', () => {
    const plan = planIngressRevocation(
      parseIngressRevocationInput({
        source: 'cloudtrail',
        resource: {
          groupId: GROUP,
          addedRules: [
            {
              ruleId: 'sgr-0123456789abcdef0',
              protocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrIpv4: '0.0.0.0/0',
            },
          ],
        },
        described: {},
      }),
    );

    expect(plan).toMatchObject({ count: 0, ruleIds: [], alreadyGone: [{ ruleId: 'sgr-0123456789abcdef0' }] });
  });

  it('finds a rule from an older record (no rule id) by protocol, ports and CIDR', () => {
    const plan = planIngressRevocation(
      parseIngressRevocationInput({
        source: 'cloudtrail',
        resource: {
          groupId: GROUP,
          addedRules: [{ protocol: '6', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' }],
        },
        described: { SecurityGroupRules: [https, sshWorld] },
      }),
    );

    expect(plan.ruleIds).toEqual([sshWorld.SecurityGroupRuleId]);
  });

  it("honours the policy rule's ports: a port left out of them is left alone", () => {
    const plan = planIngressRevocation(
      parseIngressRevocationInput({
        source: 'cloudtrail',
        resource: {
          groupId: GROUP,
          addedRules: [
            {
              ruleId: sshWorld.SecurityGroupRuleId,
              protocol: 'tcp',
              fromPort: 22,
              toPort: 22,
              cidrIpv4: '0.0.0.0/0',
            },
          ],
        },
        decision: { params: { ports: [3389] } },
        described: { SecurityGroupRules: [sshWorld] },
      }),
    );

    expect(plan).toMatchObject({
      count: 0,
      ports: [3389],
      leftAlone: [{ ruleId: sshWorld.SecurityGroupRuleId }],
    });
  });
});

describe('planIngressRevocation from AWS Config (the group only)', () => {
  it("revokes the group's world-open ingress rules on sensitive ports and keeps the rest", () => {
    const plan = planIngressRevocation(
      parseIngressRevocationInput({
        source: 'config',
        resource: { groupId: GROUP, addedRules: [] },
        decision: { params: null },
        described: { SecurityGroupRules: [https, sshWorld, sshOffice, allTraffic, egressAll] },
      }),
    );

    expect(plan).toMatchObject({
      scope: 'group',
      ruleIds: [sshWorld.SecurityGroupRuleId, allTraffic.SecurityGroupRuleId],
      ports: [22, 3389, 3306, 5432, 6379, 9200, 27017, -1],
    });
  });
});

describe('planIngressRevocation by CIDR arithmetic', () => {
  const lowHalf = rule('sgr-000000000000000b1', { FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/1' });
  const highHalf = rule('sgr-000000000000000b2', { FromPort: 22, ToPort: 22, CidrIpv4: '128.0.0.0/1' });
  const zeroPrefix = rule('sgr-000000000000000b3', {
    FromPort: 3389,
    ToPort: 3389,
    CidrIpv4: '208.236.235.254/0',
  });

  it('revokes the added half that, with a half already in the group, opens SSH to the world', () => {
    const input = parseIngressRevocationInput({
      source: 'cloudtrail',
      resource: {
        groupId: GROUP,
        addedRules: [
          {
            ruleId: highHalf.SecurityGroupRuleId,
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '128.0.0.0/1',
          },
        ],
      },
      described: { SecurityGroupRules: [lowHalf, highHalf, sshOffice] },
    });

    const plan = planIngressRevocation(input);

    expect(plan.ruleIds).toEqual([highHalf.SecurityGroupRuleId]);
  });

  it('revokes both halves and a /0 on any address from a Config finding, leaving narrower rules', () => {
    const input = parseIngressRevocationInput({
      source: 'config',
      resource: { groupId: GROUP, addedRules: [] },
      described: { SecurityGroupRules: [lowHalf, highHalf, zeroPrefix, sshOffice, https] },
    });

    const plan = planIngressRevocation(input);

    expect(plan.ruleIds).toEqual([lowHalf, highHalf, zeroPrefix].map((r) => r.SecurityGroupRuleId));
  });
});

describe('coversPorts', () => {
  it.each([
    [{ protocol: 'tcp', fromPort: 0, toPort: 65535 }, [22], true],
    [{ protocol: 'udp', fromPort: 6379, toPort: 6379 }, [6379], true],
    [{ protocol: 'tcp', fromPort: 443, toPort: 443 }, [22, -1], false],
    [{ protocol: '-1' }, [22, -1], true],
    [{ protocol: '-1' }, [22], false],
    [{ protocol: 'icmp', fromPort: -1, toPort: -1 }, [22, -1], false],
  ])('%o on %o is %s', (ingress, ports, expected) => {
    expect(coversPorts(ingress, ports)).toBe(expected);
  });
});

describe('parseIngressRevocationInput', () => {
  it('names the offending field of malformed input', () => {
    expect(() => parseIngressRevocationInput({ source: 'cloudtrail', resource: { groupId: GROUP } })).toThrow(
      IngressRevocationInputError,
    );
    expect(() => parseIngressRevocationInput({ source: 'cloudtrail', resource: { groupId: GROUP } })).toThrow(
      /resource\.addedRules/,
    );
  });
});

describe('planIngressRevocation from a port probe on an instance', () => {
  const OTHER = 'sg-0b2c3d4e5f6071829';
  const probed = (ports: number[], rules: SecurityGroupRule[]) =>
    planIngressRevocation(
      parseIngressRevocationInput({
        source: 'guardduty',
        resource: {
          kind: 'Instance',
          instanceId: 'i-0abcdef1234567890',
          securityGroupIds: [GROUP, OTHER],
          probedPorts: ports,
        },
        // The policy's ports do not apply: the finding names the port.
        decision: { params: { ports: [3389] } },
        described: { SecurityGroupRules: rules },
      }),
    );

  it("revokes the world-open rules on the probed port in each of the instance's groups, nothing else", () => {
    const sshWorldOther = { ...sshWorld, SecurityGroupRuleId: 'sgr-0000000000000b022', GroupId: OTHER };

    const plan = probed([22], [https, sshWorld, sshOffice, egressAll, sshWorldOther]);

    expect(plan.groups).toEqual([
      { groupId: GROUP, ruleIds: [sshWorld.SecurityGroupRuleId] },
      { groupId: OTHER, ruleIds: ['sgr-0000000000000b022'] },
    ]);
    expect(plan).toMatchObject({ scope: 'probed-ports', ports: [22, -1], count: 2 });
  });

  it('judges the groups together: halves of the internet in two groups are world-open', () => {
    const lowHalf = rule('sgr-0000000000000a001', { FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/1' });
    const highHalf = {
      ...lowHalf,
      SecurityGroupRuleId: 'sgr-0000000000000b001',
      GroupId: OTHER,
      CidrIpv4: '128.0.0.0/1',
    };

    expect(probed([22], [lowHalf, highHalf]).ruleIds).toEqual([
      lowHalf.SecurityGroupRuleId,
      highHalf.SecurityGroupRuleId,
    ]);
  });

  it('revokes an all-traffic world-open rule, which opens the probed port too', () => {
    expect(probed([8088], [https, allTraffic]).ruleIds).toEqual([allTraffic.SecurityGroupRuleId]);
  });

  it("ignores rules of groups that are not the instance's", () => {
    const elsewhere = { ...sshWorld, GroupId: 'sg-0c3d4e5f607182930' };

    expect(probed([22], [elsewhere])).toMatchObject({ count: 0, groups: [] });
  });

  it('names the missing field of a port probe without probed ports', () => {
    expect(() =>
      parseIngressRevocationInput({
        source: 'guardduty',
        resource: { kind: 'Instance', instanceId: 'i-0abcdef1234567890', securityGroupIds: [GROUP] },
        described: {},
      }),
    ).toThrow(/resource\.probedPorts/);
  });
});
