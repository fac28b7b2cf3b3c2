import { describe, expect, it } from 'vitest';
import { renderTimeline } from '#cli/commands/audit.ts';
import type { StoredRecord } from '#shared/audit/reader.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const record = (overrides: Partial<StoredRecord>): StoredRecord => ({
  pk: 'FINDING#f-1',
  sk: '2026-01-01T00:00:00.000Z#classify',
  resourceKey: 'RESOURCE#x',
  at: '2026-01-01T00:00:00.000Z',
  actor: 'classify',
  action: 'classify',
  outcome: 'routed',
  seq: 1,
  ...overrides,
});

describe('remediate audit (timeline)', () => {
  it('shows a decision reason with escape sequences and line breaks as one clean row', () => {
    const text = renderTimeline([
      record({}),
      record({
        seq: 2,
        actor: 'arn:aws:iam::111122223333:user/oncall-ana',
        action: 'DecideApproval',
        outcome: 'denied',
        reason: 'ok\u001b]0;pwned\u0007\u001b[2J\n2026-01-01 00:00:01  f-1  3  classify  Complete  contained',
      }),
      record({
        seq: 3,
        findingId: 'f-1\u001b[8m',
        action: 'Custom',
        outcome: 'failed',
        details: '{"x":"\\u001b[31m"}',
      }),
    ]);
    const lines = text.split('\n');
    // Per finding (the third record names another): its heading, header, rule and rows; then a
    // blank line each and the summary. 1+2+2, blank, 1+2+1, blank, summary: no line a reason added.
    expect(lines).toHaveLength(12);
    expect(text).not.toMatch(CONTROL);
    expect(lines[0]).toBe('finding f-1');
    expect(lines[4]).toContain('ok]0;pwned[2J 2026-01-01 00:00:01');
    expect(lines[6]).toBe('finding f-1[8m');
  });
});
