import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';
import { onlyFindingOf, ourEvent, rejectionOf } from './events.ts';

const policy = loadPolicyFile(fileURLToPath(new URL('../../../policy/default.yaml', import.meta.url)));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

/** Every evasion fixture: the finding it must become, and the default policy's outcome. */
const CASES = [
  {
    file: 'cloudtrail-put-event-selectors-no-management.json',
    resource: { kind: 'Trail', trailName: 'management-events' },
    score: 8,
    title: 'CloudTrail trail management-events no longer logs write management events',
    change: {
      trailName: 'management-events',
      eventSelectors: [expect.objectContaining({ includeManagementEvents: false })],
    },
    rule: 'cloudtrail-trail-weakened',
    playbook: 'restore-trail-settings',
  },
  {
    file: 'cloudtrail-put-advanced-event-selectors-data-only.json',
    resource: { kind: 'Trail', trailName: 'management-events' },
    score: 8,
    title:
      'CloudTrail trail arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events no longer logs write management events',
    change: { advancedEventSelectors: [expect.objectContaining({ name: 'S3 data events only' })] },
    rule: 'cloudtrail-trail-weakened',
    playbook: 'restore-trail-settings',
  },
  {
    file: 'cloudtrail-update-trail-weakened.json',
    resource: { kind: 'Trail', trailName: 'management-events' },
    score: 7,
    title:
      'CloudTrail trail management-events weakened: multi-region logging turned off; log file validation turned off',
    change: { name: 'management-events', isMultiRegionTrail: false, enableLogFileValidation: false },
    rule: 'cloudtrail-trail-weakened',
    playbook: 'restore-trail-settings',
  },
  {
    file: 'cloudtrail-guardduty-update-detector-disable.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector', id: '6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9' },
    score: 8,
    title: 'GuardDuty detector 6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9 disabled',
    change: { detectorId: '6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9', enable: false },
    rule: 'guardduty-disabled',
    playbook: 'reenable-guardduty',
  },
  {
    file: 'cloudtrail-guardduty-delete-detector.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector' },
    score: 9,
    title: 'GuardDuty detector 6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9 deleted',
    change: { detectorId: '6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9' },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-guardduty-disassociate-from-administrator.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector' },
    score: 8,
    title: 'GuardDuty detector 6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9 left its administrator account',
    change: { detectorId: '6ec5a6f0b5e8a7c1d2e3f4a5b6c7d8e9' },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-guardduty-create-filter-archive.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector' },
    score: 7,
    title: 'GuardDuty filter suppress-all archives matching findings automatically',
    change: {
      name: 'suppress-all',
      action: 'ARCHIVE',
      findingCriteria: { criterion: { severity: { gte: 0 } } },
    },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-guardduty-create-ipset.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector' },
    score: 7,
    title: 'GuardDuty trusted IP list trusted-ops created: findings about its addresses are no longer raised',
    change: {
      location: 'https://s3.amazonaws.com/ops-lists-111122223333/trusted.txt',
      activate: true,
      ipSetId: '0cb0141ab9fbde177613ab9436212e90',
    },
    rule: 'guardduty-trusted-ip-list',
    playbook: 'deactivate-trusted-ip-list',
    // A trusted list may be legitimate (the office's addresses): on-call decides.
    mode: 'approve',
  },
  {
    file: 'cloudtrail-guardduty-update-ipset.json',
    resource: { kind: 'Other', type: 'GuardDutyDetector' },
    score: 7,
    title:
      'GuardDuty trusted IP list 0cb0141ab9fbde177613ab9436212e90 changed: findings about its addresses are no longer raised',
    change: { ipSetId: '0cb0141ab9fbde177613ab9436212e90' },
    rule: 'guardduty-trusted-ip-list',
    playbook: 'deactivate-trusted-ip-list',
    // A trusted list may be legitimate (the office's addresses): on-call decides.
    mode: 'approve',
  },
  {
    file: 'cloudtrail-config-stop-recorder.json',
    resource: { kind: 'Other', type: 'ConfigRecorder', id: 'default' },
    score: 7,
    title: 'AWS Config recorder default stopped',
    change: { configurationRecorderName: 'default' },
    rule: 'config-recorder-stopped',
    playbook: 'restart-config-recorder',
  },
  {
    file: 'cloudtrail-config-delete-recorder.json',
    resource: { kind: 'Other', type: 'ConfigRecorder', id: 'default' },
    score: 8,
    title: 'AWS Config recorder default deleted',
    change: { configurationRecorderName: 'default' },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-config-delete-delivery-channel.json',
    resource: { kind: 'Other', type: 'ConfigDeliveryChannel', id: 'default' },
    score: 8,
    title: 'AWS Config delivery channel default deleted',
    change: { deliveryChannelName: 'default' },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-ec2-delete-flow-logs.json',
    resource: { kind: 'Other', type: 'FlowLogs', id: 'fl-0a1b2c3d4e5f60718' },
    score: 7,
    title: 'VPC flow logs deleted: fl-0a1b2c3d4e5f60718',
    change: { flowLogIds: ['fl-0a1b2c3d4e5f60718'] },
    rule: 'vpc-flow-logs-deleted',
    playbook: 'recreate-flow-logs',
    mode: 'approve',
  },
  {
    file: 'cloudtrail-securityhub-disable.json',
    resource: { kind: 'Account' },
    score: 8,
    title: 'Security Hub disabled',
    change: {},
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-securityhub-batch-disable-standards.json',
    resource: { kind: 'Other', type: 'SecurityHubStandards' },
    score: 7,
    title: expect.stringContaining(
      'Security Hub standards disabled: arn:aws:securityhub:us-east-1:111122223333:subscription/aws-foundational-security-best-practices/v/1.0.0',
    ),
    change: { standardsSubscriptionArns: [expect.stringContaining(':subscription/aws-foundational')] },
    rule: 'defense-evasion',
  },
  {
    file: 'cloudtrail-organizations-leave-organization.json',
    resource: { kind: 'Account' },
    score: 9,
    title: 'Account left its organization (service control policies no longer apply)',
    change: {},
    rule: 'defense-evasion',
  },
] as const;

describe('defense-evasion calls', () => {
  it.each(CASES)('$file becomes a finding recording what was turned off', (c) => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent(c.file)));

    expect(finding).toMatchObject({
      source: 'cloudtrail',
      resource: c.resource,
      title: c.title,
      severity: { score: c.score },
      change: c.change,
      actor: { principalArn: 'arn:aws:sts::111122223333:assumed-role/Developer/bob' },
    });
  });

  it.each(CASES.filter((c) => !('playbook' in c)))(
    '$file is notified under the default policy, touching nothing',
    (c) => {
      const [result] = classifyEvent(ourEvent(c.file), policy, ctx);

      expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: c.rule });
      expect(result?.outcome === 'routed' && result.playbook).toBeFalsy();
    },
  );

  it.each(CASES.filter((c) => 'playbook' in c))(
    '$file starts the playbook that turns the setting back on (at once unless it needs approval)',
    (c) => {
      const [result] = classifyEvent(ourEvent(c.file), policy, ctx);

      expect(result).toMatchObject({
        outcome: 'routed',
        mode: 'mode' in c ? c.mode : 'auto',
        ruleId: c.rule,
        playbook: c.playbook,
      });
    },
  );

  it('selectors that only exclude some management event sources are notified, not restored', () => {
    const event = ourEvent('cloudtrail-put-event-selectors-no-management.json');
    event.detail.requestParameters.eventSelectors[0].includeManagementEvents = true;
    event.detail.requestParameters.eventSelectors[0].excludeManagementEventSources = ['kms.amazonaws.com'];

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'routed', mode: 'notify', ruleId: 'defense-evasion' });
  });

  it.each(CASES)('$file that failed (errorCode set) is rejected with the error, not acted on', (c) => {
    const event = ourEvent(c.file);
    event.detail.errorCode = 'AccessDenied';
    event.detail.errorMessage = 'User is not authorized';

    const error = rejectionOf(normalizeEvent(event));

    expect(error.message).toMatch(/failed \(AccessDenied: User is not authorized\).*nothing to remediate/);
  });

  it('scores event selectors that still log management events Low, so no rule acts', () => {
    const event = ourEvent('cloudtrail-put-event-selectors-no-management.json');
    event.detail.requestParameters.eventSelectors[0].includeManagementEvents = true;

    const [result] = classifyEvent(event, policy, ctx);

    expect(result).toMatchObject({ outcome: 'skipped', severity: { score: 2 } });
  });

  it('counts an advanced selector limited to read-only management events as dropping writes', () => {
    const event = ourEvent('cloudtrail-put-advanced-event-selectors-data-only.json');
    event.detail.requestParameters.advancedEventSelectors[0].fieldSelectors = [
      { field: 'eventCategory', equals: ['Management'] },
      { field: 'readOnly', equals: ['true'] },
    ];

    expect(onlyFindingOf(normalizeEvent(event)).severity.score).toBe(8);
  });

  it('scores a GuardDuty filter that does not archive Low', () => {
    const event = ourEvent('cloudtrail-guardduty-create-filter-archive.json');
    event.detail.requestParameters.action = 'NOOP';

    expect(onlyFindingOf(normalizeEvent(event)).severity.score).toBe(2);
  });

  it('rejects an evasion name from a service that does not own it', () => {
    const event = ourEvent('cloudtrail-guardduty-create-filter-archive.json');
    event.detail.eventSource = 'ec2.amazonaws.com';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(/unsupported CloudTrail event CreateFilter/);
  });

  it('rejects a Config call without the recorder name, naming the field', () => {
    const event = ourEvent('cloudtrail-config-stop-recorder.json');
    event.detail.requestParameters = {};

    expect(rejectionOf(normalizeEvent(event)).issues).toEqual([
      expect.stringMatching(/^detail\.requestParameters\.configurationRecorderName: /),
    ]);
  });
});
