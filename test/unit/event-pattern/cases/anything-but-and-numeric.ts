import { ec2Event, type MatchCase, withDetail } from './fixtures.ts';

/** anything-but in all its forms, and numeric comparisons. */
export const anythingButAndNumericCases: MatchCase[] = [
  // "Anything-but matching".
  {
    name: 'anything-but a string',
    pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'anything-but the value itself',
    pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'anything-but a number',
    pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'anything-but a list of strings',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'anything-but a list containing the value',
    pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'anything-but a list of numbers',
    pattern: { n: [{ 'anything-but': [100, 200, 300] }] },
    event: { n: 3e2 },
    matches: false,
  },
  {
    name: 'anything-but a number matches a string',
    pattern: { n: [{ 'anything-but': 300 }] },
    event: { n: '300' },
    matches: true,
  },
  {
    name: 'anything-but prefix',
    pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
    event: withDetail({ state: 'initializing' }),
    matches: false,
  },
  {
    name: 'anything-but prefix, other value',
    pattern: { source: [{ 'anything-but': { prefix: 'aws.' } }] },
    event: { source: 'com.mycompany.orders' },
    matches: true,
  },
  {
    name: 'anything-but suffix',
    pattern: { key: [{ 'anything-but': { suffix: '.tmp' } }] },
    event: { key: 'x.tmp' },
    matches: false,
  },
  {
    name: 'anything-but wildcard',
    pattern: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
    event: { path: '/usr/lib/x' },
    matches: false,
  },
  {
    name: 'anything-but wildcard list',
    pattern: { path: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] },
    event: { path: '/home/me' },
    matches: true,
  },
  {
    name: 'anything-but equals-ignore-case',
    pattern: { s: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] },
    event: { s: 'running' },
    matches: false,
  },
  {
    name: 'anything-but equals-ignore-case list',
    pattern: { s: [{ 'anything-but': { 'equals-ignore-case': ['a', 'B'] } }] },
    event: { s: 'c' },
    matches: true,
  },
  {
    name: 'anything-but needs the field to be present',
    pattern: { s: [{ 'anything-but': 'x' }] },
    event: {},
    matches: false,
  },
  {
    name: 'anything-but matches null (it is not the excluded value)',
    pattern: { s: [{ 'anything-but': 'x' }] },
    event: { s: null },
    matches: true,
  },
  {
    name: 'anything-but on an array: some element differs',
    pattern: { s: [{ 'anything-but': 'a' }] },
    event: { s: ['a', 'b'] },
    matches: true,
  },
  {
    name: 'anything-but on an array: all excluded',
    pattern: { s: [{ 'anything-but': ['a', 'b'] }] },
    event: { s: ['a', 'b'] },
    matches: false,
  },

  // "Numeric matching".
  {
    name: 'numeric ranges on several fields (doc example)',
    pattern: {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'numeric upper bound is inclusive with <=',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 5 },
    matches: true,
  },
  {
    name: 'numeric lower bound is exclusive with >',
    pattern: { n: [{ numeric: ['>', 0, '<=', 5] }] },
    event: { n: 0 },
    matches: false,
  },
  {
    name: 'numeric >= includes the bound',
    pattern: { n: [{ numeric: ['>=', 10] }] },
    event: { n: 10 },
    matches: true,
  },
  {
    name: 'numeric < excludes the bound',
    pattern: { n: [{ numeric: ['<', 10] }] },
    event: { n: 10 },
    matches: false,
  },
  {
    name: 'numeric = compares by value',
    pattern: { n: [{ numeric: ['=', 300] }] },
    event: JSON.parse('{"n":3.0e2}'),
    matches: true,
  },
  {
    name: 'numeric does not match numeric strings',
    pattern: { n: [{ numeric: ['>', 0] }] },
    event: { n: '5' },
    matches: false,
  },
  {
    name: 'numeric on an array: any element in range',
    pattern: { n: [{ numeric: ['>', 100] }] },
    event: { n: [1, 2, 300] },
    matches: true,
  },
  {
    name: 'numeric negative range',
    pattern: { n: [{ numeric: ['>=', -10, '<', -1] }] },
    event: { n: -5.5 },
    matches: true,
  },
];
