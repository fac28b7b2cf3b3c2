import { ec2Event, type MatchCase, withDetail } from './fixtures.ts';

/** Exact values, nested objects, arrays in events, null and empty strings. */
export const valueCases: MatchCase[] = [
  // "Event patterns": exact values, AND across fields, OR within a field's list.
  {
    name: 'exact values on several fields',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'list of values is an OR',
    pattern: { detail: { state: ['initializing', 'running'] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'every field must match (AND)',
    pattern: { source: ['aws.ec2'], detail: { state: ['stopped'] } },
    event: ec2Event,
    matches: false,
  },
  { name: 'matching is case-sensitive', pattern: { source: ['AWS.EC2'] }, event: ec2Event, matches: false },
  {
    name: 'missing field does not match a value',
    pattern: { detail: { owner: ['me'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'fields not in the pattern are ignored',
    pattern: { region: ['us-east-1'] },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'string pattern does not match a number',
    pattern: { detail: { 'c-count': ['5'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'number pattern matches the number',
    pattern: { detail: { 'c-count': [5] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'number pattern does not match its string',
    pattern: { n: [300] },
    event: { n: '300' },
    matches: false,
  },
  {
    name: '300 equals 3.0e2 (numbers compared by value)',
    pattern: JSON.parse('{"n":[3.0e2]}'),
    event: { n: 300 },
    matches: true,
  },
  { name: 'boolean true matches true', pattern: { flag: [true] }, event: { flag: true }, matches: true },
  {
    name: 'boolean true does not match "true"',
    pattern: { flag: [true] },
    event: { flag: 'true' },
    matches: false,
  },
  {
    name: 'boolean false does not match a missing field',
    pattern: { flag: [false] },
    event: {},
    matches: false,
  },
  {
    name: 'nested object pattern',
    pattern: { detail: { state: ['running'] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'nested pattern against a scalar field',
    pattern: { source: { x: ['aws.ec2'] } },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'leaf pattern against an object field',
    pattern: { detail: ['running'] },
    event: ec2Event,
    matches: false,
  },
  {
    name: 'an event that is not an object has no fields',
    pattern: { source: ['x'] },
    event: 'x',
    matches: false,
  },
  {
    name: 'prototype properties are not fields',
    pattern: { constructor: [{ exists: true }] },
    event: {},
    matches: false,
  },

  // "Arrays in Amazon EventBridge event patterns": non-empty intersection.
  {
    name: 'event array intersects the pattern list',
    pattern: {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      ],
    },
    event: {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    matches: true,
  },
  {
    name: 'event array without a common element',
    pattern: { tags: ['a'] },
    event: { tags: ['b', 'c'] },
    matches: false,
  },
  {
    name: 'nested arrays are flattened',
    pattern: { tags: ['c'] },
    event: { tags: [['a'], ['b', ['c']]] },
    matches: true,
  },
  {
    name: 'empty event array matches no value',
    pattern: { tags: ['a'] },
    event: { tags: [] },
    matches: false,
  },
  {
    name: 'array of objects: a field inside any element',
    pattern: { employees: { firstName: ['Anna'] } },
    event: { employees: [{ firstName: 'John' }, { firstName: 'Anna' }] },
    matches: true,
  },
  {
    name: 'array of objects: fields must match within one element',
    pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    event: {
      employees: [
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    },
    matches: false,
  },
  {
    name: 'array of objects: both fields in the same element',
    pattern: { employees: { firstName: ['Peter'], lastName: ['Jones'] } },
    event: {
      employees: [[{ firstName: 'Anna', lastName: 'Smith' }], [{ firstName: 'Peter', lastName: 'Jones' }]],
    },
    matches: true,
  },

  // "Matching null values and empty strings".
  {
    name: '[null] matches a null field',
    pattern: { detail: { responseElements: [null] } },
    event: withDetail({ responseElements: null }),
    matches: true,
  },
  {
    name: '[null] does not match a missing field',
    pattern: { detail: { responseElements: [null] } },
    event: withDetail({}),
    matches: false,
  },
  {
    name: '[""] matches an empty string',
    pattern: { detail: { eventVersion: [''] } },
    event: withDetail({ eventVersion: '' }),
    matches: true,
  },
  {
    name: '[""] does not match null',
    pattern: { detail: { eventVersion: [''] } },
    event: withDetail({ eventVersion: null }),
    matches: false,
  },
  { name: '[null] does not match an empty string', pattern: { v: [null] }, event: { v: '' }, matches: false },
  {
    name: '[null] matches null inside an array',
    pattern: { v: [null] },
    event: { v: ['a', null] },
    matches: true,
  },
];
