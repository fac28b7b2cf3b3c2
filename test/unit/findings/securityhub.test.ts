import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import {
  AsffFindingSchema,
  normalizeAsffFinding,
  SecurityHubEventSchema,
} from '#shared/findings/securityhub.ts';
import { findingsOf, onlyFindingOf, ourEvent, publicEvent, rejectionOf } from './events.ts';

const accessKeyEvent = () => ourEvent('securityhub-iam-access-key.json');
const twoFindings = () => ourEvent('securityhub-two-findings.json');

describe('Security Hub schema', () => {
  it('accepts the real ASFF field names of a Security Hub Findings - Imported event', () => {
    const parsed = SecurityHubEventSchema.safeParse(accessKeyEvent());

    expect(parsed.success).toBe(true);
    expect(parsed.data?.detail.findings[0]?.Resources[0]?.Type).toBe('AwsIamAccessKey');
  });

  it('rejects a finding with neither Severity.Label nor Severity.Normalized', () => {
    const event = accessKeyEvent();
    event.detail.findings[0].Severity = { Product: 8 };

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual([
      'detail.findings[0].Severity: needs Label or Normalized',
    ]);
  });

  it('rejects the whole event when one of its findings is malformed, pointing at it', () => {
    const event = twoFindings();
    delete event.detail.findings[1].AwsAccountId;

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual(['detail.findings[1].AwsAccountId: missing']);
  });
});

describe('Security Hub normalizer', () => {
  it('turns a forwarded GuardDuty key finding into the same finding id GuardDuty delivers directly', () => {
    const direct = onlyFindingOf(normalizeEvent(ourEvent('guardduty-iam-credential-exfiltration.json')));

    const forwarded = onlyFindingOf(normalizeEvent(accessKeyEvent()));

    expect(forwarded).toMatchObject({
      id: direct.id,
      source: 'securityhub',
      severity: { score: 8, label: 'High' },
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'alice',
        userType: 'IAMUser',
      },
      sample: false,
    });
  });

  it('returns one finding per active ASFF finding, in order', () => {
    const findings = findingsOf(normalizeEvent(twoFindings()));

    expect(findings.map((finding) => finding.resource.kind)).toEqual(['AccessKey', 'SecurityGroup']);
    expect(findings[1]).toMatchObject({
      id: 'arn:aws:securityhub:us-east-1:111122223333:security-control/EC2.13/finding/0f1e2d3c-4b5a-4697-8877-665544332211/2026-11-22T12:06:02.311Z',
      resource: { kind: 'SecurityGroup', groupId: 'sg-0a1b2c3d4e5f60718', addedRules: [] },
      resourceTags: { Team: 'web' },
      severity: { score: 7, label: 'High' },
    });
  });

  it.each([
    ['RecordState', { RecordState: 'ARCHIVED' }, 'RecordState ARCHIVED'],
    ['Workflow.Status', { Workflow: { Status: 'RESOLVED' } }, 'Workflow RESOLVED'],
    ['Compliance.Status', { Compliance: { Status: 'PASSED' } }, 'Compliance PASSED'],
  ])('leaves out a finding closed by %s and keeps the active one', (_field, closing, reason) => {
    const event = twoFindings();
    Object.assign(event.detail.findings[1], closing);
    const onlyClosed = twoFindings();
    onlyClosed.detail.findings = [event.detail.findings[1]];

    const kept = findingsOf(normalizeEvent(event));
    const rejected = rejectionOf(normalizeEvent(onlyClosed));

    expect(kept.map((finding) => finding.resource.kind)).toEqual(['AccessKey']);
    expect(rejected.message).toBe('none of the 1 Security Hub finding(s) is active: nothing to remediate');
    expect(rejected.issues[0]).toMatch(new RegExp(`^detail\\.findings\\[0\\] .*: ${reason}$`));
  });

  it.each([
    ['Label only', { Label: 'CRITICAL' }, { score: 9, label: 'Critical' }],
    ['Label LOW only', { Label: 'LOW' }, { score: 1, label: 'Low' }],
    ['Normalized only', { Normalized: 50 }, { score: 5, label: 'Medium' }],
    ['a LOW Normalized under 10', { Normalized: 5 }, { score: 1, label: 'Low' }],
    ['Label and Normalized that agree', { Label: 'HIGH', Normalized: 75 }, { score: 7.5, label: 'High' }],
    [
      'Label and Normalized that disagree',
      { Label: 'MEDIUM', Normalized: 90 },
      { score: 4, label: 'Medium' },
    ],
  ])('maps severity from %s', (_what, severity, expected) => {
    const event = accessKeyEvent();
    event.detail.findings[0].Severity = severity;

    expect(onlyFindingOf(normalizeEvent(event)).severity).toEqual(expected);
  });
});

describe('Security Hub control findings', () => {
  const controlEvent = () => {
    const event = twoFindings();
    event.detail.findings = [event.detail.findings[1]];
    return event;
  };

  it('names the control of a consolidated control finding (Compliance.SecurityControlId)', () => {
    expect(onlyFindingOf(normalizeEvent(controlEvent())).control).toBe('EC2.13');
  });

  it("names the control of a standard's own finding (ProductFields.ControlId)", () => {
    const event = controlEvent();
    delete event.detail.findings[0].Compliance.SecurityControlId;
    event.detail.findings[0].ProductFields.ControlId = 'EC2.14';

    expect(onlyFindingOf(normalizeEvent(event)).control).toBe('EC2.14');
  });

  it.each([
    [
      'a custom product',
      { ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default' },
    ],
    ['CIS numbering', { Compliance: { Status: 'FAILED', SecurityControlId: '2.2' } }],
  ])('names no control for %s', (_what, change) => {
    const event = controlEvent();
    Object.assign(event.detail.findings[0], change);

    expect(onlyFindingOf(normalizeEvent(event)).control).toBeUndefined();
  });
});

describe('Security Hub resource identifiers', () => {
  it('rejects a real finding whose access key id is malformed', () => {
    const event = accessKeyEvent();
    event.detail.findings[0].Resources[0].Details.AwsIamAccessKey.AccessKeyId = 'AKIA-NOT-A-KEY';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(
      /is not a sample, yet its AwsIamAccessKey identifier is malformed: "AKIA-NOT-A-KEY" is not an access key id/,
    );
  });

  it('keeps a sample finding with a malformed key as Other', () => {
    const event = accessKeyEvent();
    Object.assign(event.detail.findings[0], { Sample: true });
    event.detail.findings[0].Resources[0].Details.AwsIamAccessKey.AccessKeyId = 'GeneratedFindingAccessKeyId';

    expect(onlyFindingOf(normalizeEvent(event))).toMatchObject({
      sample: true,
      resource: { kind: 'Other', type: 'AwsIamAccessKey' },
    });
  });

  it('reads the ASFF of the public GuardDuty console-login finding: no key, so not actionable', () => {
    const asff = AsffFindingSchema.parse(
      publicEvent('c7n-event-securityhub-iamkey-finding-action.json').detail.findings[0],
    );

    const finding = normalizeAsffFinding(asff, 'us-east-1');

    expect(finding).toMatchObject({
      id: '4cb5a629e9757b650d102f683cdbcd7b',
      type: 'Unusual Behaviors/User/UnauthorizedAccess:IAMUser-ConsoleLogin',
      severity: { score: 5, label: 'Medium' },
      resource: { kind: 'Other', type: 'AwsIamAccessKey', id: 'AWS::IAM::AccessKey:null' },
      region: 'us-east-1',
    });
  });

  it('reads the ASFF of the public CIS trail finding as an Informational trail finding', () => {
    const asff = AsffFindingSchema.parse(
      publicEvent('c7n-event-securityhub-cloudtrail-finding-action.json').detail.findings[0],
    );

    const finding = normalizeAsffFinding(asff, 'us-east-1');

    expect(finding.severity).toEqual({ score: 0, label: 'Informational' });
    expect(finding.resource).toEqual({
      kind: 'Trail',
      trailName: 'skunk-trails',
      trailArn: 'arn:aws:cloudtrail:us-east-1:644160558196:trail/skunk-trails',
    });
  });
});

describe('Security Hub products', () => {
  const CUSTOM = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
  /** The key finding as a custom integration would import it: same Id, Types and key, another product. */
  const customKeyEvent = () => {
    const event = accessKeyEvent();
    Object.assign(event.detail.findings[0], { ProductArn: CUSTOM, GeneratorId: 'my-detector' });
    return event;
  };

  it.each([
    ['aws', 'arn:aws:securityhub:us-east-1::product/aws/guardduty'],
    ['aws-cn', 'arn:aws-cn:securityhub:cn-north-1::product/aws/guardduty'],
    ['aws-us-gov', 'arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/guardduty'],
  ])('trusts GuardDuty in the %s partition to point at what to contain', (_partition, productArn) => {
    const event = accessKeyEvent();
    event.detail.findings[0].ProductArn = productArn;

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.notifyOnlyBecause).toBeUndefined();
    expect(finding.id).toBe('7ac6b4d3e2f1a0b9c8d7e6f5a4b3c2d1');
  });

  it('trusts Security Hub its own control findings', () => {
    const [, control] = findingsOf(normalizeEvent(twoFindings()));

    expect(control?.notifyOnlyBecause).toBeUndefined();
  });

  it('marks a custom finding notify-only, naming its product, and keeps its own Id even when it looks like a GuardDuty ARN', () => {
    const event = customKeyEvent();

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.id).toBe(event.detail.findings[0].Id);
    expect(finding.id).not.toBe('7ac6b4d3e2f1a0b9c8d7e6f5a4b3c2d1');
    expect(finding.notifyOnlyBecause).toContain(`imported by "${CUSTOM}" (a custom or partner product`);
  });

  it.each([
    ['a partner product', 'arn:aws:securityhub:us-east-1:733251395267:product/alertlogic/althreatmanagement'],
    [
      'an AWS product ARN with an account in it',
      'arn:aws:securityhub:us-east-1:111122223333:product/aws/guardduty',
    ],
    ['an AWS service this stack does not act for', 'arn:aws:securityhub:us-east-1::product/aws/health'],
    ['GuardDuty with a suffix', 'arn:aws:securityhub:us-east-1::product/aws/guardduty/extra'],
    ['another service than Security Hub', 'arn:aws:inspector:us-east-1::product/aws/guardduty'],
  ])('marks a finding from %s notify-only', (_what, productArn) => {
    const event = accessKeyEvent();
    event.detail.findings[0].ProductArn = productArn;

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.notifyOnlyBecause).toMatch(/^Security Hub finding imported by /);
    expect(finding.id).toBe(event.detail.findings[0].Id);
  });
});
