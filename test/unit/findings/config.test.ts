import { describe, expect, it } from 'vitest';
import { ConfigComplianceEventSchema, configRuleScore } from '#shared/findings/config.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const restrictedSsh = () => ourEvent('config-restricted-ssh-non-compliant.json');

describe('Config compliance change schema', () => {
  it('accepts the real field names of a Config Rules Compliance Change event', () => {
    const parsed = ConfigComplianceEventSchema.safeParse(restrictedSsh());

    expect(parsed.success).toBe(true);
    expect(parsed.data?.detail.newEvaluationResult.complianceType).toBe('NON_COMPLIANT');
  });

  it('rejects an unknown compliance type, naming the field', () => {
    const event = restrictedSsh();
    event.detail.newEvaluationResult.complianceType = 'BROKEN';

    expect(rejectionOf(normalizeEvent(event)).issues[0]).toMatch(
      /^detail\.newEvaluationResult\.complianceType:/,
    );
  });
});

describe('Config normalizer', () => {
  it('turns a NON_COMPLIANT restricted-ssh evaluation into a High security group finding', () => {
    const finding = onlyFindingOf(normalizeEvent(restrictedSsh()));

    expect(finding).toMatchObject({
      id: 'restricted-ssh/AWS::EC2::SecurityGroup/sg-0a1b2c3d4e5f60718/2026-11-22T12:05:40.902Z',
      source: 'config',
      type: 'restricted-ssh',
      severity: { score: 8, label: 'High' },
      accountId: '111122223333',
      region: 'us-east-1',
      resource: { kind: 'SecurityGroup', groupId: 'sg-0a1b2c3d4e5f60718', addedRules: [] },
      firstSeen: '2026-11-22T12:05:40.902Z',
      sample: false,
    });
    expect(finding.title).toContain('The security group allows unrestricted inbound SSH traffic.');
  });

  it('gives a redelivery the same id and a later relapse a new one', () => {
    const relapse = restrictedSsh();
    relapse.id = 'another-envelope-id';
    relapse.detail.newEvaluationResult.resultRecordedTime = '2026-12-01T08:00:00.000Z';

    const [first, again, later] = [restrictedSsh(), restrictedSsh(), relapse].map(
      (event) => onlyFindingOf(normalizeEvent(event)).id,
    );

    expect(again).toBe(first);
    expect(later).not.toBe(first);
  });

  it.each(['COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'])(
    'rejects a %s result: nothing to remediate',
    (type) => {
      const event = restrictedSsh();
      event.detail.newEvaluationResult.complianceType = type;

      expect(rejectionOf(normalizeEvent(event)).message).toBe(
        `Config rule restricted-ssh reports ${type} for AWS::EC2::SecurityGroup sg-0a1b2c3d4e5f60718: nothing to remediate`,
      );
    },
  );

  it.each([
    [
      'AWS::S3::Bucket',
      'example-reports-111122223333',
      { kind: 'Bucket', bucketName: 'example-reports-111122223333' },
    ],
    ['AWS::EC2::Instance', 'i-0abcdef1234567890', { kind: 'Instance', instanceId: 'i-0abcdef1234567890' }],
    ['AWS::CloudTrail::Trail', 'management-events', { kind: 'Trail', trailName: 'management-events' }],
    ['AWS::::Account', '111122223333', { kind: 'Account' }],
    [
      'AWS::IAM::User',
      'AIDACKCEVSQ6C2EXAMPLE',
      { kind: 'Other', type: 'AWS::IAM::User', id: 'AIDACKCEVSQ6C2EXAMPLE' },
    ],
  ])('maps resource type %s to the resource a playbook acts on', (resourceType, resourceId, resource) => {
    const event = restrictedSsh();
    Object.assign(event.detail, { resourceType, resourceId });

    expect(onlyFindingOf(normalizeEvent(event)).resource).toEqual(resource);
  });

  it('rejects a resource id that does not fit its resource type', () => {
    const event = restrictedSsh();
    event.detail.resourceId = 'web-tier';

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual([
      'detail.resourceId: "web-tier" does not match the AWS::EC2::SecurityGroup id format',
    ]);
  });
});

describe('Config rule severity', () => {
  it.each([
    ['restricted-ssh', 8],
    ['securityhub-restricted-ssh-a1b2c3', 8],
    ['cloudtrail-enabled', 8],
    ['multi-region-cloudtrail-enabled', 7],
    ['iam-root-access-key-check-conformance-pack-x1y2z3', 9],
    ['access-keys-rotated', 4],
    ['team-custom-tagging-rule', 5],
  ])('scores rule %s as %s', (name, score) => {
    expect(configRuleScore(name)).toBe(score);
  });
});

describe('Config normalizer: the rules behind the RDS DB instance controls', () => {
  const rdsEvent = (configRuleName: string, resourceId: string) => {
    const event = restrictedSsh();
    return {
      ...event,
      detail: { ...event.detail, configRuleName, resourceType: 'AWS::RDS::DBInstance', resourceId },
    };
  };

  it('names the instance by its resource id, under the type Security Hub gives it, with the control the rule checks', () => {
    const finding = onlyFindingOf(
      normalizeEvent(
        rdsEvent(
          'securityhub-rds-instance-deletion-protection-enabled-a1b2c3',
          'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
        ),
      ),
    );

    expect(finding.resource).toEqual({
      kind: 'Other',
      type: 'AwsRdsDbInstance',
      id: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0',
    });
    expect(finding.control).toBe('RDS.8');
  });

  it.each([
    ['rds-instance-public-access-check', 'RDS.2'],
    ['rds-automatic-minor-version-upgrade-enabled', 'RDS.13'],
  ])('%s is %s', (rule, control) => {
    const finding = onlyFindingOf(normalizeEvent(rdsEvent(rule, 'db-ABCDEFGHIJKLMNOPQRSTUVWXY0')));

    expect(finding.control).toBe(control);
  });

  it('rejects an id that is not a DB instance resource id, naming it', () => {
    expect(
      rejectionOf(normalizeEvent(rdsEvent('rds-instance-public-access-check', 'orders-db'))).issues[0],
    ).toMatch(/^detail\.resourceId: "orders-db"/);
  });

  it('gives no control to a rule that checks none a playbook fixes by its setting', () => {
    expect(onlyFindingOf(normalizeEvent(restrictedSsh())).control).toBeUndefined();
  });
});
