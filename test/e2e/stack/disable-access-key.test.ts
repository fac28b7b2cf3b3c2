import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StsService } from '#sandbox/services/sts.ts';
import { REVOKE_SESSIONS_POLICY } from '#statemachines/disable-access-key.ts';
import { userWithKey } from './approval-helpers.ts';
import { leakedKeyFinding, type StackHarness, startStack } from './harness.ts';

let h: StackHarness;
beforeAll(async () => {
  h = await startStack();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const keysOf = async (user: string) =>
  Object.fromEntries(
    (
      (await h.sandbox.clients.iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ??
      []
    ).map((k) => [k.AccessKeyId, k.Status]),
  );

const executions = async () => {
  const arn = h.sandbox.deployment?.stateMachines[0]?.arn as string;
  return (
    (await h.sandbox.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions ?? []
  );
};

describe('disable-access-key, end to end through the sandbox', () => {
  it('deactivates exactly the leaked key, revokes its sessions, tags the user and audits every step in order', async () => {
    const { leakedKey, otherKey } = h.account.users.alice;
    const event = leakedKeyFinding(leakedKey, 'alice');

    await h.put(event);

    expect(await keysOf('alice')).toEqual({ [leakedKey]: 'Inactive', [otherKey]: 'Active' });
    const policy = await h.sandbox.clients.iam.send(
      new GetUserPolicyCommand({ UserName: 'alice', PolicyName: REVOKE_SESSIONS_POLICY }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument as string));
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    const issuedBefore = document.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'];
    expect(Date.parse(issuedBefore)).toBeGreaterThan(Date.now() - 60_000);
    const tags =
      (await h.sandbox.clients.iam.send(new ListUserTagsCommand({ UserName: 'alice' }))).Tags ?? [];
    expect(tags).toContainEqual({ Key: 'remediation:finding', Value: event.detail.id });

    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      ['classify', 'classify', 'routed'],
      ['playbook/disable-access-key', 'UpdateAccessKey', 'succeeded'],
      ['playbook/disable-access-key', 'PutUserPolicy', 'succeeded'],
      ['playbook/disable-access-key', 'TagUser', 'succeeded'],
      ['playbook/disable-access-key', 'Complete', 'contained'],
    ]);
    const deactivation = trail[1];
    expect(JSON.parse(deactivation?.before as string).keys).toContainEqual(
      expect.objectContaining({ AccessKeyId: leakedKey, Status: 'Active' }),
    );
    expect(JSON.parse(deactivation?.after as string)).toEqual({ accessKeyId: leakedKey, status: 'Inactive' });
  });

  it('does not run twice for a re-published finding (same id, higher count)', async () => {
    const { leakedKey } = h.account.users.alice;
    const republished = leakedKeyFinding(leakedKey, 'alice');
    republished.detail.service.count = 5;
    const before = (await executions()).length;

    await h.put(republished);

    expect((await executions()).length).toBe(before);
    const trail = await h.history(republished.detail.id);
    expect(trail.at(-1)).toMatchObject({ action: 'classify', outcome: 'duplicate' });
    expect(h.sandbox.server.calls.filter((c) => c.operation === 'UpdateAccessKey')).toHaveLength(1);
  });

  it('in dry-run (an AWS sample finding) records the plan and changes nothing', async () => {
    const key = h.account.users.bob.key;
    const sample = leakedKeyFinding(key, 'bob', 'dddddddddddddddddddddddddddddd01');
    sample.detail.service.additionalInfo = { sample: true };
    const mutationsBefore = h.sandbox.server.calls.filter(
      (c) => /^(Update|Put|Tag)/.test(c.operation) && c.service === 'iam',
    ).length;

    await h.put(sample);

    expect(await keysOf('bob')).toEqual({ [key]: 'Active' });
    const trail = await h.history(sample.detail.id);
    expect(trail.map((r) => [r.action, r.outcome, r.mode])).toEqual([
      ['classify', 'routed', 'dry-run'],
      ['Plan', 'planned', 'dry-run'],
    ]);
    expect(JSON.parse(trail[1]?.details as string).actions.map((a: { action: string }) => a.action)).toEqual([
      'UpdateAccessKey',
      'PutUserPolicy',
      'TagUser',
      'Publish',
    ]);
    const mutationsAfter = h.sandbox.server.calls.filter(
      (c) => /^(Update|Put|Tag)/.test(c.operation) && c.service === 'iam',
    ).length;
    expect(mutationsAfter).toBe(mutationsBefore);
  });

  it('retries an injected throttle and still contains', async () => {
    const { key } = h.account.users.bob;
    h.sandbox.server.faults.add({
      service: 'iam',
      operation: 'UpdateAccessKey',
      code: 'Throttling',
      times: 1,
    });
    const event = leakedKeyFinding(key, 'bob', 'dddddddddddddddddddddddddddddd02');

    await h.put(event);

    expect(await keysOf('bob')).toEqual({ [key]: 'Inactive' });
    const attempts = h.sandbox.server.calls.filter(
      (c) => c.operation === 'UpdateAccessKey' && c.accountId === '111122223333',
    );
    expect(attempts.slice(-2).map((c) => c.status)).toEqual([400, 200]);
    expect((await h.history(event.detail.id)).at(-1)?.outcome).toBe('contained');
  });

  it("denies an IAM user's sessions for a leaked ASIA session key, never calling UpdateAccessKey on it", async () => {
    const user = await userWithKey(h, 'session-key-user');
    // A temporary key the user minted (GetSessionToken): IAM keeps no access key with this id.
    const sessionKey = 'ASIAQ3EGUWKSESSION01';
    const event = leakedKeyFinding(sessionKey, user.userName, 'dddddddddddddddddddddddddddddd04');
    const updatesBefore = h.sandbox.server.calls.filter((c) => c.operation === 'UpdateAccessKey').length;

    await h.put(event);

    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['PutUserPolicy', 'succeeded'],
      ['TagUser', 'succeeded'],
      ['Complete', 'contained'],
    ]);
    expect(h.sandbox.server.calls.filter((c) => c.operation === 'UpdateAccessKey')).toHaveLength(
      updatesBefore,
    );
    // The user's own long-term key is untouched; every session issued before now is denied.
    expect(await keysOf(user.userName)).toEqual({ [user.accessKeyId]: 'Active' });
    const policy = await h.sandbox.clients.iam.send(
      new GetUserPolicyCommand({ UserName: user.userName, PolicyName: REVOKE_SESSIONS_POLICY }),
    );
    const document = JSON.parse(decodeURIComponent(policy.PolicyDocument as string));
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(Date.parse(document.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])).toBeGreaterThan(
      Date.now() - 60_000,
    );
  });

  it('ends in needs-human, audited and notified, when IAM denies access; what was done before is recorded', async () => {
    const { otherKey } = h.account.users.alice;
    h.sandbox.server.faults.add({ service: 'iam', operation: 'PutUserPolicy', code: 'AccessDenied' });
    const notificationsBefore = h.sandbox.services.sns.published.length;
    const event = leakedKeyFinding(otherKey, 'alice', 'dddddddddddddddddddddddddddddd03');

    try {
      await h.put(event);
    } finally {
      h.sandbox.server.faults.clear();
    }

    const trail = await h.history(event.detail.id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateAccessKey', 'succeeded'],
      ['NeedsHuman', 'needs-human'],
    ]);
    expect(JSON.parse(trail[2]?.details as string)).toMatchObject({ Error: 'Iam.IamException' });
    const published = h.sandbox.services.sns.published.slice(notificationsBefore);
    expect(published.map((m) => m.subject)).toContainEqual(expect.stringContaining('needs a human'));
    const execution = (await executions()).find(
      (e) => e.name?.length && trail[0]?.executionArn?.endsWith(e.name),
    );
    const described = await h.sandbox.clients.sfn.send(
      new DescribeExecutionCommand({ executionArn: execution?.executionArn as string }),
    );
    expect(described).toMatchObject({ status: 'FAILED', error: 'NeedsHuman' });
  });

  it('refuses afterwards a session minted with the leaked key before containment; a session from the user’s other key works', async () => {
    // carol may list buckets; one of her two keys leaks, and someone mints a session with it.
    const iam = h.sandbox.clients.iam;
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'carol',
        PolicyName: 'list-buckets',
        PolicyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
        }),
      }),
    );
    const leaked = await accessKey('carol');
    const other = await accessKey('carol');
    const stolenSession = await sessionToken(leaked);
    await expect(listBuckets(stolenSession)).resolves.toHaveProperty('Buckets');

    const event = leakedKeyFinding(leaked.accessKeyId, 'carol', 'dddddddddddddddddddddddddddddd04');
    await h.put(event);

    expect((await h.history(event.detail.id)).at(-1)?.outcome).toBe('contained');
    await expect(listBuckets(stolenSession)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:iam::111122223333:user/carol is not authorized to perform: s3:ListAllMyBuckets with an explicit deny in an identity-based policy`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(listBuckets(leaked)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(listBuckets(await sessionToken(other))).resolves.toHaveProperty('Buckets');
  });

  it('the playbook role’s explicit Deny refuses a call on a break-glass user, even one that reaches the playbook', async () => {
    const { key } = h.account.users.breakGlass;
    // As Step Functions runs it: a session of the disable-access-key state machine's own role.
    const machine = h.sandbox.deployment?.stateMachines[0];
    const { roleArn, name } = await h.sandbox.clients.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machine?.arn as string }),
    );
    expect(name).toMatch(/DisableAccessKey/i);
    const sts = h.sandbox.server.authorizer as StsService;
    const playbook = sts.serviceSession(roleArn as string, 'states.amazonaws.com', {
      sessionName: 'wrong-decision',
      sourceAccount: '111122223333',
      sourceArn: machine?.arn,
    });
    const asPlaybook = new IAMClient({
      endpoint: h.sandbox.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: playbook,
    });

    const update = asPlaybook.send(
      new UpdateAccessKeyCommand({ UserName: 'break-glass-admin', AccessKeyId: key, Status: 'Inactive' }),
    );

    await expect(update).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(
        /is not authorized to perform: iam:UpdateAccessKey on resource: arn:aws:iam::111122223333:user\/break-glass-admin with an explicit deny in an identity-based policy$/,
      ),
    });
    expect(await keysOf('break-glass-admin')).toEqual({ [key]: 'Active' });
    // The same session may act on anyone else: the Deny names the protected, nothing more.
    await expect(asPlaybook.send(new ListAccessKeysCommand({ UserName: 'bob' }))).resolves.toHaveProperty(
      'AccessKeyMetadata',
    );
  });
});

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const clientConfig = (credentials: Keys) => ({
  endpoint: h.sandbox.endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials,
});

async function accessKey(userName: string): Promise<Keys> {
  const { AccessKey } = await h.sandbox.clients.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return {
    accessKeyId: AccessKey?.AccessKeyId as string,
    secretAccessKey: AccessKey?.SecretAccessKey as string,
  };
}

async function sessionToken(keys: Keys): Promise<Keys> {
  const { Credentials } = await new STSClient(clientConfig(keys)).send(new GetSessionTokenCommand({}));
  return {
    accessKeyId: Credentials?.AccessKeyId as string,
    secretAccessKey: Credentials?.SecretAccessKey as string,
    sessionToken: Credentials?.SessionToken as string,
  };
}

const listBuckets = (keys: Keys) =>
  new S3Client({ ...clientConfig(keys), forcePathStyle: true }).send(new ListBucketsCommand({}));
