import { describe, expect, it } from 'vitest';
import {
  MANAGEMENT_SELECTOR_NAME,
  parseTrailRestoreInput,
  planTrailRestore,
  type TrailRestoreInput,
} from '#shared/drift/trail-restore.ts';

const TRAIL = 'arn:aws:cloudtrail:us-east-1:111122223333:trail/management-events';
const ON = { IsMultiRegionTrail: true, LogFileValidationEnabled: true, IncludeGlobalServiceEvents: true };
const ALL_MANAGEMENT = {
  ReadWriteType: 'All',
  IncludeManagementEvents: true,
  DataResources: [],
  ExcludeManagementEventSources: [],
};
const S3_DATA = { Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::orders/'] };
const input = (over: Partial<TrailRestoreInput>): TrailRestoreInput => ({
  trailId: TRAIL,
  change: {},
  trail: ON,
  selectors: { EventSelectors: [ALL_MANAGEMENT] },
  ...over,
});

describe('planTrailRestore', () => {
  it('turns back on only what UpdateTrail turned off, sending the other setting as it is', () => {
    const plan = planTrailRestore(
      input({
        change: { name: TRAIL, enableLogFileValidation: false },
        trail: { ...ON, LogFileValidationEnabled: false, IsMultiRegionTrail: false },
      }),
    );

    expect(plan.updateTrail).toEqual({
      Name: TRAIL,
      IsMultiRegionTrail: false,
      EnableLogFileValidation: true,
    });
    expect(plan).toMatchObject({ restores: ['log file validation'], count: 1 });
    expect(plan.putEventSelectors).toBeUndefined();
  });

  it('restores multi-Region logging and validation together when the call turned both off', () => {
    const plan = planTrailRestore(
      input({
        change: { name: TRAIL, isMultiRegionTrail: false, enableLogFileValidation: false },
        trail: { ...ON, LogFileValidationEnabled: false, IsMultiRegionTrail: false },
      }),
    );

    expect(plan.updateTrail).toEqual({
      Name: TRAIL,
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    expect(plan.count).toBe(2);
  });

  it('leaves multi-Region logging off when global service events are off (CloudTrail refuses it), saying so', () => {
    const plan = planTrailRestore(
      input({
        change: { name: TRAIL, isMultiRegionTrail: false },
        trail: { ...ON, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: false },
      }),
    );

    expect(plan.updateTrail).toBeUndefined();
    expect(plan.count).toBe(0);
    expect(plan.notes).toEqual([expect.stringMatching(/global service events/)]);
  });

  it('never changes the log destination, and says why', () => {
    const plan = planTrailRestore(input({ change: { name: TRAIL, s3BucketName: 'attacker-bucket' } }));

    expect(plan).toMatchObject({ count: 0, restores: [] });
    expect(plan.updateTrail).toBeUndefined();
    expect(plan.notes).toEqual([expect.stringMatching(/previous ones/)]);
  });

  it('does nothing for a setting already back on', () => {
    const plan = planTrailRestore(input({ change: { name: TRAIL, enableLogFileValidation: false } }));

    expect(plan.count).toBe(0);
  });

  it('logs every management event again next to the data selectors the trail has now', () => {
    const plan = planTrailRestore(
      input({
        change: { trailName: TRAIL, eventSelectors: [] },
        selectors: {
          EventSelectors: [
            { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] },
            { ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [] },
          ],
        },
      }),
    );

    expect(plan.putEventSelectors?.EventSelectors).toEqual([
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: false, DataResources: [S3_DATA] },
      ALL_MANAGEMENT,
    ]);
    expect(plan.count).toBe(1);
  });

  it('replaces a read-only management selector by the full one, keeping data selectors exactly', () => {
    const plan = planTrailRestore(
      input({
        change: { trailName: TRAIL, advancedEventSelectors: [] },
        selectors: {
          AdvancedEventSelectors: [
            {
              Name: 'reads',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Management'] },
                { Field: 'readOnly', Equals: ['true'] },
              ],
            },
            {
              Name: 'S3 data',
              FieldSelectors: [
                { Field: 'eventCategory', Equals: ['Data'] },
                { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              ],
            },
          ],
        },
      }),
    );

    expect(plan.putAdvancedEventSelectors?.AdvancedEventSelectors).toEqual([
      {
        Name: 'S3 data',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        ],
      },
      {
        Name: MANAGEMENT_SELECTOR_NAME,
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      },
    ]);
    expect(plan.putEventSelectors).toBeUndefined();
  });

  it('has nothing to do once every read and write management event is logged (the verification)', () => {
    const plan = planTrailRestore(input({ change: { trailName: TRAIL, eventSelectors: [] } }));

    expect(plan.count).toBe(0);
  });

  it('notes a trail at the five-selector limit instead of exceeding it', () => {
    const data = { ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [S3_DATA] };
    const plan = planTrailRestore(
      input({
        change: { trailName: TRAIL, eventSelectors: [] },
        selectors: { EventSelectors: [data, data, data, data, data] },
      }),
    );

    expect(plan.count).toBe(0);
    expect(plan.notes).toEqual([expect.stringMatching(/5 data event selectors/)]);
  });

  it("restores what the rule's params name for a finding without a recorded change (CloudTrail.4)", () => {
    const plan = planTrailRestore(
      input({
        change: {},
        decision: { params: { restore: ['logFileValidation'] } },
        trail: { ...ON, LogFileValidationEnabled: false, IsMultiRegionTrail: false },
      }),
    );

    expect(plan.updateTrail).toEqual({
      Name: TRAIL,
      IsMultiRegionTrail: false,
      EnableLogFileValidation: true,
    });
  });

  it('refuses an input that is not what the state machine passes, naming the field', () => {
    expect(() =>
      parseTrailRestoreInput({ trailId: TRAIL, trail: {}, selectors: { EventSelectors: 'x' } }),
    ).toThrow(/selectors\.EventSelectors/);
  });
});
