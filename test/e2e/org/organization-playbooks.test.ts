import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RegisterImageCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/aws-sdk-clients.ts';
import { Sandbox } from '#sandbox/index.ts';
import { findingHistory } from '#sandbox/scenario/audit-reader.ts';
import type { CallRecord } from '#sandbox/server.ts';
import type { StsService } from '#sandbox/services/sts.ts';
import { ISOLATION_TAG } from '#statemachines/quarantine-instance/isolate-network.ts';
import {
  HOME_REGION,
  MEMBER_A,
  MEMBER_B,
  ORG,
  ORG_ASSEMBLY,
  ORG_CONTEXT,
  OTHER_REGION,
  SECURITY,
} from './organization.ts';

/** A member of the organization that never deployed the member stack: it has no execution role. */
const WITHOUT_ROLE = '210987654321';
const MEMBER_ROLE = 'RemediationExecutionRole';
const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/events');
const run = promisify(execFile);
const fixture = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

/** The services a playbook changes resources through: what "the security account untouched" is about. */
const RESOURCE_SERVICES = new Set(['ec2', 'iam', 'autoscaling', 'elasticloadbalancing', 's3', 'cloudtrail']);

let sandbox: Sandbox;
/** Where the test's own set-up calls end: everything after is the product's doing. */
let baseline = 0;
let securityBefore: { users: string[]; roles: string[]; groups: Record<string, string[]> };
const seeded = {
  keyA: '',
  otherKeyA: '',
  keyWithoutRole: '',
  instanceB: '',
  groupsB: [] as string[],
  openGroupA: '',
  openRuleA: '',
};

const memberSession = (account: string) =>
  new RegExp(`^arn:aws:sts::${account}:assumed-role/${MEMBER_ROLE}/`);
const productCalls = () => sandbox.server.calls.slice(baseline);
const callsOf = (operation: string): CallRecord[] => productCalls().filter((c) => c.operation === operation);

/** Put an event on `account`'s default bus in `region`, as the AWS service would, and wait for all of it. */
async function deliver(
  account: string,
  region: string,
  event: { source: string; 'detail-type': string; detail: unknown },
) {
  const out = await sandbox.clientsFor(account, region).events.send(
    new PutEventsCommand({
      Entries: [
        { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  await sandbox.idle();
}

const history = (region: string, findingId: string) => {
  const deployment = sandbox.deployments.find(
    (d) => d.stackName === 'AutoRemediation' && d.accountId === SECURITY && d.region === region,
  );
  return findingHistory(
    sandbox.clientsFor(SECURITY, region).dynamodb,
    deployment?.outputs.AuditTableName as string,
    findingId,
  );
};

/** The executions of the playbook state machine `remediation-<playbook>` in `region`. */
async function executionsOf(playbook: string, region: string) {
  const stateMachineArn = `arn:aws:states:${region}:${SECURITY}:stateMachine:remediation-${playbook}`;
  const sfn = sandbox.clientsFor(SECURITY, region).sfn;
  const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
  return Promise.all(
    listed.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn as string }))),
  );
}

function leakedKeyFinding(account: string, accessKeyId: string, findingId: string) {
  const event = fixture('guardduty-iam-credential-exfiltration.json');
  event.detail.id = findingId;
  event.detail.accountId = account;
  event.detail.region = HOME_REGION;
  event.detail.resource.accessKeyDetails.accessKeyId = accessKeyId;
  event.detail.resource.accessKeyDetails.userName = 'ci-deployer';
  return event;
}

async function securityAccountState() {
  const iam = sandbox.clientsFor(SECURITY).iam;
  const users = ((await iam.send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName as string);
  const roles = ((await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles ?? []).map(
    (r) => r.RoleName as string,
  );
  const groups: Record<string, string[]> = {};
  for (const region of [HOME_REGION, OTHER_REGION]) {
    const ec2 = sandbox.clientsFor(SECURITY, region).ec2;
    groups[region] = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? [])
      .map((g) => g.GroupId as string)
      .sort();
  }
  return { users: users.sort(), roles: roles.sort(), groups };
}

beforeAll(async () => {
  sandbox = await Sandbox.start({
    port: 0,
    timeScale: 0.001,
    snapshotDelayMs: 50,
    assemblyDir: ORG_ASSEMBLY,
    context: ORG_CONTEXT,
    deployments: [
      { stack: 'AutoRemediation', accountId: SECURITY, region: HOME_REGION },
      { stack: 'AutoRemediation', accountId: SECURITY, region: OTHER_REGION },
      { stack: 'AutoRemediationMember', accountId: MEMBER_A, region: HOME_REGION },
      { stack: 'AutoRemediationMember', accountId: MEMBER_B, region: HOME_REGION },
      { stack: 'AutoRemediationMemberRegion', accountId: MEMBER_B, region: OTHER_REGION },
    ],
  });
  sandbox.server.organizations.add(ORG, [SECURITY, MEMBER_A, MEMBER_B, WITHOUT_ROLE]);

  // Member A (us-east-1): a deployer user with two keys, and a group someone opened to the world.
  const a = sandbox.clientsFor(MEMBER_A, HOME_REGION);
  await a.iam.send(new CreateUserCommand({ UserName: 'ci-deployer' }));
  seeded.keyA = (await a.iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' }))).AccessKey
    ?.AccessKeyId as string;
  seeded.otherKeyA = (await a.iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' }))).AccessKey
    ?.AccessKeyId as string;
  const vpcA = (await a.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc?.VpcId as string;
  seeded.openGroupA = (
    await a.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'build', Description: 'build', VpcId: vpcA }),
    )
  ).GroupId as string;
  seeded.openRuleA = (
    await a.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: seeded.openGroupA,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    )
  ).SecurityGroupRules?.[0]?.SecurityGroupRuleId as string;

  // The member without the role has a key too.
  const w = sandbox.clientsFor(WITHOUT_ROLE, HOME_REGION);
  await w.iam.send(new CreateUserCommand({ UserName: 'ci-deployer' }));
  seeded.keyWithoutRole = (await w.iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' })))
    .AccessKey?.AccessKeyId as string;

  // Member B, eu-west-1: an instance with two network interfaces.
  const b = sandbox.clientsFor(MEMBER_B, OTHER_REGION);
  const vpcB = (await b.ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId as string;
  const subnetB = (await b.ec2.send(new CreateSubnetCommand({ VpcId: vpcB, CidrBlock: '10.30.1.0/24' })))
    .Subnet?.SubnetId as string;
  for (const name of ['web', 'app']) {
    seeded.groupsB.push(
      (await b.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcB })))
        .GroupId as string,
    );
  }
  const image = await b.ec2.send(
    new RegisterImageCommand({
      Name: 'web-base',
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
    }),
  );
  seeded.instanceB = (
    await b.ec2.send(
      new RunInstancesCommand({
        ImageId: image.ImageId as string,
        InstanceType: 't4g.micro',
        MinCount: 1,
        MaxCount: 1,
        NetworkInterfaces: seeded.groupsB.map((group, index) => ({
          DeviceIndex: index,
          SubnetId: subnetB,
          Groups: [group],
        })),
      }),
    )
  ).Instances?.[0]?.InstanceId as string;

  securityBefore = await securityAccountState();
  baseline = sandbox.server.calls.length;
}, 240_000);
afterAll(async () => {
  await sandbox?.stop();
});

describe('one security account protects every account and region', () => {
  it('contains a leaked key in member A through member A’s own role', async () => {
    const findingId = 'a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a1';
    // Aggregated by the delegated administrator: the finding reaches the security account's bus.
    await deliver(SECURITY, HOME_REGION, leakedKeyFinding(MEMBER_A, seeded.keyA, findingId));

    const keys = (
      await sandbox.clientsFor(MEMBER_A).iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }))
    ).AccessKeyMetadata;
    expect(Object.fromEntries((keys ?? []).map((k) => [k.AccessKeyId, k.Status]))).toEqual({
      [seeded.keyA]: 'Inactive',
      [seeded.otherKeyA]: 'Active',
    });
    // The call log: Step Functions assumed A's role as the playbook's own role, then acted in A as A's role.
    const assumed = callsOf('AssumeRole').filter((c) => c.status === 200 && c.accountId === SECURITY);
    const playbookSession = new RegExp(
      `^arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook-disable-access-key-${HOME_REGION}/`,
    );
    expect(assumed.map((c) => c.principalArn)).toEqual(
      expect.arrayContaining([expect.stringMatching(playbookSession)]),
    );
    const [update] = callsOf('UpdateAccessKey');
    expect(update).toMatchObject({ accountId: MEMBER_A, region: HOME_REGION, status: 200 });
    expect(update?.principalArn).toMatch(memberSession(MEMBER_A));

    const trail = await history(HOME_REGION, findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateAccessKey', 'succeeded'],
      ['PutUserPolicy', 'succeeded'],
      ['TagUser', 'succeeded'],
      ['Complete', 'contained'],
    ]);
  });

  it('quarantines an instance in member B in the other region, by that region’s stack, through member B’s role', async () => {
    const event = fixture('guardduty-ec2-backdoor-cc-activity.json');
    event.detail.id = 'b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b1';
    event.detail.accountId = MEMBER_B;
    event.detail.region = OTHER_REGION;
    event.detail.resource.instanceDetails.instanceId = seeded.instanceB;
    // GuardDuty is regional: the eu-west-1 finding reaches the administrator's eu-west-1 bus.
    await deliver(SECURITY, OTHER_REGION, event);

    const b = sandbox.clientsFor(MEMBER_B, OTHER_REGION).ec2;
    const instance = (await b.send(new DescribeInstancesCommand({ InstanceIds: [seeded.instanceB] })))
      .Reservations?.[0]?.Instances?.[0];
    const isolation = (
      await b.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag-key', Values: [ISOLATION_TAG] }] }),
      )
    ).SecurityGroups?.find((g) => (g.IpPermissions ?? []).length === 0);
    expect(isolation?.GroupId).toBeDefined();
    expect(instance?.NetworkInterfaces?.map((eni) => eni.Groups?.map((g) => g.GroupId))).toEqual([
      [isolation?.GroupId],
      [isolation?.GroupId],
    ]);
    const protection = await b.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: seeded.instanceB,
        Attribute: 'disableApiTermination',
      }),
    );
    expect(protection.DisableApiTermination?.Value).toBe(true);

    // Every EC2 change went to member B in eu-west-1, as B's role; none anywhere else.
    const changes = productCalls().filter(
      (c) => c.service === 'ec2' && /^(Modify|Create|Authorize|Revoke)/.test(c.operation) && c.status === 200,
    );
    expect(changes.length).toBeGreaterThan(0);
    for (const call of changes) {
      expect(call).toMatchObject({ accountId: MEMBER_B, region: OTHER_REGION });
      expect(call.principalArn).toMatch(memberSession(MEMBER_B));
    }
    // The reads after the cut (one function, which assumes B's role for them under its own session
    // name) went to member B in eu-west-1, as B's role, like the state machine's own calls.
    const reads = productCalls().filter((c) => c.principalArn?.endsWith('/quarantine-instance-read'));
    expect(reads.map((c) => c.operation)).toEqual(
      expect.arrayContaining(['DescribeTags', 'DescribeAutoScalingInstances', 'DescribeTargetGroups']),
    );
    for (const call of reads) {
      expect(call).toMatchObject({ accountId: MEMBER_B, region: OTHER_REGION, status: 200 });
      expect(call.principalArn).toMatch(memberSession(MEMBER_B));
    }
    const [run] = await executionsOf('quarantine-instance', OTHER_REGION);
    expect(run?.status).toBe('SUCCEEDED');
    expect(await executionsOf('quarantine-instance', HOME_REGION)).toEqual([]);
    const trail = await history(OTHER_REGION, event.detail.id);
    const quarantine = trail
      .filter((r) => r.playbook === 'quarantine-instance')
      .map((r) => [r.action, r.outcome]);
    expect(quarantine).toContainEqual(['Complete', 'contained']);
    expect(quarantine.at(-1)).toEqual(['HandOver', 'succeeded']);
    // The hand-over stays in eu-west-1: the evidence is taken in member B, and the re-image waits for a person.
    const [followUp] = await executionsOf('snapshot-and-reimage', OTHER_REGION);
    expect(followUp?.status).toBe('RUNNING');
    const [snapshots] = callsOf('CreateSnapshots');
    expect(snapshots).toMatchObject({ accountId: MEMBER_B, region: OTHER_REGION, status: 200 });
    expect(snapshots?.principalArn).toMatch(memberSession(MEMBER_B));
  });

  it('ends needs-human for a member without the role, naming the role and the action', async () => {
    const findingId = 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c1';
    await deliver(SECURITY, HOME_REGION, leakedKeyFinding(WITHOUT_ROLE, seeded.keyWithoutRole, findingId));

    const role = `arn:aws:iam::${WITHOUT_ROLE}:role/${MEMBER_ROLE}`;
    const trail = await history(HOME_REGION, findingId);
    const last = trail.at(-1);
    expect(last).toMatchObject({ action: 'NeedsHuman', outcome: 'needs-human' });
    const cause = JSON.parse(last?.details as string).Cause as string;
    expect(cause).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${role}`);
    expect(cause).toMatch(
      new RegExp(
        `User: arn:aws:sts::${SECURITY}:assumed-role/remediation-playbook-disable-access-key-${HOME_REGION}/`,
      ),
    );
    const keys = (
      await sandbox.clientsFor(WITHOUT_ROLE).iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }))
    ).AccessKeyMetadata;
    expect(keys?.map((k) => k.Status)).toEqual(['Active']);
    const failed = (await executionsOf('disable-access-key', HOME_REGION)).find((e) =>
      e.input?.includes(findingId),
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: 'NeedsHuman' });
  });

  it('runs once when the same finding arrives through the member and through the administrator', async () => {
    const event = fixture('cloudtrail-authorize-sg-ingress-ssh-world.json');
    event.detail.eventID = 'd0d0d0d0-0000-4000-8000-000000000001';
    event.detail.recipientAccountId = MEMBER_A;
    event.detail.requestParameters.groupId = seeded.openGroupA;
    event.detail.requestParameters.ipPermissions.items[0].ipv6Ranges = {};
    const [added] = event.detail.responseElements.securityGroupRuleSet.items;
    event.detail.responseElements.securityGroupRuleSet.items = [
      { ...added, groupOwnerId: MEMBER_A, groupId: seeded.openGroupA, securityGroupRuleId: seeded.openRuleA },
    ];
    const before = (await executionsOf('revoke-open-ingress', HOME_REGION)).length;

    // Path 1: CloudTrail in member A; A's forwarding rule sends it to the security bus.
    await deliver(MEMBER_A, HOME_REGION, event);
    // Path 2: the same record reaches the security account's own bus.
    await deliver(SECURITY, HOME_REGION, event);

    expect((await executionsOf('revoke-open-ingress', HOME_REGION)).length).toBe(before + 1);
    const trail = await history(HOME_REGION, event.detail.eventID);
    expect(trail.filter((r) => r.action === 'classify').map((r) => r.outcome)).toEqual([
      'routed',
      'duplicate',
    ]);
    expect(trail.filter((r) => r.action !== 'classify').at(-1)).toMatchObject({
      action: 'Complete',
      outcome: 'contained',
    });
    const rules = (
      await sandbox.clientsFor(MEMBER_A).ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [{ Name: 'group-id', Values: [seeded.openGroupA] }],
        }),
      )
    ).SecurityGroupRules?.filter((r) => !r.IsEgress);
    expect(rules).toEqual([]);
    const revokes = callsOf('RevokeSecurityGroupIngress');
    expect(revokes).toHaveLength(1);
    expect(revokes[0]?.principalArn).toMatch(memberSession(MEMBER_A));
  });

  it('ends needs-human naming the role and the action when the member role lacks one, after what it could do', async () => {
    // Someone trimmed member A's role: iam:TagUser is gone from its policy.
    const iam = sandbox.clientsFor(MEMBER_A).iam;
    const [policyName] =
      (await iam.send(new ListRolePoliciesCommand({ RoleName: MEMBER_ROLE }))).PolicyNames ?? [];
    const { PolicyDocument } = await iam.send(
      new GetRolePolicyCommand({ RoleName: MEMBER_ROLE, PolicyName: policyName as string }),
    );
    const document = JSON.parse(decodeURIComponent(PolicyDocument as string));
    for (const statement of document.Statement) {
      // IAM action names are case-insensitive (the policy spells them as the SDK integration does: iam:tagUser).
      const actions = [statement.Action].flat().filter((a: string) => a.toLowerCase() !== 'iam:taguser');
      statement.Action = actions.length === 1 ? actions[0] : actions;
    }
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: MEMBER_ROLE,
        PolicyName: policyName as string,
        PolicyDocument: JSON.stringify({
          ...document,
          Statement: document.Statement.filter((x: { Action: string[] }) => [x.Action].flat().length > 0),
        }),
      }),
    );
    await iam.send(new CreateUserCommand({ UserName: 'build-bot' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'build-bot' }))).AccessKey
      ?.AccessKeyId as string;
    const findingId = 'e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e1';
    const event = leakedKeyFinding(MEMBER_A, key, findingId);
    event.detail.resource.accessKeyDetails.userName = 'build-bot';

    await deliver(SECURITY, HOME_REGION, event);

    const trail = await history(HOME_REGION, findingId);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateAccessKey', 'succeeded'],
      ['PutUserPolicy', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    const cause = JSON.parse(trail.at(-1)?.details as string).Cause as string;
    expect(cause).toMatch(
      new RegExp(
        `User: arn:aws:sts::${MEMBER_A}:assumed-role/${MEMBER_ROLE}/\\S+ is not authorized to perform: iam:TagUser on resource: arn:aws:iam::${MEMBER_A}:user/build-bot because no identity-based policy allows the iam:TagUser action`,
      ),
    );
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'build-bot' }))).AccessKeyMetadata;
    expect(keys?.map((k) => k.Status)).toEqual(['Inactive']);
  });

  it('starts a finding aggregated into one region about another in that region, once', async () => {
    // Security Hub cross-region aggregation: a finding about member B's eu-west-1 arrives in us-east-1.
    const iam = sandbox.clientsFor(MEMBER_B).iam;
    await iam.send(new CreateUserCommand({ UserName: 'ci-deployer' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-deployer' }))).AccessKey
      ?.AccessKeyId as string;
    const findingId = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f1';
    const event = leakedKeyFinding(MEMBER_B, key, findingId);
    event.detail.region = OTHER_REGION;

    await deliver(SECURITY, HOME_REGION, event);
    // And natively in eu-west-1 too: the same execution name there, so it runs once.
    await deliver(SECURITY, OTHER_REGION, event);

    const runs = (await executionsOf('disable-access-key', OTHER_REGION)).filter((e) =>
      e.input?.includes(findingId),
    );
    expect(runs.map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(
      (await executionsOf('disable-access-key', HOME_REGION)).filter((e) => e.input?.includes(findingId)),
    ).toEqual([]);
    const routedHome = (await history(HOME_REGION, findingId)).filter((r) => r.action === 'classify');
    expect(routedHome).toEqual([expect.objectContaining({ outcome: 'routed' })]);
    expect(routedHome[0]?.executionArn).toContain(
      `:states:${OTHER_REGION}:${SECURITY}:execution:remediation-disable-access-key:`,
    );
    const there = await history(OTHER_REGION, findingId);
    // The playbook audits in its own region's trail; the later native delivery is recorded there as a duplicate.
    expect(there.map((r) => [r.action, r.outcome])).toEqual([
      ['UpdateAccessKey', 'succeeded'],
      ['PutUserPolicy', 'succeeded'],
      ['TagUser', 'succeeded'],
      ['Complete', 'contained'],
      ['classify', 'duplicate'],
    ]);
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: 'ci-deployer' }))).AccessKeyMetadata;
    expect(keys?.map((k) => k.Status)).toEqual(['Inactive']);
  });

  it('reads each region’s trail with remediate audit --region', async () => {
    const findingId = 'f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f1';
    const audit = async (...args: string[]) => {
      const { stdout } = await run(
        process.execPath,
        ['bin/remediate.js', 'audit', '--finding', findingId, '--json', ...args],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            AWS_ENDPOINT_URL: sandbox.endpoint,
            AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
            AWS_REGION: HOME_REGION,
          },
        },
      );
      return stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { action: string; outcome: string });
    };

    expect((await audit()).map((r) => [r.action, r.outcome])).toEqual([['classify', 'routed']]);
    expect((await audit('--region', OTHER_REGION)).map((r) => r.action)).toEqual([
      'UpdateAccessKey',
      'PutUserPolicy',
      'TagUser',
      'Complete',
      'classify',
    ]);
  });

  it('leaves the security account’s own resources untouched', async () => {
    expect(await securityAccountState()).toEqual(securityBefore);
    const changedAtHome = productCalls().filter(
      (c) =>
        c.accountId === SECURITY &&
        RESOURCE_SERVICES.has(c.service) &&
        !/^(Describe|Get|List)/.test(c.operation),
    );
    expect(changedAtHome.map((c) => `${c.service}:${c.operation}`)).toEqual([]);
  });
});

describe('the member role protects the protected by itself', () => {
  it('refuses a playbook’s call on a break-glass user, at a path or in capitals, and on itself', async () => {
    // A wrong decision the classifier would never make: the playbook acts on break-glass users.
    const a = sandbox.clientsFor(MEMBER_A).iam;
    const keys: Record<string, string> = {};
    for (const [name, userPath] of [
      ['break-glass', '/emergency/'],
      ['BREAK-GLASS-ADMIN', '/'],
    ] as const) {
      await a.send(new CreateUserCommand({ UserName: name, Path: userPath }));
      keys[name] = (await a.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey
        ?.AccessKeyId as string;
    }
    // As Step Functions does: a session of the playbook's role assumes member A's role.
    const sts = sandbox.server.authorizer as StsService;
    const playbookRole = `arn:aws:iam::${SECURITY}:role/remediation-playbook-disable-access-key-${HOME_REGION}`;
    const machine = `arn:aws:states:${HOME_REGION}:${SECURITY}:stateMachine:remediation-disable-access-key`;
    const playbook = sts.serviceSession(playbookRole, 'states.amazonaws.com', {
      sessionName: 'wrong-decision',
      sourceAccount: SECURITY,
      sourceArn: machine,
    });
    const { Credentials } = await new STSClient({
      endpoint: sandbox.endpoint,
      region: HOME_REGION,
      credentials: playbook,
    }).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER_A}:role/${MEMBER_ROLE}`,
        RoleSessionName: 'wrong-decision',
      }),
    );
    const asMemberRole = new IAMClient({
      endpoint: sandbox.endpoint,
      region: HOME_REGION,
      maxAttempts: 1,
      credentials: {
        accessKeyId: Credentials?.AccessKeyId as string,
        secretAccessKey: Credentials?.SecretAccessKey as string,
        sessionToken: Credentials?.SessionToken,
      },
    });

    for (const name of Object.keys(keys)) {
      await expect(
        asMemberRole.send(
          new UpdateAccessKeyCommand({ UserName: name, AccessKeyId: keys[name], Status: 'Inactive' }),
        ),
        name,
      ).rejects.toThrow(/with an explicit deny in an identity-based policy/);
      const listed = (await a.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata;
      expect(listed?.map((k) => k.Status)).toEqual(['Active']);
    }
    // Nor may it raise its own permissions.
    await expect(
      asMemberRole.send(
        new PutRolePolicyCommand({
          RoleName: MEMBER_ROLE,
          PolicyName: 'more',
          PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
        }),
      ),
    ).rejects.toThrow(/explicit deny/);
  });
});
