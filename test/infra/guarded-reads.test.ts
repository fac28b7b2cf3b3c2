import { describe, expect, it } from 'vitest';
import { type GuaranteedRead, pathsIn, unguardedReads } from './guarded-reads.ts';
import { allStates, resolvedStacks, stateMachineDefinitions } from './outside/assemblies.ts';

const definitions = stateMachineDefinitions(resolvedStacks());

/**
 * The list elements an API promises on success, so a ResultSelector may read them directly.
 * DescribeInstances with InstanceIds fails with InvalidInstanceID.NotFound for an id it does not
 * know, so a success holds a reservation with that instance; RunInstances with MinCount 1 fails
 * unless it launched one (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html).
 */
const GUARANTEED: GuaranteedRead[] = [
  { resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances', path: '$.Reservations[0].Instances[0]' },
  {
    resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances',
    path: '$.Reservations[0].Instances[0].State.Name',
  },
  { resource: 'arn:aws:states:::aws-sdk:ec2:runInstances', path: '$.Instances[0].InstanceId' },
  // An instance DescribeInstances names carries its metadata options (InstanceMetadataOptionsResponse).
  {
    resource: 'arn:aws:states:::aws-sdk:ec2:describeInstances',
    path: '$.Reservations[0].Instances[0].MetadataOptions.HttpTokens',
  },
  // Named groups and subnets only: an id that does not exist fails with InvalidGroup.NotFound or
  // InvalidSubnetID.NotFound (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
  ...['GroupName', 'VpcId'].map((field) => ({
    resource: 'arn:aws:states:::aws-sdk:ec2:describeSecurityGroups',
    path: `$.SecurityGroups[0].${field}`,
  })),
  { resource: 'arn:aws:states:::aws-sdk:ec2:describeSubnets', path: '$.Subnets[0].MapPublicIpOnLaunch' },
  // Named recorders only: a name that does not exist fails with NoSuchConfigurationRecorderException
  // (https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigurationRecorderStatus.html).
  {
    resource: 'arn:aws:states:::aws-sdk:config:describeConfigurationRecorderStatus',
    path: '$.ConfigurationRecordersStatus[0]',
  },
  // Named DB instances only: an identifier that does not exist fails with DBInstanceNotFound
  // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html).
  ...['DeletionProtection', 'PubliclyAccessible', 'AutoMinorVersionUpgrade'].map((setting) => ({
    resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
    path: `$.DbInstances[0].${setting}`,
  })),
  // Named DB clusters likewise: an identifier that does not exist fails with DBClusterNotFoundFault
  // (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html).
  ...['DeletionProtection', 'CopyTagsToSnapshot'].map((setting) => ({
    resource: 'arn:aws:states:::aws-sdk:rds:describeDBClusters',
    path: `$.DbClusters[0].${setting}`,
  })),
];

describe('list elements are read only where they are sure to exist', () => {
  it('finds the state machines of both modes', () => {
    expect(definitions.some((d) => d.label.startsWith('single/'))).toBe(true);
    expect(definitions.some((d) => d.label.startsWith('organization/'))).toBe(true);
  });

  it.each(definitions.map((d) => [d.label, d] as const))(
    '%s guards every [n] read with IsPresent or reads it where the API guarantees it',
    (_label, { definition }) => {
      expect(unguardedReads(definition, GUARANTEED)).toEqual([]);
    },
  );

  it('reads the guaranteed elements only from calls that name their instance', () => {
    const describes = definitions.flatMap((d) =>
      allStates(d.definition).filter(
        ([, s]) =>
          s.Resource === GUARANTEED[0]?.resource &&
          JSON.stringify(s.ResultSelector ?? {}).includes('Reservations[0]'),
      ),
    );
    expect(describes.length).toBeGreaterThan(0);
    for (const [name, state] of describes)
      expect(Object.keys((state.Parameters as object) ?? {}), name).toContain('InstanceIds.$');
  });
});

describe('the guard check itself', () => {
  const machine = (states: Record<string, Record<string, unknown>>) => ({ States: states });

  it('flags a [0] read with no IsPresent before it', () => {
    const reads = unguardedReads(
      machine({
        Read: { Type: 'Pass', Parameters: { 'id.$': '$.list[0].Id' }, Next: 'Done' },
        Done: { Type: 'Succeed' },
      }),
      [],
    );
    expect(reads).toEqual([{ state: 'Read', field: 'Parameters.id.$', path: '$.list[0].Id' }]);
  });

  it('accepts a read behind IsPresent of the whole path, and behind the Default of Not IsPresent', () => {
    const reads = unguardedReads(
      machine({
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.list[0].Id', IsPresent: true, Next: 'Read' }],
          Default: 'Absent',
        },
        Absent: {
          Type: 'Choice',
          Choices: [{ Not: { Variable: '$.other[0].Id', IsPresent: true }, Next: 'Done' }],
          Default: 'ReadOther',
        },
        Read: { Type: 'Pass', Parameters: { 'id.$': '$.list[0].Id' }, Next: 'Done' },
        ReadOther: {
          Type: 'Pass',
          Parameters: { 'id.$': "States.Format('{}', $.other[0].Id)" },
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      }),
      [],
    );
    expect(reads).toEqual([]);
  });

  it('flags a read guarded on one way in only, a member beyond the asserted element, and a ResultSelector read', () => {
    const reads = unguardedReads(
      machine({
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.list[0]', IsPresent: true, Next: 'Read' }],
          Default: 'Read',
        },
        Read: { Type: 'Pass', Parameters: { 'id.$': '$.list[0].Id' }, Next: 'Call' },
        Call: { Type: 'Task', Resource: 'r', ResultSelector: { 'x.$': '$.Items[0]' }, End: true },
      }),
      [],
    );
    expect(reads.map((r) => r.state)).toEqual(['Read', 'Call']);
  });

  it('finds the paths of intrinsic arguments, not of quoted text', () => {
    expect(pathsIn("States.Format('{} $.not[0]', $.a[0].b, $$.Execution.Id)")).toEqual(['$.a[0].b']);
  });
});
