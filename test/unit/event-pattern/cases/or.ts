import { ec2Event, type MatchCase } from './fixtures.ts';

/** The $or primitive, alone, nested and at several levels. */
export const orCases: MatchCase[] = [
  // event-ruler README, "The $or primitive" (also in the EventBridge guide's "$or matching").
  {
    name: '$or with a sibling field: first branch',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.cloudwatch', metricName: 'CPUUtilization', namespace: 'AWS/RDS' },
    matches: true,
  },
  {
    name: '$or with a sibling field: second branch',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.cloudwatch', metricName: 'ReadLatency', namespace: 'AWS/EC2' },
    matches: true,
  },
  {
    name: '$or with a sibling field: no branch',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.cloudwatch', metricName: 'ReadLatency', namespace: 'AWS/RDS' },
    matches: false,
  },
  {
    name: '$or branch matches but the sibling does not',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    },
    event: { source: 'aws.ec2', metricName: 'CPUUtilization' },
    matches: false,
  },
  {
    name: '$or nested inside a branch (AND inside OR)',
    pattern: {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
      ],
    },
    event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    matches: true,
  },
  {
    name: '$or inside a nested object',
    pattern: { detail: { $or: [{ state: ['stopped'] }, { 'c-count': [{ numeric: ['>', 4] }] }] } },
    event: ec2Event,
    matches: true,
  },
  {
    name: 'parallel $or at two levels',
    pattern: {
      $or: [{ region: ['eu-west-1'] }, { account: ['012345679012'] }],
      detail: { $or: [{ state: ['stopped'] }, { 'instance-id': [{ prefix: 'i-' }] }] },
    },
    event: ec2Event,
    matches: true,
  },
];
