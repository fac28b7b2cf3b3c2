import { describe, expect, it } from 'vitest';
import { GuardDutyEventSchema } from '#shared/findings/guardduty.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const exfiltration = () => ourEvent('guardduty-iam-credential-exfiltration.json');

describe('GuardDuty schema', () => {
  it('accepts the real field names of a GuardDuty Finding event', () => {
    const parsed = GuardDutyEventSchema.safeParse(exfiltration());

    expect(parsed.success).toBe(true);
    expect(parsed.data?.detail.resource.accessKeyDetails?.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it('keeps fields it does not act on (permissive) but rejects a wrong type on one it does', () => {
    const event = exfiltration();
    event.detail.severity = 'HIGH';

    const parsed = GuardDutyEventSchema.safeParse(event);
    const kept = GuardDutyEventSchema.parse(exfiltration()).detail.service as Record<string, unknown>;

    expect(parsed.success).toBe(false);
    expect(kept['detectorId']).toBe('12abc34d567e8fa901bc2d34e56789f0');
  });
});

describe('GuardDuty normalizer', () => {
  it('turns the IAM credential exfiltration finding into an actionable access key finding', () => {
    const finding = onlyFindingOf(normalizeEvent(exfiltration()));

    expect(finding).toEqual({
      id: '7ac6b4d3e2f1a0b9c8d7e6f5a4b3c2d1',
      source: 'guardduty',
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      title: 'Credentials for the IAM user alice were used from a remote host outside AWS.',
      severity: { score: 8, label: 'High' },
      accountId: '111122223333',
      region: 'us-east-1',
      resource: {
        kind: 'AccessKey',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        userName: 'alice',
        userType: 'IAMUser',
      },
      resourceTags: {},
      firstSeen: '2026-11-20T09:14:02.000Z',
      lastSeen: '2026-11-20T09:14:02.000Z',
      count: 1,
      sample: false,
      eventId: '3f1d9c2e-8b7a-4e61-9d05-2c4b6a8e1f70',
    });
  });

  it('gives a re-published finding the same id, with the higher count and later last sighting', () => {
    const original = onlyFindingOf(normalizeEvent(exfiltration()));

    const republished = onlyFindingOf(
      normalizeEvent(ourEvent('guardduty-iam-credential-exfiltration-republished.json')),
    );

    expect(republished.id).toBe(original.id);
    expect(republished.count).toBe(4);
    expect(republished.lastSeen).toBe('2026-11-20T09:47:31.000Z');
    expect(republished.firstSeen).toBe(original.firstSeen);
  });

  it('reads an EC2 finding with two network interfaces: instance, primary VPC, profile and tags', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('guardduty-ec2-backdoor-cc-activity.json')));

    expect(finding.type).toBe('Backdoor:EC2/C&CActivity.B');
    expect(finding.resource).toEqual({
      kind: 'Instance',
      instanceId: 'i-0abcdef1234567890',
      vpcId: 'vpc-0c1d2e3f4a5b6c7d8',
      instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/web-server',
      // Both interfaces are in the same group: named once.
      securityGroupIds: ['sg-0a1b2c3d4e5f60718'],
    });
    expect(finding.resourceTags).toEqual({ Name: 'web-1', Environment: 'production' });
    expect(finding.count).toBe(3);
  });

  it.each([
    [0.5, 'Informational'],
    [2, 'Low'],
    [5, 'Medium'],
    [8.9, 'High'],
    [9.2, 'Critical'],
  ])('keeps GuardDuty score %s as-is, labelled %s', (score, label) => {
    const event = exfiltration();
    event.detail.severity = score;

    expect(onlyFindingOf(normalizeEvent(event)).severity).toEqual({ score, label });
  });

  it('uses the finding account, not the delivering account of the envelope', () => {
    const event = exfiltration();
    event.account = '999988887777';

    expect(onlyFindingOf(normalizeEvent(event)).accountId).toBe('111122223333');
  });
});

describe('GuardDuty resource identifiers', () => {
  it.each([
    ['a GuardDuty placeholder', 'GeneratedFindingAccessKeyId'],
    ['15 characters after AKIA', 'AKIAIOSFODNN7EXAMP'],
    ['lower case', 'akiaiosfodnn7example'],
    ['an unknown prefix', 'AIDAIOSFODNN7EXAMPLE'],
  ])('rejects a real (non-sample) finding whose key id is %s', (_what, accessKeyId) => {
    const event = exfiltration();
    event.detail.resource.accessKeyDetails.accessKeyId = accessKeyId;

    const error = rejectionOf(normalizeEvent(event));

    expect(error.message).toMatch(/is not a sample, yet its AccessKey identifier is malformed/);
    expect(error.issues[0]).toContain(`accessKeyId: "${accessKeyId}" is not an access key id`);
  });

  it('keeps a sample finding with a placeholder key as a non-actionable Other resource', () => {
    const event = exfiltration();
    event.detail.resource.accessKeyDetails.accessKeyId = 'GeneratedFindingAccessKeyId';
    event.detail.service.additionalInfo = { sample: true };

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.sample).toBe(true);
    expect(finding.resource).toEqual({ kind: 'Other', type: 'AccessKey', id: 'GeneratedFindingAccessKeyId' });
  });

  it('accepts a temporary (ASIA) key of an assumed role', () => {
    const event = exfiltration();
    Object.assign(event.detail.resource.accessKeyDetails, {
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      userType: 'AssumedRole',
      userName: 'ci-deployer',
    });

    expect(onlyFindingOf(normalizeEvent(event)).resource).toMatchObject({
      kind: 'AccessKey',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      userType: 'AssumedRole',
    });
  });

  it('reports a finding that names a principal but no key as Other, with the principal', () => {
    const event = exfiltration();
    delete event.detail.resource.accessKeyDetails.accessKeyId;

    expect(onlyFindingOf(normalizeEvent(event)).resource).toEqual({
      kind: 'Other',
      type: 'AccessKey',
      id: 'alice',
    });
  });

  it('rejects a real EC2 finding whose instance id is malformed', () => {
    const event = ourEvent('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.resource.instanceDetails.instanceId = 'i-GENERATED';

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual([
      'detail.resource.instanceDetails.instanceId: "i-GENERATED" is not an instance id',
    ]);
  });

  it('reports resource types no playbook takes (EKS, Lambda, ...) as Other', () => {
    const event = exfiltration();
    event.detail.resource = { resourceType: 'EKSCluster', eksClusterDetails: { name: 'prod' } };

    expect(onlyFindingOf(normalizeEvent(event)).resource).toEqual({
      kind: 'Other',
      type: 'EKSCluster',
      id: '7ac6b4d3e2f1a0b9c8d7e6f5a4b3c2d1',
    });
  });

  it('rejects an AccessKey finding without its access key details', () => {
    const event = exfiltration();
    delete event.detail.resource.accessKeyDetails;

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual(['detail.resource.accessKeyDetails: missing']);
  });
});

describe('GuardDuty port probes', () => {
  const probe = () => ourEvent('guardduty-ec2-port-probe.json');

  it("names the instance's security groups and the probed port, once each", () => {
    const finding = onlyFindingOf(normalizeEvent(probe()));

    expect(finding.resource).toMatchObject({
      kind: 'Instance',
      instanceId: 'i-0abcdef1234567890',
      securityGroupIds: ['sg-0a1b2c3d4e5f60718', 'sg-0b2c3d4e5f6071829'],
      probedPorts: [22],
    });
    expect(finding.context).toEqual({ 'Probed ports': '22' });
  });

  it('leaves out malformed group ids and ports rather than acting on them', () => {
    const event = probe();
    event.detail.resource.instanceDetails.networkInterfaces[1].securityGroups = [
      { groupId: 'GeneratedFindingSG' },
    ];
    event.detail.service.action.portProbeAction.portProbeDetails = [
      { localPortDetails: { port: 70000 } },
      { localPortDetails: { port: 3389 } },
      {},
    ];

    const { resource } = onlyFindingOf(normalizeEvent(event));

    expect(resource).toMatchObject({ securityGroupIds: ['sg-0a1b2c3d4e5f60718'], probedPorts: [3389] });
  });

  it('names no probed port on a finding that is not a port probe', () => {
    const { resource } = onlyFindingOf(normalizeEvent(ourEvent('guardduty-ec2-backdoor-cc-activity.json')));

    expect(resource).not.toHaveProperty('probedPorts');
  });
});

describe('GuardDuty Malware Protection for Backup', () => {
  const snapshotMalware = () => ourEvent('guardduty-backup-malware-snapshot.json');

  it('turns malware in an EBS snapshot into the snapshot revoke-outside-sharing acts on', () => {
    const finding = onlyFindingOf(normalizeEvent(snapshotMalware()));

    expect(finding.resource).toEqual({ kind: 'Other', type: 'AwsEc2Snapshot', id: 'snap-0a1b2c3d4e5f60718' });
    expect(finding.reportedAs).toBe('EBSSnapshot');
  });

  it('turns malware in an AMI into the image', () => {
    const event = snapshotMalware();
    event.detail.type = 'Execution:EC2/MaliciousFile!AMI';
    event.detail.resource = {
      resourceType: 'EC2Image',
      ec2ImageDetails: { imageArn: 'arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0' },
    };

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.resource).toEqual({ kind: 'Other', type: 'AwsEc2Image', id: 'ami-0123456789abcdef0' });
    expect(finding.reportedAs).toBe('EC2Image');
  });

  it('keeps a recovery point, or a malformed snapshot ARN, as Other with what it names for people', () => {
    const recovery = snapshotMalware();
    recovery.detail.resource = {
      resourceType: 'RecoveryPoint',
      recoveryPointDetails: {
        recoveryPointArn: 'arn:aws:backup:us-east-1:111122223333:recovery-point:1a2b3c',
        backupVaultName: 'nightly',
      },
    };
    const malformed = snapshotMalware();
    malformed.detail.resource.ebsSnapshotDetails.snapshotArn =
      'arn:aws:ec2:us-east-1::snapshot/GeneratedSnapshot';

    const point = onlyFindingOf(normalizeEvent(recovery));
    const odd = onlyFindingOf(normalizeEvent(malformed));

    expect(point.resource).toEqual({ kind: 'Other', type: 'RecoveryPoint', id: recovery.detail.id });
    expect(point.context).toEqual({
      'Recovery point': 'arn:aws:backup:us-east-1:111122223333:recovery-point:1a2b3c',
      'Backup vault': 'nightly',
    });
    expect(odd.resource).toMatchObject({ kind: 'Other', type: 'EBSSnapshot' });
  });
});
