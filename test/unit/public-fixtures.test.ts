import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyEvent } from '#shared/classify.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

/** Real events from public repositories (provenance in examples/events/PROVENANCE.md). */
const publicDir = fileURLToPath(new URL('../../examples/events/', import.meta.url));
const policy = loadPolicyFile(fileURLToPath(new URL('../../policy/default.yaml', import.meta.url)));
const ctx = { now: new Date('2026-11-23T12:00:00Z'), recentAutoActions: 0 };

/** Every public file, its one expected outcome under policy/default.yaml, and why. */
const expected: Record<string, { outcome: string; reason: string }> = {
  // A sample of a Medium C&C finding: quarantine would wait for approval; a sample only records its plan.
  'c7n-ec2-duty-event.json': {
    outcome: 'routed',
    reason:
      'rule guardduty-ec2-suspected-compromise: GuardDuty saw an EC2 instance behave like a compromised host (Medium); AWS-generated sample finding: dry-run instead of approve',
  },
  // CreateBucket is not a call any playbook or rule is about.
  'c7n-event-cloud-trail-create-bucket.json': {
    outcome: 'rejected',
    reason: 'unsupported CloudTrail event CreateBucket',
  },
  // Custom actions are a console button press, not a finding delivery.
  'c7n-event-securityhub-cloudtrail-finding-action.json': {
    outcome: 'rejected',
    reason: 'detail-type Security Hub Findings - Custom Action',
  },
  'c7n-event-securityhub-iamkey-finding-action.json': {
    outcome: 'rejected',
    reason: 'detail-type Security Hub Findings - Custom Action',
  },
  // A sample whose key id is a placeholder: the last rule would notify it (no playbook covers a
  // finding without a usable key), and samples never page anyone, so it is skipped, and said so.
  'c7n-iam-duty-event.json': {
    outcome: 'skipped',
    reason: 'AWS-generated sample finding: rule unrouted-finding would notify; samples never do',
  },
  // A configuration-item change is inventory, not compliance.
  'c7n-sqs-discover.json': {
    outcome: 'rejected',
    reason: 'detail-type Config Configuration Item Change',
  },
  // The three aws-samples files are the bare `detail` of a finding, without the EventBridge envelope.
  'gdsample-guardduty_ec2_event.json': { outcome: 'rejected', reason: 'a bare GuardDuty finding' },
  'gdsample-guardduty_iam_event.json': { outcome: 'rejected', reason: 'a bare GuardDuty finding' },
  'gdsample-guardduty_s3_event.json': { outcome: 'rejected', reason: 'a bare GuardDuty finding' },
};

describe('public sample events under policy/default.yaml', () => {
  it('has an expectation for every file, so a new file cannot slip through untested', () => {
    const files = readdirSync(publicDir).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s is %o', (file, { outcome, reason }) => {
    // Arrange
    const event = JSON.parse(readFileSync(`${publicDir}${file}`, 'utf8'));
    // Act
    const classifications = classifyEvent(event, policy, ctx);
    // Assert
    expect(classifications).toHaveLength(1);
    expect(classifications[0]?.outcome).toBe(outcome);
    expect(classifications[0]?.reason).toContain(reason);
  });

  it('never acts automatically on any of them', () => {
    const modes = readdirSync(publicDir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((file) => classifyEvent(JSON.parse(readFileSync(`${publicDir}${file}`, 'utf8')), policy, ctx))
      .map((classification) => (classification.outcome === 'routed' ? classification.mode : 'none'));
    expect(modes.filter((mode) => mode === 'auto' || mode === 'approve')).toEqual([]);
  });
});
