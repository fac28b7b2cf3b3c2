import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, type Mock, vi } from 'vitest';
import { type RouterDeps, routeEvent } from '#functions/classify/route.ts';
import type { AuditRecord } from '#shared/audit/record.ts';
import { AuditWriter } from '#shared/audit/writer.ts';
import { loadPolicyFile } from '#shared/policy/load.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/events', name), 'utf8'));
const policy = loadPolicyFile(path.join(ROOT, 'policy/default.yaml'));

/** What a client's `send` is to a spy: any command in, any answer out. */
type Send = Mock<(command: { input: Record<string, unknown> }) => Promise<unknown>>;

/** An SDK client whose `send` is also a vitest spy (calling through), so tests can count and read the calls. */
function spied<C extends { send: (command: never) => Promise<unknown> }>(client: C): C & { send: Send } {
  return Object.assign(client, { send: vi.fn(client.send.bind(client)) as unknown as Send });
}

/** Step Functions that enforces execution-name uniqueness as the service does. */
function fakeStepFunctions() {
  const names = new Set<string>();
  const sfn = new SFNClient({});
  mockClient(sfn)
    .on(StartExecutionCommand)
    .callsFake(async (input: { name?: string; stateMachineArn?: string }) => {
      const name = input.name as string;
      if (names.has(name))
        throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${name}'`, $metadata: {} });
      names.add(name);
      return { executionArn: `${input.stateMachineArn}:${name}`, startDate: new Date() };
    });
  return spied(sfn);
}

/** The audit trail's appender, as the Lambda service answers an append: the record's position. */
function auditWriter(records: AuditRecord[]): AuditWriter {
  const lambda = new LambdaClient({});
  mockClient(lambda)
    .on(InvokeCommand)
    .callsFake(async () => ({
      Payload: new TextEncoder().encode(JSON.stringify({ seq: records.length, hash: 'h' })),
    }));
  const writer = new AuditWriter(lambda, 'audit-append', (r) => records.push(r));
  vi.spyOn(writer, 'append');
  return writer;
}

function deps(overrides: Partial<RouterDeps> = {}) {
  const records: AuditRecord[] = [];
  const sqsMessages: string[] = [];
  const counters = new Map<string, number>();
  const sns = new SNSClient({});
  mockClient(sns).on(PublishCommand).resolves({ MessageId: 'm-1' });
  const sqs = new SQSClient({});
  mockClient(sqs)
    .on(SendMessageCommand)
    .callsFake(async (input: { MessageBody: string }) => {
      sqsMessages.push(input.MessageBody);
      return {};
    });
  const dynamodb = new DynamoDBClient({});
  const counted = (update: boolean) => async (input: { Key?: Record<string, { S?: string }> }) => {
    const key = input.Key?.pk?.S as string;
    if (update) counters.set(key, (counters.get(key) ?? 0) + 1);
    const count = counters.get(key);
    return count === undefined ? {} : { Item: { count: { N: String(count) } } };
  };
  mockClient(dynamodb)
    .on(UpdateItemCommand)
    .callsFake(counted(true))
    .on(GetItemCommand)
    .callsFake(counted(false));
  const base: RouterDeps = {
    policy,
    audit: auditWriter(records),
    sfn: fakeStepFunctions(),
    sns: spied(sns),
    sqs: spied(sqs),
    dynamodb: spied(dynamodb),
    stateMachines: { 'disable-access-key': 'arn:aws:states:us-east-1:111122223333:stateMachine:dak' },
    topicArn: 'arn:aws:sns:us-east-1:111122223333:notify',
    deadLetterQueueUrl: 'http://sqs/dlq',
    counterTable: 'counters',
    protectedPrincipalArns: [],
    globalDryRun: false,
    ownAccount: { accountId: '111122223333', region: 'us-east-1' },
    now: () => new Date('2026-11-23T12:00:00Z'),
    ...overrides,
  };
  return { deps: base, records, sqsMessages };
}

describe('routeEvent', () => {
  it('starts the playbook once for a finding delivered twice and records the duplicate', async () => {
    const { deps: d, records } = deps();
    const event = fixture('guardduty-iam-credential-exfiltration.json');

    const first = await routeEvent(event, d);
    const second = await routeEvent(event, d);

    expect(first[0]).toMatchObject({ outcome: 'routed', playbook: 'disable-access-key', mode: 'auto' });
    expect(second[0]).toMatchObject({ outcome: 'duplicate', executionName: first[0]?.executionName });
    expect(records.map((r) => r.outcome)).toEqual(['routed', 'duplicate']);
    const starts = (d.sfn.send as ReturnType<typeof vi.fn>).mock.calls.length;
    expect(starts).toBe(2); // the second call is refused by Step Functions, not started
  });

  it('gives a re-published finding (same id, higher count) the same execution name', async () => {
    const { deps: d } = deps();
    const original = fixture('guardduty-iam-credential-exfiltration.json');
    const republished = fixture('guardduty-iam-credential-exfiltration-republished.json');
    expect(republished.detail.id).toBe(original.detail.id);
    expect(republished.detail.service.count).toBeGreaterThan(original.detail.service.count);

    const [a] = await routeEvent(original, d);
    const [b] = await routeEvent(republished, d);

    expect(a?.outcome).toBe('routed');
    expect(b).toMatchObject({ outcome: 'duplicate', executionName: a?.executionName });
  });

  it('sends malformed input to the dead-letter queue and records it as rejected, without throwing', async () => {
    const { deps: d, records, sqsMessages } = deps();
    const malformed = fixture('malformed-guardduty-missing-resource.json');

    const out = await routeEvent(malformed, d);

    expect(out).toEqual([expect.objectContaining({ outcome: 'rejected' })]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'rejected', action: 'classify' });
    expect(sqsMessages).toHaveLength(1);
    expect(JSON.parse(sqsMessages[0] as string).event).toEqual(malformed);
    expect(d.sfn.send).not.toHaveBeenCalled();
  });

  it.each([
    'cloudtrail-stop-logging-access-denied.json',
    'guardduty-iam-credential-exfiltration-archived.json',
  ])('records %s as skipped, with nothing dead-lettered, started or notified', async (name) => {
    const { deps: d, records, sqsMessages } = deps();

    const out = await routeEvent(fixture(name), d);

    expect(out).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
    expect(records).toEqual([expect.objectContaining({ action: 'classify', outcome: 'skipped' })]);
    expect(records[0]?.reason).toMatch(/failed \(AccessDenied|is archived/);
    expect(sqsMessages).toEqual([]);
    expect(d.sfn.send).not.toHaveBeenCalled();
    expect(d.sns.send).not.toHaveBeenCalled();
  });

  it('runs everything as dry-run when the global dry-run switch is on', async () => {
    const { deps: d } = deps({ globalDryRun: true });
    const [out] = await routeEvent(fixture('guardduty-iam-credential-exfiltration.json'), d);
    expect(out).toMatchObject({ outcome: 'routed', mode: 'dry-run' });
    const input = JSON.parse((d.sfn.send as ReturnType<typeof vi.fn>).mock.calls[0]?.[0].input.input);
    expect(input.decision.mode).toBe('dry-run');
    expect(input.audit.pk).toBe(`FINDING#${input.finding.id}`);
  });

  it('acts in its own account without a member role outside an organization', async () => {
    const event = fixture('guardduty-iam-credential-exfiltration.json');
    const { deps: d } = deps();

    await routeEvent(event, d);

    const input = JSON.parse((d.sfn.send as ReturnType<typeof vi.fn>).mock.calls[0]?.[0].input.input);
    expect(input.target).toEqual({ accountId: '111122223333', region: 'us-east-1' });
  });

  it.each([
    [
      'account',
      { accountId: '999999999999' },
      /about account 999999999999, and this stack acts only in its own account 111122223333/,
    ],
    [
      'region',
      { region: 'eu-west-1' },
      /about region "eu-west-1", and this stack acts only in its own region us-east-1/,
    ],
  ])(
    'outside an organization, notifies a finding about another %s instead of acting, saying why',
    async (_what, about, why) => {
      const event = fixture('guardduty-iam-credential-exfiltration.json');
      Object.assign(event.detail, about);
      const { deps: d, records } = deps();

      const [outcome] = await routeEvent(event, d);

      expect(outcome).toMatchObject({ outcome: 'notified', mode: 'notify' });
      expect(outcome?.reason).toMatch(why);
      expect(outcome?.reason).toMatch(/notify instead of auto disable-access-key/);
      expect(d.sfn.send).not.toHaveBeenCalled();
      expect(d.sns.send).toHaveBeenCalledTimes(1);
      expect(records).toEqual([expect.objectContaining({ outcome: 'notified', reason: outcome?.reason })]);
    },
  );

  it('refuses to classify outside an organization without knowing its own account', async () => {
    const { deps: d } = deps({ ownAccount: undefined });

    await expect(routeEvent(fixture('guardduty-iam-credential-exfiltration.json'), d)).rejects.toThrow(
      /outside an organization needs its own account and region/,
    );
    expect(d.sfn.send).not.toHaveBeenCalled();
  });

  it('in an organization acts in the finding account as its member role', async () => {
    const event = fixture('guardduty-iam-credential-exfiltration.json') as {
      detail: { accountId: string; region: string };
    };
    event.detail.accountId = '222233334444';
    const { deps: d } = deps({ memberRoleArn: 'arn:aws:iam::{account}:role/RemediationExecutionRole' });

    await routeEvent(event, d);

    const organization = JSON.parse((d.sfn.send as ReturnType<typeof vi.fn>).mock.calls[0]?.[0].input.input);
    expect(organization.target).toEqual({
      accountId: '222233334444',
      region: event.detail.region,
      roleArn: 'arn:aws:iam::222233334444:role/RemediationExecutionRole',
    });
  });

  describe('in an organization deployed in several regions', () => {
    const inRegion = (region: string) => {
      const event = fixture('guardduty-iam-credential-exfiltration.json');
      event.detail.region = region;
      return event;
    };
    const regions = { own: 'us-east-1', deployed: ['us-east-1', 'eu-west-1'] };
    const memberRoleArn = 'arn:aws:iam::{account}:role/RemediationExecutionRole';

    it('starts a finding about another deployed region there, under the same execution name', async () => {
      const elsewhere = fakeStepFunctions();
      const sfnIn = vi.fn(() => elsewhere);
      const { deps: d, records } = deps({ regions, memberRoleArn, sfnIn });
      const [outcome] = await routeEvent(inRegion('eu-west-1'), d);

      expect(outcome?.outcome).toBe('routed');
      expect(sfnIn).toHaveBeenCalledWith('eu-west-1');
      expect(d.sfn.send).not.toHaveBeenCalled();
      const start = elsewhere.send.mock.calls[0]?.[0].input;
      expect(start?.stateMachineArn).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:dak');
      expect(records.at(-1)?.executionArn).toContain(':states:eu-west-1:');

      // Delivered again in eu-west-1 itself (its own stack's classifier): the same name, so one run.
      const home = deps({
        regions: { ...regions, own: 'eu-west-1' },
        memberRoleArn,
        sfn: elsewhere,
      });
      const [again] = await routeEvent(inRegion('eu-west-1'), home.deps);
      expect(again?.outcome).toBe('duplicate');
    });

    it('starts a finding of its own region locally', async () => {
      const sfnIn = vi.fn();
      const { deps: d } = deps({ regions, memberRoleArn, sfnIn });
      const [outcome] = await routeEvent(inRegion('us-east-1'), d);
      expect(outcome?.outcome).toBe('routed');
      expect(sfnIn).not.toHaveBeenCalled();
      expect(d.sfn.send).toHaveBeenCalledTimes(1);
    });

    it('sends a finding about a region without the stack to a human, saying which region and why', async () => {
      const sfnIn = vi.fn();
      const { deps: d, records } = deps({ regions, memberRoleArn, sfnIn });
      const [outcome] = await routeEvent(inRegion('ap-southeast-2'), d);

      expect(outcome?.outcome).toBe('notified');
      expect(outcome?.reason).toMatch(
        /in ap-southeast-2, where no remediation stack is deployed \(deployed: us-east-1, eu-west-1\)/,
      );
      expect(sfnIn).not.toHaveBeenCalled();
      expect(d.sfn.send).not.toHaveBeenCalled();
      expect(d.sns.send).toHaveBeenCalledTimes(1);
      expect(records.at(-1)).toMatchObject({ outcome: 'notified', playbook: 'disable-access-key' });
    });
  });

  it('turns auto into approve, with the approval gate, when every blast-radius slot was claimed within the window', async () => {
    const small = { ...policy, blastRadius: { maxAutoActions: 2, windowMinutes: 60 } };
    // The window's slots as the counters table holds them: both claimed in the last hour.
    const claimedAt = (minutesAgo: number) => ({
      N: String(Date.parse('2026-11-23T12:00:00Z') - minutesAgo * 60_000),
    });
    const dynamodb = new DynamoDBClient({});
    mockClient(dynamodb)
      .onAnyCommand()
      .resolves({ Item: { s0: claimedAt(59), s1: claimedAt(1) } });
    const { deps: d } = deps({ policy: small, dynamodb: spied(dynamodb) });

    const [out] = await routeEvent(fixture('guardduty-iam-credential-exfiltration.json'), d);

    expect(out).toMatchObject({ outcome: 'routed', mode: 'approve' });
    expect(out?.reason).toMatch(
      /blast radius: the limit of 2 automatic actions in any 60 minutes is reached/,
    );
    const input = JSON.parse((d.sfn.send as ReturnType<typeof vi.fn>).mock.calls[0]?.[0].input.input);
    expect(input.decision).toMatchObject({
      mode: 'approve',
      approval: { timeoutMinutes: 60, onTimeout: 'abandon', timeoutSeconds: 3600 },
    });
    // No slot was free, so none was written.
    expect(dynamodb.send).toHaveBeenCalledTimes(1);
  });

  it('notifies instead of running a playbook for notify rules', async () => {
    const { deps: d, records } = deps();
    const [out] = await routeEvent(fixture('cloudtrail-root-create-access-key.json'), d);
    expect(out).toMatchObject({ outcome: 'notified', mode: 'notify' });
    expect(d.sfn.send).not.toHaveBeenCalled();
    expect(d.sns.send).toHaveBeenCalledTimes(1);
    expect(records).toEqual([expect.objectContaining({ outcome: 'notified', action: 'classify' })]);
  });
});
