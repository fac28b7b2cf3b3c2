import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_ACCOUNT_ID, SandboxServer } from '#sandbox/server.ts';
import { type DeadLetter, EventsService, type EventTarget } from '#sandbox/services/events.ts';

interface Delivered {
  targetId: string;
  ruleName: string;
  payload: unknown;
}

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:classify';
const FAILING_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:broken';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:111122223333:events-dlq';

const guardDutyPattern = { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 7] }] } };

function finding(
  severity: number,
  type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
): PutEventsRequestEntry {
  return {
    Source: 'aws.guardduty',
    DetailType: 'GuardDuty Finding',
    Detail: JSON.stringify({
      id: `finding-${severity}`,
      type,
      severity,
      resource: { accessKeyId: 'AKIAEXAMPLE' },
    }),
    Resources: ['arn:aws:iam::111122223333:user/alice'],
  };
}

describe('EventBridge sandbox over the SDK', () => {
  let server: SandboxServer;
  let events: EventsService;
  let client: EventBridgeClient;
  let delivered: Delivered[];

  beforeEach(async () => {
    delivered = [];
    events = new EventsService({
      retry: { baseDelayMs: 1 },
      deliver: async (target, payload, { rule }) => {
        if (target.arn === FAILING_ARN) throw new Error('Function returned 500: boom');
        delivered.push({ targetId: target.id, ruleName: rule.name, payload });
      },
    });
    server = new SandboxServer();
    server.register(events);
    const endpoint = await server.listen({ port: 0 });
    client = new EventBridgeClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' },
    });
  });

  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  function registerRule(targets: EventTarget[], name = 'guardduty-high'): void {
    events.putRule({ name, eventPattern: guardDutyPattern, state: 'ENABLED' });
    events.putTargets(name, targets);
  }

  it('delivers only matching events, with InputPath applied', async () => {
    registerRule([{ id: 'classify', arn: LAMBDA_ARN, inputPath: '$.detail' }]);

    const response = await client.send(new PutEventsCommand({ Entries: [finding(8), finding(2)] }));
    await events.whenIdle();

    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries?.map((e) => typeof e.EventId)).toEqual(['string', 'string']);
    expect(delivered).toEqual([
      {
        targetId: 'classify',
        ruleName: 'guardduty-high',
        payload: {
          id: 'finding-8',
          type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
          severity: 8,
          resource: { accessKeyId: 'AKIAEXAMPLE' },
        },
      },
    ]);
  });

  it('delivers the full envelope EventBridge builds when no input is configured', async () => {
    registerRule([{ id: 'classify', arn: LAMBDA_ARN }]);

    const response = await client.send(
      new PutEventsCommand({ Entries: [{ ...finding(9), Time: new Date('2024-05-01T10:20:30.456Z') }] }),
    );
    await events.whenIdle();

    expect(delivered[0]?.payload).toEqual({
      version: '0',
      id: response.Entries?.[0]?.EventId,
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: SANDBOX_ACCOUNT_ID,
      time: '2024-05-01T10:20:30Z',
      region: 'us-east-1',
      resources: ['arn:aws:iam::111122223333:user/alice'],
      detail: expect.objectContaining({ id: 'finding-9', severity: 9 }),
    });
  });

  it('applies an InputTransformer, quoting strings only outside JSON strings', async () => {
    registerRule([
      {
        id: 'notify',
        arn: LAMBDA_ARN,
        inputTransformer: {
          inputPathsMap: {
            findingId: '$.detail.id',
            severity: '$.detail.severity',
            key: '$.detail.resource.accessKeyId',
            absent: '$.detail.nope',
          },
          inputTemplate:
            '{"finding": <findingId>, "severity": <severity>, "text": "key <key> is severity <severity>", "rule": <aws.events.rule-name>, "missing": <absent>}',
        },
      },
    ]);

    await client.send(new PutEventsCommand({ Entries: [finding(7.5)] }));
    await events.whenIdle();

    expect(delivered.map((d) => d.payload)).toEqual([
      {
        finding: 'finding-7.5',
        severity: 7.5,
        text: 'key AKIAEXAMPLE is severity 7.5',
        rule: 'guardduty-high',
        missing: null,
      },
    ]);
  });

  it('reports malformed entries per entry and accepts the rest', async () => {
    registerRule([{ id: 'classify', arn: LAMBDA_ARN }]);

    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: 'GuardDuty Finding', Detail: '{}' },
          { Source: 'aws.guardduty', Detail: '{}' },
          { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding' },
          { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding', Detail: '[1, 2]' },
          { Source: 'aws.guardduty', DetailType: 'GuardDuty Finding', Detail: '{not json' },
          finding(8),
        ],
      }),
    );
    await events.whenIdle();

    expect(response.FailedEntryCount).toBe(5);
    expect(response.Entries?.slice(0, 5)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    expect(response.Entries?.[5]?.EventId).toEqual(expect.any(String));
    expect(delivered).toHaveLength(1);
  });

  it('refuses more than ten entries in one call', async () => {
    const entries = Array.from({ length: 11 }, () => finding(8));

    const attempt = client.send(new PutEventsCommand({ Entries: entries }));

    await expect(attempt).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('answers TestEventPattern, and rejects a malformed pattern', async () => {
    const event = JSON.stringify({
      id: '1',
      account: '111122223333',
      source: 'aws.guardduty',
      time: '2024-05-01T10:20:30Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'GuardDuty Finding',
      detail: { severity: 8 },
    });

    const high = await client.send(
      new TestEventPatternCommand({ EventPattern: JSON.stringify(guardDutyPattern), Event: event }),
    );
    const low = await client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ detail: { severity: [{ numeric: ['<', 4] }] } }),
        Event: event,
      }),
    );
    const malformed = client.send(
      new TestEventPatternCommand({ EventPattern: '{"source": "aws.guardduty"}', Event: event }),
    );

    expect(high.Result).toBe(true);
    expect(low.Result).toBe(false);
    await expect(malformed).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringContaining('"source" must be an object or an array'),
    });
  });

  it('retries a failing target, then dead-letters the event with the error', async () => {
    const told: DeadLetter[] = [];
    events.onDeadLetter((letter) => told.push(letter));
    registerRule([
      { id: 'broken', arn: FAILING_ARN, retryAttempts: 2, deadLetterArn: DLQ_ARN },
      { id: 'classify', arn: LAMBDA_ARN },
    ]);

    const response = await client.send(new PutEventsCommand({ Entries: [finding(9)] }));
    await events.whenIdle();

    expect(response.FailedEntryCount).toBe(0);
    expect(delivered.map((d) => d.targetId)).toEqual(['classify']);
    expect(events.deadLetters).toHaveLength(1);
    expect(events.deadLetters[0]).toMatchObject({
      target: { id: 'broken', deadLetterArn: DLQ_ARN },
      attempts: 3,
      event: { id: response.Entries?.[0]?.EventId },
      error: { message: 'Function returned 500: boom' },
    });
    expect(told).toEqual(events.deadLetters);
  });

  it('manages rules and targets over the wire and delivers constant Input', async () => {
    const pattern = JSON.stringify({
      source: [{ prefix: 'aws.' }],
      'detail-type': ['AWS API Call via CloudTrail'],
    });

    const { RuleArn } = await client.send(
      new PutRuleCommand({ Name: 'cloudtrail-drift', EventPattern: pattern }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'cloudtrail-drift',
        Targets: [
          {
            Id: 'drift',
            Arn: LAMBDA_ARN,
            Input: '{"playbook":"drift"}',
            RetryPolicy: { MaximumRetryAttempts: 1 },
          },
        ],
      }),
    );
    const described = await client.send(new DescribeRuleCommand({ Name: 'cloudtrail-drift' }));
    const listed = await client.send(new ListRulesCommand({ NamePrefix: 'cloud' }));
    const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'cloudtrail-drift' }));
    await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'aws.ec2', DetailType: 'AWS API Call via CloudTrail', Detail: '{}' }],
      }),
    );
    await events.whenIdle();

    expect(RuleArn).toBe(`arn:aws:events:us-east-1:${SANDBOX_ACCOUNT_ID}:rule/cloudtrail-drift`);
    expect(described).toMatchObject({
      Name: 'cloudtrail-drift',
      State: 'ENABLED',
      EventPattern: pattern,
      EventBusName: 'default',
    });
    expect(listed.Rules?.map((r) => r.Name)).toEqual(['cloudtrail-drift']);
    expect(targets.Targets).toEqual([
      {
        Id: 'drift',
        Arn: LAMBDA_ARN,
        Input: '{"playbook":"drift"}',
        RetryPolicy: { MaximumRetryAttempts: 1 },
      },
    ]);
    expect(delivered).toEqual([
      { targetId: 'drift', ruleName: 'cloudtrail-drift', payload: { playbook: 'drift' } },
    ]);
  });

  it('refuses to delete a rule with targets, and deletes it once they are removed', async () => {
    registerRule([{ id: 'classify', arn: LAMBDA_ARN }]);

    const refused = client.send(new DeleteRuleCommand({ Name: 'guardduty-high' }));
    await expect(refused).rejects.toMatchObject({ name: 'ValidationException' });
    await client.send(new RemoveTargetsCommand({ Rule: 'guardduty-high', Ids: ['classify'] }));
    await client.send(new DeleteRuleCommand({ Name: 'guardduty-high' }));
    const missing = client.send(new DescribeRuleCommand({ Name: 'guardduty-high' }));

    await expect(missing).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule guardduty-high does not exist on EventBus default.',
    });
  });

  it('rejects a malformed pattern in PutRule', async () => {
    const attempt = client.send(
      new PutRuleCommand({ Name: 'bad', EventPattern: '{"detail": {"x": [{"wildcard": "a**"}]}}' }),
    );

    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('does not deliver to disabled rules or to rules of another bus', async () => {
    events.putRule({ name: 'off', eventPattern: guardDutyPattern, state: 'DISABLED' });
    events.putTargets('off', [{ id: 'off', arn: LAMBDA_ARN }]);
    await client.send(new CreateEventBusCommand({ Name: 'findings' }));
    events.putRule({ name: 'on-findings-bus', eventBusName: 'findings', eventPattern: guardDutyPattern });
    events.putTargets('on-findings-bus', [{ id: 'bus', arn: LAMBDA_ARN }], 'findings');

    await client.send(
      new PutEventsCommand({ Entries: [finding(9), { ...finding(9), EventBusName: 'findings' }] }),
    );
    await events.whenIdle();
    const buses = await client.send(new ListEventBusesCommand({}));

    expect(delivered.map((d) => d.ruleName)).toEqual(['on-findings-bus']);
    expect(buses.EventBuses?.map((b) => b.Name)).toEqual(['default', 'findings']);
  });
});
