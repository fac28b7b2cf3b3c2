import { describe, expect, it } from 'vitest';
import {
  type AccountTrailInput,
  chooseAccountTrail,
  InvalidAccountTrailInputError,
  parseAccountTrailInput,
} from '#shared/drift/account-trail.ts';

const ACCOUNT = '111122223333';
const arn = (name: string, region = 'us-east-1', account = ACCOUNT) =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
const ALL = { ReadWriteType: 'All', IncludeManagementEvents: true, ExcludeManagementEventSources: [] };
type Read = AccountTrailInput['trails'][number];
const trail = (name: string, over: Partial<Read['trail']> = {}, read: Partial<Read> = {}): Read => ({
  trail: {
    Name: name,
    TrailARN: arn(name),
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    IncludeGlobalServiceEvents: true,
    ...over,
  },
  isLogging: true,
  selectors: { EventSelectors: [ALL] },
  ...read,
});
const choose = (...trails: Read[]) => chooseAccountTrail({ accountId: ACCOUNT, region: 'us-east-1', trails });

describe('chooseAccountTrail (CloudTrail.1)', () => {
  it('chooses the trail needing the fewest changes, and says what it lacks', () => {
    const choice = choose(
      trail('a-single-region', { IsMultiRegionTrail: false }, { isLogging: false }),
      trail('b-stopped', {}, { isLogging: false }),
    );
    expect(choice).toEqual({
      found: true,
      resource: { kind: 'Trail', trailName: 'b-stopped', trailArn: arn('b-stopped') },
      isLogging: false,
      missing: ['logging (the trail is stopped)'],
      reason: 'trail b-stopped lacks logging (the trail is stopped)',
    });
  });

  it('counts write-only, excluded-source and data-only selectors as missing management events', () => {
    for (const selectors of [
      { EventSelectors: [{ ...ALL, ReadWriteType: 'WriteOnly' }] },
      { EventSelectors: [{ ...ALL, ExcludeManagementEventSources: ['kms.amazonaws.com'] }] },
      { EventSelectors: [{ ...ALL, IncludeManagementEvents: false }] },
      {
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ],
      },
    ])
      expect(choose(trail('t', {}, { selectors }))).toMatchObject({
        found: true,
        missing: ['read and write management events'],
      });
  });

  it('reports a trail that already satisfies the control with nothing missing', () => {
    expect(choose(trail('ok'))).toMatchObject({ found: true, missing: [] });
  });

  it('never chooses a trail of another account or homed in another Region', () => {
    const choice = choose(
      trail('org', { TrailARN: arn('org', 'us-east-1', '999988887777'), IsOrganizationTrail: true }),
      trail('elsewhere', { TrailARN: arn('elsewhere', 'eu-west-1'), HomeRegion: 'eu-west-1' }),
    );
    expect(choice.found).toBe(false);
    expect(choice.reason).toContain('no trail of account 111122223333 has us-east-1 as its home Region');
    expect(choice.reason).toContain(arn('elsewhere', 'eu-west-1'));
  });

  it('ends with a person when the account has no trail, saying a bucket must be chosen', () => {
    const choice = choose();
    expect(choice).toEqual({ found: false, reason: expect.stringContaining('has no trail in us-east-1') });
    expect(choice.reason).toContain('needs a bucket');
  });

  it('does not choose a single-Region trail without global service events', () => {
    expect(
      choose(trail('no-global', { IsMultiRegionTrail: false, IncludeGlobalServiceEvents: false })),
    ).toEqual({
      found: false,
      reason: expect.stringContaining('single-Region without global service events'),
    });
  });

  it('refuses a malformed payload naming the field', () => {
    expect(() => parseAccountTrailInput({ accountId: 'x', region: 'us-east-1', trails: [] })).toThrow(
      InvalidAccountTrailInputError,
    );
    expect(() => parseAccountTrailInput({ accountId: ACCOUNT, region: 'us-east-1', trails: [{}] })).toThrow(
      /trails\.0\.trail/,
    );
  });
});
