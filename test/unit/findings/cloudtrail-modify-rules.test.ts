import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const policy = loadPolicyFile(fileURLToPath(new URL('../../../policy/default.yaml', import.meta.url)));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };
const FIXTURE = 'cloudtrail-modify-security-group-rules-ssh-world.json';

describe('ModifySecurityGroupRules', () => {
  it('turns a rule changed to SSH from anywhere into a High finding naming that rule by id', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent(FIXTURE)));

    expect(finding).toMatchObject({
      type: 'ModifySecurityGroupRules',
      severity: { score: 8, label: 'High' },
      title: 'Security group sg-0a1b2c3d4e5f60718 opened to the internet on 22/tcp',
      resource: {
        kind: 'SecurityGroup',
        groupId: 'sg-0a1b2c3d4e5f60718',
        addedRules: [
          {
            ruleId: 'sgr-0a1b2c3d4e5f60718',
            protocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
    });
  });

  it('routes it to revoke-open-ingress at once, like an added rule', () => {
    const [decision] = classifyEvent(ourEvent(FIXTURE), policy, ctx);

    expect(decision).toMatchObject({ outcome: 'routed', playbook: 'revoke-open-ingress', mode: 'auto' });
  });

  it('reads several changed rules (a list), scoring by the worst, and a rule narrowed to a private range Low', () => {
    const event = ourEvent(FIXTURE);
    const one = event.detail.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule;
    event.detail.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule = [
      { ...one, SecurityGroupRule: { ...one.SecurityGroupRule, CidrIpv4: '10.0.0.0/8' } },
      {
        SecurityGroupRuleId: 'sgr-0a1b2c3d4e5f60719',
        SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv6: '::/0' },
      },
    ];
    const narrowed = ourEvent(FIXTURE);
    narrowed.detail.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4 =
      '10.0.0.0/8';

    const both = onlyFindingOf(normalizeEvent(event));
    expect(both.resource).toMatchObject({ addedRules: [{ cidrIpv4: '10.0.0.0/8' }, { cidrIpv6: '::/0' }] });
    expect(both.severity.score).toBe(5);
    expect(onlyFindingOf(normalizeEvent(narrowed))).toMatchObject({
      severity: { score: 2 },
      title: 'Rules changed in security group sg-0a1b2c3d4e5f60718',
    });
  });

  it('rejects a record that names no rule id, naming the field', () => {
    const event = ourEvent(FIXTURE);
    delete event.detail.requestParameters.ModifySecurityGroupRulesRequest.SecurityGroupRule
      .SecurityGroupRuleId;

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(/SecurityGroupRuleId/);
  });
});
