import { describe, expect, it } from 'vitest';
import { approvalMessage, approvalSubject } from '#functions/approval-request/message.ts';
import type { ApprovalRequestEvent } from '#functions/approval-request/request.ts';
import { makeFinding } from '../policy/make-finding.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const LINK = 'https://approvals.example.com/decide?t=signed';

function request(finding: Partial<ApprovalRequestEvent['finding']>): ApprovalRequestEvent {
  return {
    token: 't',
    gate: 'Approval',
    escalation: false,
    execution: 'arn:aws:states:us-east-1:111122223333:execution:x:y',
    stateMachine: 'arn:aws:states:us-east-1:111122223333:stateMachine:x',
    nonce: '6f1e2d3c-4b5a-4c6d-8e7f-901234567890',
    finding: makeFinding(finding),
    decision: {
      playbook: 'disable-access-key',
      mode: 'approve',
      ruleId: 'r',
      approval: { timeoutSeconds: 3600, onTimeout: 'abandon' },
    },
    audit: { pk: 'FINDING#f', resourceKey: 'RESOURCE#x' },
    proposedActions: ['deactivate the key'],
    ifDenied: 'nothing changes',
  };
}

describe('the approval notification', () => {
  it('puts the real link on the first line; a finding id with line breaks stays on its own line after it', () => {
    const forged = 'f-1\n\nDecide on the approval page: https://evil.example/approve\n';
    const text = approvalMessage(
      request({ id: forged }),
      'apr-0123456789abcdef',
      '2026-01-01T01:00:00Z',
      LINK,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Decide on the approval page: ${LINK}`);
    expect(lines.filter((line) => line.includes('evil.example'))).toEqual([
      '  Finding id: f-1  Decide on the approval page: https://evil.example/approve ',
    ]);
    expect(lines.findIndex((line) => line.includes('evil.example'))).toBeGreaterThan(0);
  });

  it('shows a region or time that does not have its format as such, and caps long fields', () => {
    const text = approvalMessage(
      request({
        region: 'us-east-1\u001b[2J',
        firstSeen: 'yesterday',
        type: `Recon:${'A'.repeat(5000)}`,
        title: 't',
      }),
      'apr-0123456789abcdef',
      '2026-01-01T01:00:00Z',
      LINK,
    );
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('  Region: (not a valid region: "us-east-1[2J")');
    expect(text).toContain('  First seen: (not a valid first seen: "yesterday")');
    expect(text).toContain('  Last seen: 2024-05-01T10:00:00Z');
    expect(text).toContain('…(5006 chars)');
    expect(text.length).toBeLessThan(3000);
  });

  it('has a one-line subject without anything from the finding but its severity band', () => {
    const subject = approvalSubject(request({ type: 'x\ny', id: 'z\r\nBcc: a@b' }));
    expect(subject).toBe('[Medium] disable-access-key: approval required');
  });

  it('says what, why, the risk and the deadline as the approval page does, after the link', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const event = {
      ...request({ firstSeen: '2025-12-31T23:48:00Z', title: 'Key used from a Tor exit node' }),
      title: 'Disable access key AKIAIOSFODNN7EXAMPLE of IAM user alice?',
      risk: {
        kind: 'AccessKey',
        read: {
          AccessKeyLastUsed: { LastUsedDate: '2025-12-29T00:00:00Z', ServiceName: 's3', Region: 'eu-west-1' },
        },
      },
    };
    event.decision.reason = 'rule leaked-keys: keys used from outside AWS';

    const lines = approvalMessage(event, 'apr-0123456789abcdef', '2026-01-01T00:59:00Z', LINK, now).split(
      '\n',
    );

    expect(lines[0]).toBe(`Decide on the approval page: ${LINK}`);
    expect(lines.slice(3, 8)).toEqual([
      'Disable access key AKIAIOSFODNN7EXAMPLE of IAM user alice?',
      'Why: Medium (5) · Key used from a Tor exit node (UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS), first seen 12 min ago (2025-12-31 23:48 UTC). Policy: rule leaked-keys: keys used from outside AWS.',
      'Risk:',
      '  Last used 3 days ago (2025-12-29 00:00 UTC) with s3 in eu-west-1: whatever uses this key stops working.',
      'Deadline: in 59 min (2026-01-01 00:59 UTC); then it is escalated.',
    ]);
  });

  it('names what an instance serves: its Auto Scaling group, target groups and role', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const event = {
      ...request({
        resource: { kind: 'Instance', instanceId: 'i-0abc', vpcId: 'vpc-1' },
        title: 'Instance talks to a\nDecide on the approval page: https://evil.example/',
      }),
      risk: {
        kind: 'Instance',
        instance: {
          State: { Name: 'running' },
          IamInstanceProfile: { Arn: 'arn:aws:iam::111122223333:instance-profile/web' },
          Tags: [{ Key: 'Name', Value: 'web-1' }],
        },
        autoScaling: { groups: [{ AutoScalingGroupName: 'web-asg' }] },
      },
    };

    const text = approvalMessage(event, 'apr-0123456789abcdef', '2026-01-01T00:59:00Z', LINK, now);

    expect(text).toContain('Approve disable-access-key on EC2 instance i-0abc in vpc-1?');
    expect(text).toContain('  In Auto Scaling group web-asg: it leaves the group');
    expect(text).toContain(
      '  Its role (instance profile arn:aws:iam::111122223333:instance-profile/web) loses its sessions',
    );
    expect(text).toContain('  If it is registered with load balancer target groups, it is deregistered');
    expect(text.split('\n').filter((l) => l.startsWith('Decide on the approval page:'))).toEqual([
      `Decide on the approval page: ${LINK}`,
    ]);
  });

  it('names the target groups that send the instance traffic, its role, and what could not be read', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const group = (name: string) =>
      `arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/${name}/73e2d6bc24d8a067`;
    const event = {
      ...request({ resource: { kind: 'Instance', instanceId: 'i-0abc', vpcId: 'vpc-1' } }),
      risk: {
        kind: 'Instance',
        instance: { IamInstanceProfile: { Arn: 'arn:aws:iam::111122223333:instance-profile/web' } },
        instanceProfile: { roles: [{ RoleName: 'web-app' }] },
        targetGroups: [
          { targetGroupArn: group('web'), state: 'healthy', port: 443 },
          { targetGroupArn: group('admin'), state: 'unhealthy', port: 8443 },
          { targetGroupArn: group('old'), state: 'unused' },
          { targetGroupArn: group('other-vpc'), state: 'not-applicable' },
          { targetGroupArn: group('locked'), state: 'unknown', error: 'ElasticLoadBalancingV2.AccessDenied' },
        ],
        targetGroupsPage: { truncated: true },
        autoScalingError: { Error: 'AutoScaling.AccessDenied', Cause: 'not authorized' },
      },
    };

    const lines = approvalMessage(event, 'apr-0123456789abcdef', '2026-01-01T00:59:00Z', LINK, now).split(
      '\n',
    );

    expect(lines).toContain(
      '  In Auto Scaling group unknown (AutoScaling.AccessDenied: not authorized): it leaves the group, which launches a replacement (desired capacity unchanged).',
    );
    expect(lines).toContain(
      '  Its role web-app (profile web) loses its sessions; anything on it that calls AWS stops.',
    );
    expect(lines).toContain(
      '  Serves target groups web (port 443, healthy), admin (port 8443, unhealthy): deregistered, it stops receiving requests.',
    );
    expect(lines).toContain(
      '  1 target group of its VPC could not be asked about it; check them in the EC2 console.',
    );
    expect(lines.some((l) => l.includes('Only the first page of target groups was checked'))).toBe(true);
    expect(lines.some((l) => l.includes('If it is registered with'))).toBe(false);
  });

  it('says so when the instance serves no target group, or when its target groups could not be listed', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const risk = (extra: Record<string, unknown>) => ({
      ...request({ resource: { kind: 'Instance', instanceId: 'i-0abc', vpcId: 'vpc-1' } }),
      risk: { kind: 'Instance', instance: {}, ...extra },
    });
    const message = (extra: Record<string, unknown>) =>
      approvalMessage(risk(extra), 'apr-0123456789abcdef', '2026-01-01T00:59:00Z', LINK, now);

    expect(message({ targetGroups: [] })).toContain('  Serves no load balancer target group of its VPC.');
    expect(message({ targetGroupsError: { Error: 'ElasticLoadBalancingV2.AccessDenied' } })).toContain(
      '  Its load balancer target groups could not be read: ElasticLoadBalancingV2.AccessDenied.',
    );
  });
});
