import { describe, expect, it } from 'vitest';
import { cappedRejection, deadLetterBody } from '#functions/classify/rejection.ts';
import { classifyEvent } from '#shared/classify.ts';
import { parsePolicy } from '#shared/policy/load.ts';
import { fixtureEvent } from '../../e2e/stack/harness.ts';

const policy = parsePolicy('version: 1\nrules: []\n');

/** A GuardDuty finding whose key id is `size` characters long. */
function hugeKeyEvent(size: number) {
  const event = fixtureEvent('guardduty-iam-credential-exfiltration.json');
  event.detail.resource.accessKeyDetails.accessKeyId = `AKIA${'A'.repeat(size)}`;
  return event;
}

describe('a rejection quoting a huge value', () => {
  it('keeps the start of the value, its length and the end of the sentence, in a few hundred characters', () => {
    const [rejection] = classifyEvent(hugeKeyEvent(240 * 1024), policy, {
      now: new Date(),
      recentAutoActions: 0,
    });
    if (rejection?.outcome !== 'rejected') throw new Error('expected a rejection');
    expect(rejection.reason.length).toBeGreaterThan(240 * 1024);

    const capped = cappedRejection('e-1', rejection);
    expect(capped.reason).toMatch(/"AKIAA+…\(245764 chars\)" is not an access key id/);
    expect(capped.reason.length).toBeLessThan(1000);
    expect(capped.issues.every((issue) => issue.length < 1000)).toBe(true);
    // What the audit record holds (reason and issues) stays far below DynamoDB's 400 KB item limit.
    expect(Buffer.byteLength(capped.reason + JSON.stringify({ issues: capped.issues }))).toBeLessThan(10_000);
  });

  it('keeps at most twenty issues and says how many more there were', () => {
    const capped = cappedRejection('e', {
      reason: 'r',
      issues: Array.from({ length: 50 }, (_, i) => `i${i}`),
    });
    expect(capped.issues).toHaveLength(21);
    expect(capped.issues.at(-1)).toBe('… and 30 more issue(s)');
  });

  it('caps an event id that is not an EventBridge id', () => {
    expect(cappedRejection('x'.repeat(10_000), { reason: 'r', issues: [] }).eventId.length).toBeLessThan(200);
  });

  it('keeps the dead-letter message under the queue’s 256 KiB', () => {
    const body = deadLetterBody('r', [], hugeKeyEvent(250 * 1024));
    expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
    expect(JSON.parse(body)).toMatchObject({ reason: 'r', eventLength: expect.any(Number) });
    expect(JSON.parse(deadLetterBody('r', [], { small: true }))).toEqual({
      reason: 'r',
      issues: [],
      event: { small: true },
    });
  });
});
