import { describe, expect, it } from 'vitest';
import {
  AppendAnyRequestSchema,
  AppendBatchRequestSchema,
  MAX_BATCH_RECORDS,
  recordsToAppend,
} from '#functions/audit-append/request.ts';

/** A record as a playbook's audit step sends it. */
const record = (action: string) => ({
  pk: 'FINDING#f1',
  sk: `2026-12-06T05:00:00.000Z#${action}#succeeded`,
  resourceKey: 'RESOURCE#111122223333#Instance#i-0abc',
  at: '2026-12-06T05:00:00.000Z',
  actor: 'playbook/quarantine-instance',
  action,
  outcome: 'succeeded',
});

describe('audit appender request', () => {
  it('takes one record, or a batch of records kept in the order sent', () => {
    expect(AppendAnyRequestSchema.parse({ record: record('TagInstance') })).toMatchObject({
      record: { action: 'TagInstance' },
    });
    const batch = AppendAnyRequestSchema.parse({
      records: [
        record('EnableTerminationProtection'),
        record('SetShutdownBehaviorStop'),
        record('TagInstance'),
      ],
    });
    expect('records' in batch && recordsToAppend(batch).map((r) => r.action)).toEqual([
      'EnableTerminationProtection',
      'SetShutdownBehaviorStop',
      'TagInstance',
    ]);
  });

  it('refuses an empty batch, an oversized one, a batch with a bad record, and both forms at once', () => {
    const refused = (input: unknown) => AppendAnyRequestSchema.safeParse(input).success === false;
    expect(refused({ records: [] })).toBe(true);
    expect(
      refused({ records: Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => record(`Step${i}`)) }),
    ).toBe(true);
    expect(refused({ records: [record('TagInstance'), { ...record('X'), outcome: 'made-up' }] })).toBe(true);
    expect(refused({ record: record('A'), records: [record('B')] })).toBe(true);
  });

  it('drops the records a batch lists as left out (a skipped phase) and keeps the rest in order', () => {
    const batch = AppendBatchRequestSchema.parse({
      records: [
        record('RecordBeforeState'),
        { record: record('PutRolePolicy'), appended: false },
        { record: record('DisassociateIamInstanceProfile'), appended: true },
        record('Complete'),
      ],
    });
    expect(recordsToAppend(batch).map((r) => r.action)).toEqual([
      'RecordBeforeState',
      'DisassociateIamInstanceProfile',
      'Complete',
    ]);
  });

  it('refuses a batch whose every record is left out, and a left-out flag that is not a boolean', () => {
    const refused = (input: unknown) => AppendAnyRequestSchema.safeParse(input).success === false;
    expect(refused({ records: [{ record: record('PutRolePolicy'), appended: false }] })).toBe(true);
    expect(refused({ records: [{ record: record('PutRolePolicy'), appended: 'false' }] })).toBe(true);
  });
});
