import { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it } from 'vitest';
import { UNDO_ACTION_TYPES, type UndoAction, undoActions } from '#shared/undo/actions.ts';
import { REVERSE_CALLS } from '#statemachines/undo/reverse-calls.ts';
import { resolvedStacks, stateMachineDefinitions } from './assemblies.ts';
import { checkParameters, checkPath, selectorPaths } from './sdk-check.ts';
import { type EnumTable, enumTable } from './sdk-enums.ts';
import { integrationTasks, type OperationSchema, operation, PACKAGES, pascal } from './sdk-tasks.ts';

/**
 * Every SDK-integration and optimized-integration task of both modes, and every request an undo
 * sends, checked against the AWS SDK v3's own operation schemas (each `@aws-sdk/client-*` package
 * carries them, generated from AWS's API models): the operation exists, every parameter names a
 * member with its exact case, the required members are there, every static value of an enum
 * member is one of its values, and every path a ResultSelector reads exists in the output.
 */
const tasks = integrationTasks(stateMachineDefinitions(resolvedStacks()));

const enumTables = new Map<string, Promise<EnumTable>>();
/** The enums of a Step Functions service name's SDK client, read once. */
function enumsOf(service: string): Promise<EnumTable> {
  const pkg = PACKAGES[service];
  if (!pkg) throw new Error(`no SDK package known for ${service}`);
  const table = enumTables.get(pkg) ?? enumTable(pkg);
  enumTables.set(pkg, table);
  return table;
}

/** Problems of one request (`parameters`) of `service`'s `name` operation. */
async function checkRequest(where: string, service: string, name: string, parameters: unknown) {
  const op = await operation(service, name);
  if (!op) return [`${where}: ${service} has no operation ${name}`];
  const input = NormalizedSchema.of(op[4]());
  // An operation without input (IAM's GetAccountPasswordPolicy): its task passes an empty object.
  if (input.isUnitSchema())
    return Object.keys(parameters ?? {}).map((member) => `${where}.${member}: ${name} takes no input`);
  return checkParameters(where, parameters, input, await enumsOf(service));
}

/**
 * One undo action of each type, as the undo planner builds them from a playbook's records. The
 * values are this check's own samples of what AWS takes (ids of the right shape, real enum values):
 * a new undo action type (not a new playbook reusing one) adds its sample here, and the first test
 * below fails until it does. Not built from the playbooks' own records, which would only check our
 * requests against our own assumptions.
 */
const sampleUndoActions: UndoAction[] = [
  undoActions.reactivateKey('alice', 'AKIAIOSFODNN7EXAMPLE'),
  undoActions.deleteUserPolicy('alice', 'remediation-deny-sessions', {}),
  undoActions.untagUser('alice', ['remediation:finding']),
  undoActions.deleteRolePolicy('app', 'remediation-deny-sessions', {}),
  undoActions.associateProfile('i-0123456789abcdef0', 'arn:aws:iam::111122223333:instance-profile/app'),
  undoActions.restoreGroups('eni-0123456789abcdef0', ['sg-0123456789abcdef0'], []),
  undoActions.registerTarget(
    'arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0123456789abcdef',
    'i-0123456789abcdef0',
    80,
  ),
  undoActions.attachInstance('web', 'i-0123456789abcdef0'),
  undoActions.authorizeIngress(
    'sg-0123456789abcdef0',
    [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    [],
  ),
  // close-default-security-group: a default group's own rules (members of the group, all outbound).
  undoActions.authorizeIngress(
    'sg-0123456789abcdef0',
    [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-0123456789abcdef0' }] }],
    [],
  ),
  undoActions.authorizeEgress(
    'sg-0123456789abcdef0',
    [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    [],
  ),
  undoActions.allowImdsv1('i-0123456789abcdef0'),
  undoActions.mapPublicIpOnLaunch('subnet-0123456789abcdef0'),
  undoActions.deleteFlowLogs(['fl-0123456789abcdef0']),
  undoActions.putPublicAccessBlock('bucket', { BlockPublicAcls: false, IgnorePublicAcls: false }, {}),
  undoActions.deletePublicAccessBlock('bucket', {}),
  undoActions.putAccountPublicAccessBlock(
    '111122223333',
    { BlockPublicAcls: false, IgnorePublicAcls: true },
    {},
  ),
  undoActions.deleteAccountPublicAccessBlock('111122223333', {}),
  undoActions.shareSnapshot('snap-0123456789abcdef0', [{ Group: 'all' }], []),
  undoActions.shareImage('ami-0123456789abcdef0', [{ UserId: '444455556666' }], []),
  undoActions.shareDbSnapshot(false, 'nightly', ['all'], []),
  undoActions.shareDbSnapshot(true, 'nightly-cluster', ['444455556666'], []),
  undoActions.disableEbsEncryptionByDefault('111122223333', 'us-east-1'),
  undoActions.disableKeyRotation('1234abcd-12ab-34cd-56ef-1234567890ab'),
  undoActions.reactivateTrustedIpList('12abc34d567e8fa901bc2d34e56789f0', '0cb0141ab9fbde177613ab9436212e90'),
  undoActions.putFunctionConcurrency('app', 5),
  undoActions.deleteFunctionConcurrency('app'),
  undoActions.pointAlias('app', 'live', '2', '3'),
  undoActions.restorePasswordPolicy('111122223333', {
    MinimumPasswordLength: 8,
    RequireSymbols: true,
    RequireNumbers: false,
    RequireUppercaseCharacters: false,
    RequireLowercaseCharacters: true,
    AllowUsersToChangePassword: true,
    HardExpiry: false,
    MaxPasswordAge: 180,
    PasswordReusePrevention: 3,
  }),
  undoActions.deletePasswordPolicy('111122223333'),
  undoActions.restoreDbInstanceSetting('orders-db', 'DeletionProtection', false),
  undoActions.restoreDbInstanceSetting('orders-db', 'PubliclyAccessible', true),
  undoActions.restoreDbInstanceSetting('orders-db', 'AutoMinorVersionUpgrade', false),
  undoActions.restoreDbClusterSetting('orders-cluster', 'DeletionProtection', false),
  undoActions.restoreDbClusterSetting('orders-cluster', 'CopyTagsToSnapshot', false),
  undoActions.unprotectTable('orders'),
  undoActions.stopQueueEncryption('https://sqs.us-east-1.amazonaws.com/111122223333/orders'),
  undoActions.stopTopicEncryption('arn:aws:sns:us-east-1:111122223333:alerts', 'alias/aws/sns'),
  undoActions.putBucketPolicy('bucket', '{"Version":"2012-10-17","Statement":[]}', {}, 'Sid'),
  undoActions.deleteBucketPolicy('bucket', {}, 'Sid'),
  undoActions.addPermission(
    {
      FunctionName: 'app',
      StatementId: 'FunctionURLAllowPublicAccess',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      SourceArn: 'arn:aws:s3:::bucket',
      SourceAccount: '111122223333',
      PrincipalOrgID: 'o-a1b2c3d4e5',
      FunctionUrlAuthType: 'NONE',
      InvokedViaFunctionUrl: true,
    },
    {},
  ),
];

describe('SDK tasks against the AWS SDK models', () => {
  it('finds the tasks of both modes', () => {
    expect(tasks.filter((t) => t.where.startsWith('single/')).length).toBeGreaterThan(50);
    expect(tasks.filter((t) => t.where.startsWith('organization/')).length).toBeGreaterThan(50);
  });

  it('every operation exists; every parameter, required member and static enum value matches its model', async () => {
    const problems: string[] = [];
    for (const task of tasks) {
      const parameters = { ...(task.parameters as Record<string, unknown>) };
      // Step Functions' own fields of an SDK task, not the API's.
      delete parameters['Credentials'];
      problems.push(...(await checkRequest(task.where, task.service, task.operation, parameters)));
    }
    expect(problems).toEqual([]);
  });

  it('every request an undo sends matches its model, and its task passes every member of it', async () => {
    expect(new Set(sampleUndoActions.map((a) => a.type))).toEqual(new Set(UNDO_ACTION_TYPES));
    const problems: string[] = [];
    for (const action of sampleUndoActions) {
      const call = REVERSE_CALLS[action.type];
      const where = `undo ${action.type}`;
      problems.push(...(await checkRequest(where, call.service, pascal(call.action), action.request)));
      for (const member of Object.keys(action.request))
        if (![...call.fields, ...(call.optionalFields ?? []), ...(call.oneOf ?? [])].includes(member))
          problems.push(`${where}: the task does not pass ${member}`);
    }
    expect(problems).toEqual([]);
  });

  it('every path a ResultSelector reads exists in the operation’s result', async () => {
    const problems: string[] = [];
    for (const task of tasks) {
      const op = await operation(task.service, task.operation);
      if (!op || !task.resultSelector) continue;
      // Optimized integrations wrap the result (`Payload` of lambda:invoke is the function's own).
      if (!task.sdk && task.service === 'lambda') continue;
      for (const [key, path] of selectorPaths(task.resultSelector))
        problems.push(...checkPath(`${task.where} ${key}`, path, NormalizedSchema.of(op[5]())));
    }
    expect(problems).toEqual([]);
  });

  it('the check refuses a misspelt member, a missing required member and a path the result lacks', async () => {
    expect(
      await checkRequest('t', 'iam', 'UpdateAccessKey', { AccessKeyID: 'x', Status: 'Inactive' }),
    ).toEqual([
      't.AccessKeyID: no such member (the model spells it AccessKeyId)',
      't: required member AccessKeyId is missing',
    ]);
    const list = (await operation('iam', 'ListAccessKeys')) as OperationSchema;
    expect(checkPath('t', '$.AccessKeyMetadata[0].Status', NormalizedSchema.of(list[5]()))).toEqual([]);
    expect(checkPath('t', '$.AccessKeys[0].Status', NormalizedSchema.of(list[5]()))).toEqual([
      't: $.AccessKeys[0].Status: no member AccessKeys in the result',
    ]);
  });

  it('a real task with one enum value misspelt is refused', async () => {
    type Parameters = { Status?: string; TagSpecifications?: { ResourceType: string }[] };
    const misspelt: [string, (p: Parameters) => void][] = [
      ['/Deactivate access key', (p) => (p.Status = 'inactive')],
      [
        '/Create isolation group',
        (p) => ((p.TagSpecifications ?? [])[0] = { ResourceType: 'securitygroup' }),
      ],
    ];
    for (const [state, misspell] of misspelt) {
      const real = tasks.filter((t) => t.where.endsWith(state));
      expect(real.length, state).toBe(2);
      for (const task of real) {
        const { Credentials: _, ...parameters } = structuredClone(task.parameters) as Record<string, unknown>;
        expect(await checkRequest(task.where, task.service, task.operation, parameters)).toEqual([]);
        misspell(parameters);
        const problems = await checkRequest(task.where, task.service, task.operation, parameters);
        expect(problems, task.where).toEqual([expect.stringMatching(/ is not a (StatusType|ResourceType) /)]);
      }
    }
  });

  it('the check refuses a misspelt static enum value, alone, in a list and nested, and lets a path through', async () => {
    // A hand-made task of each shape the definitions use.
    expect(
      await checkRequest('t', 'iam', 'UpdateAccessKey', { AccessKeyId: 'x', Status: 'InActive' }),
    ).toEqual(['t.Status: "InActive" is not a StatusType (Active, Expired, Inactive)']);
    expect(
      await checkRequest('t', 'ec2', 'DescribeInstanceAttribute', {
        InstanceId: 'i-1',
        Attribute: 'disableApiTerminaton',
      }),
    ).toEqual([
      expect.stringMatching(/^t\.Attribute: "disableApiTerminaton" is not a InstanceAttributeName \(/),
    ]);
    expect(
      await checkRequest('t', 'ec2', 'CreateSnapshots', {
        InstanceSpecification: { InstanceId: 'i-1' },
        TagSpecifications: [{ ResourceType: 'snapshots', Tags: [] }],
      }),
    ).toEqual([
      expect.stringMatching(/^t\.TagSpecifications\[0\]\.ResourceType: "snapshots" is not a ResourceType \(/),
    ]);
    expect(
      await checkRequest('t', 'ec2', 'DescribeInstanceAttribute', {
        InstanceId: 'i-1',
        Attribute: 'userData',
      }),
    ).toEqual([]);
    expect(
      await checkRequest('t', 'iam', 'UpdateAccessKey', { AccessKeyId: 'x', 'Status.$': '$.anything' }),
    ).toEqual([]);
  });
});
