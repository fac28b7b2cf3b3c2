import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidFindingError } from '#shared/errors.ts';
import { normalizeEvent } from '#shared/findings/normalize.ts';
import { onlyFindingOf, ourEvent, PUBLIC_EVENTS_DIR, publicEvent, rejectionOf } from './events.ts';

const BARE_GUARDDUTY = /bare GuardDuty finding .* without the EventBridge envelope: wrap it as/;
const CUSTOM_ACTION =
  'unsupported event: source aws.securityhub detail-type Security Hub Findings - Custom Action';

/** Every public sample event, with the one outcome it must get. */
const PUBLIC_OUTCOMES: Record<string, { finding: Record<string, unknown> } | { rejected: string | RegExp }> =
  {
    'c7n-ec2-duty-event.json': {
      finding: {
        type: 'Backdoor:EC2/C&CActivity.B!DNS',
        resource: { kind: 'Instance', instanceId: 'i-99999999' },
        sample: true,
        // The finding's own account, not the envelope's (101010101111): delegated administrators see member findings.
        accountId: '883606788610',
      },
    },
    'c7n-iam-duty-event.json': {
      finding: {
        type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
        resource: { kind: 'Other', type: 'AccessKey', id: 'GeneratedFindingAccessKeyId' },
        sample: true,
      },
    },
    'c7n-event-cloud-trail-create-bucket.json': {
      rejected: 'unsupported CloudTrail event CreateBucket (source aws.s3)',
    },
    'c7n-event-securityhub-cloudtrail-finding-action.json': { rejected: CUSTOM_ACTION },
    'c7n-event-securityhub-iamkey-finding-action.json': { rejected: CUSTOM_ACTION },
    'c7n-sqs-discover.json': {
      rejected: 'unsupported event: source aws.config detail-type Config Configuration Item Change',
    },
    'gdsample-guardduty_ec2_event.json': { rejected: BARE_GUARDDUTY },
    'gdsample-guardduty_iam_event.json': { rejected: BARE_GUARDDUTY },
    'gdsample-guardduty_s3_event.json': { rejected: BARE_GUARDDUTY },
  };

describe('normalizeEvent on the public sample events', () => {
  it('has an expected outcome for every public event on disk', () => {
    const onDisk = readdirSync(PUBLIC_EVENTS_DIR).filter((name) => name.endsWith('.json'));

    expect(Object.keys(PUBLIC_OUTCOMES).sort()).toEqual(onDisk.sort());
  });

  it.each(Object.entries(PUBLIC_OUTCOMES))('%s gets its definite outcome', (name, expected) => {
    const result = normalizeEvent(publicEvent(name));

    if ('finding' in expected) expect(onlyFindingOf(result)).toMatchObject(expected.finding);
    else expect(rejectionOf(result).message).toMatch(expected.rejected);
  });

  it('tells how to wrap a bare GuardDuty finding, and the wrapped finding then normalizes', () => {
    const bare = publicEvent('gdsample-guardduty_s3_event.json');

    const rejected = rejectionOf(normalizeEvent(bare));
    const wrapped = normalizeEvent({
      source: 'aws.guardduty',
      'detail-type': 'GuardDuty Finding',
      detail: bare,
    });

    expect(rejected.message).toContain('"source": "aws.guardduty", "detail-type": "GuardDuty Finding"');
    // The sample names the placeholder bucket "bucketName": kept as a sample, never as a Bucket to act on.
    expect(onlyFindingOf(wrapped)).toMatchObject({
      type: 'PenTest:S3/ParrotLinux',
      resource: { kind: 'Other', type: 'S3Bucket', id: 'bucketName' },
      sample: true,
    });
  });
});

describe('normalizeEvent envelopes', () => {
  it('accepts a trimmed envelope without id, time or version when the detail is complete', () => {
    const event = ourEvent('guardduty-iam-credential-exfiltration.json');
    delete event.id;
    delete event.time;
    delete event.version;

    const finding = onlyFindingOf(normalizeEvent(event));

    expect(finding.id).toBe('7ac6b4d3e2f1a0b9c8d7e6f5a4b3c2d1');
    expect(finding.eventId).toBeUndefined();
  });

  it('keeps the EventBridge envelope id as eventId', () => {
    const finding = onlyFindingOf(normalizeEvent(ourEvent('guardduty-iam-credential-exfiltration.json')));

    expect(finding.eventId).toBe('3f1d9c2e-8b7a-4e61-9d05-2c4b6a8e1f70');
  });

  it('rejects an unknown source and detail-type by name', () => {
    const error = rejectionOf(
      normalizeEvent({ source: 'aws.macie', 'detail-type': 'Macie Finding', detail: {} }),
    );

    expect(error.message).toBe('unsupported event: source aws.macie detail-type Macie Finding');
  });

  it('rejects a JSON object that is not an EventBridge event, naming the missing fields', () => {
    const error = rejectionOf(normalizeEvent({ hello: 'world' }));

    expect(error.message).toMatch(/not an EventBridge event/);
    expect(error.issues).toEqual(['source: missing', 'detail-type: missing']);
  });

  it.each([null, undefined, 42, 'GuardDuty Finding', [], [ourEvent('cloudtrail-stop-logging.json')]])(
    'returns a rejection, never throws, for %j',
    (input) => {
      const result = normalizeEvent(input);

      expect(rejectionOf(result)).toBeInstanceOf(InvalidFindingError);
      expect(rejectionOf(result).message).toMatch(/not an EventBridge event: expected a JSON object/);
    },
  );

  it('rejects the malformed GuardDuty event with the missing field as the reason', () => {
    const error = rejectionOf(normalizeEvent(ourEvent('malformed-guardduty-missing-resource.json')));

    expect(error.message).toBe('invalid GuardDuty Finding event: detail.resource: missing');
    expect(error.issues).toEqual(['detail.resource: missing']);
    expect(error.name).toBe('InvalidFindingError');
  });

  it('counts further issues in the one-line reason and lists each one', () => {
    const event = ourEvent('guardduty-iam-credential-exfiltration.json');
    delete event.detail.resource;
    event.detail.severity = 12;

    const error = rejectionOf(normalizeEvent(event));

    expect(error.message).toMatch(/\(and 1 more\)$/);
    expect(error.issues).toHaveLength(2);
    expect(error.issues).toContain('detail.resource: missing');
    expect(error.issues.some((issue) => issue.startsWith('detail.severity:'))).toBe(true);
  });
});

describe('normalizeEvent on names that collide with object built-ins', () => {
  it('rejects a CloudTrail event named "constructor" as unsupported', () => {
    const event = ourEvent('cloudtrail-stop-logging.json');
    event.detail.eventName = 'constructor';

    expect(rejectionOf(normalizeEvent(event)).message).toMatch(/^unsupported CloudTrail event constructor/);
  });
});
