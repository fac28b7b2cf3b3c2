import { ec2Event, type MatchCase, withDetail } from './fixtures.ts';

/** prefix, suffix, equals-ignore-case and wildcard. */
export const stringOperatorCases: MatchCase[] = [
  // "Prefix matching" (and prefix with equals-ignore-case).
  { name: 'prefix on time', pattern: { time: [{ prefix: '2017-10-02' }] }, event: ec2Event, matches: true },
  {
    name: 'prefix that does not match',
    pattern: { time: [{ prefix: '2017-10-03' }] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'prefix is case-sensitive',
    pattern: { region: [{ prefix: 'US-' }] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'prefix ignoring case',
    pattern: { region: [{ prefix: { 'equals-ignore-case': 'US-' } }] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'prefix only applies to strings',
    pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'empty prefix matches any string',
    pattern: { source: [{ prefix: '' }] },
    event: ec2Event,
    matches: true,
  },

  // "Suffix matching" (and suffix with equals-ignore-case).
  {
    name: 'suffix on a file name',
    pattern: { detail: { key: [{ suffix: '.png' }] } },
    event: withDetail({ key: 'a/b.png' }),
    matches: true,
  },
  {
    name: 'suffix that does not match',
    pattern: { detail: { key: [{ suffix: '.png' }] } },
    event: withDetail({ key: 'a/b.PNG' }),
    matches: false,
  },
  {
    name: 'suffix ignoring case',
    pattern: { detail: { key: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: withDetail({ key: 'a/b.PNG' }),
    matches: true,
  },

  // "Equals-ignore-case matching".
  {
    name: 'equals-ignore-case',
    pattern: { source: [{ 'equals-ignore-case': 'AWS.EC2' }] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'equals-ignore-case is still equality',
    pattern: { source: [{ 'equals-ignore-case': 'AWS.EC' }] },
    event: ec2Event,
    matches: false,
  },

  // "Wildcard matching".
  {
    name: 'wildcard in the middle',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleQueueService' },
    matches: true,
  },
  {
    name: 'wildcard matches the empty run',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'SimpleService' },
    matches: true,
  },
  {
    name: 'wildcard is anchored',
    pattern: { source: [{ wildcard: 'Simple*Service' }] },
    event: { source: 'ASimpleQueueService' },
    matches: false,
  },
  {
    name: 'wildcard with several stars',
    pattern: { key: [{ wildcard: 'dir/*/*.png' }] },
    event: { key: 'dir/a/b.png' },
    matches: true,
  },
  {
    name: 'escaped star is a literal star',
    pattern: { key: [{ wildcard: 'a\\*b' }] },
    event: { key: 'a*b' },
    matches: true,
  },
  {
    name: 'escaped star does not match other text',
    pattern: { key: [{ wildcard: 'a\\*b' }] },
    event: { key: 'axb' },
    matches: false,
  },
  {
    name: 'escaped backslash is a literal backslash',
    pattern: { key: [{ wildcard: 'a\\\\*' }] },
    event: { key: 'a\\bc' },
    matches: true,
  },
  {
    name: 'wildcard treats regex characters literally',
    pattern: { key: [{ wildcard: 'a.b*' }] },
    event: { key: 'axb' },
    matches: false,
  },
  {
    name: 'wildcard only applies to strings',
    pattern: { n: [{ wildcard: '*' }] },
    event: { n: 5 },
    matches: false,
  },
];
