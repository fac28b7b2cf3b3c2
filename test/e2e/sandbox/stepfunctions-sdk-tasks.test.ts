import type { GetItemInput, PutItemInput } from '@aws-sdk/client-dynamodb';
import type { PutEventsRequest, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { ListAccessKeysRequest, UpdateAccessKeyRequest } from '@aws-sdk/client-iam';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { AssumeRoleRequest } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsError, type SandboxRequest } from '#sandbox/protocol.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { ModelService, type OperationHandler } from '#sandbox/wire/model-service.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';

const ROLE = 'arn:aws:iam::111122223333:role/playbook';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** Just enough IAM (query protocol) for access keys: UpdateAccessKey and ListAccessKeys. */
class FakeIam extends ModelService {
  readonly signingNames = ['iam'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-iam', 'IAMClient');
  /** Status of each user's keys, and who changed them (access key id and account). */
  readonly keys = new Map<string, { user: string; status: string }>([
    ['AKIAALICE00000000001', { user: 'alice', status: 'Active' }],
  ]);
  readonly callers: { accessKeyId?: string; accountId: string }[] = [];

  protected readonly operations: Record<string, OperationHandler> = {
    UpdateAccessKey: (req, input: UpdateAccessKeyRequest) => {
      this.ownedKeys(req, input.UserName);
      const key = this.keys.get(input.AccessKeyId ?? '');
      if (!key) throw new AwsError('NoSuchEntity', 'The Access Key cannot be found.', 404);
      key.status = input.Status ?? key.status;
      return {};
    },
    ListAccessKeys: (req, input: ListAccessKeysRequest) => ({
      AccessKeyMetadata: this.ownedKeys(req, input.UserName).map(([id, key]) => ({
        UserName: key.user,
        AccessKeyId: id,
        Status: key.status,
        CreateDate: new Date('2024-01-02T03:04:05Z'),
      })),
      IsTruncated: false,
    }),
  };

  private ownedKeys(req: SandboxRequest, user = '') {
    this.callers.push({ accessKeyId: req.accessKeyId, accountId: req.accountId });
    const owned = [...this.keys.entries()].filter(([, key]) => key.user === user);
    if (owned.length === 0)
      throw new AwsError('NoSuchEntity', `The user with name ${user} cannot be found.`, 404);
    return owned;
  }
}

/** Just enough STS for AssumeRole: the role's session signs with its own key. */
class FakeSts extends ModelService {
  readonly signingNames = ['sts'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sts', 'STSClient');
  readonly assumed: string[] = [];

  protected readonly operations: Record<string, OperationHandler> = {
    AssumeRole: (_req, input: AssumeRoleRequest) => {
      this.assumed.push(input.RoleArn ?? '');
      return {
        Credentials: {
          AccessKeyId: 'ASIAMEMBERACCOUNT001',
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date('2099-01-01T00:00:00Z'),
        },
        AssumedRoleUser: { AssumedRoleId: 'AROA:x', Arn: input.RoleArn },
      };
    },
  };
}

/** Just enough DynamoDB (JSON 1.0) for the audit trail: conditional PutItem and GetItem on `pk`. */
class FakeDynamoDb extends ModelService {
  readonly signingNames = ['dynamodb'];
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-dynamodb', 'DynamoDBClient');
  readonly items = new Map<string, Record<string, unknown>>();

  protected readonly operations: Record<string, OperationHandler> = {
    PutItem: (_req, input: PutItemInput) => {
      const pk = input.Item?.pk?.S as string;
      if (input.ConditionExpression === 'attribute_not_exists(pk)' && this.items.has(pk)) {
        throw new AwsError('ConditionalCheckFailedException', 'The conditional request failed');
      }
      this.items.set(pk, input.Item ?? {});
      return {};
    },
    GetItem: (_req, input: GetItemInput) => ({ Item: this.items.get(input.Key?.pk?.S as string) }),
  };
}

/** Just enough EventBridge (JSON 1.1) for PutEvents; keeps the entries it accepted. */
class FakeEventBridge extends ModelService {
  readonly signingNames = ['events'];
  readonly protocol = 'json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-eventbridge', 'EventBridgeClient');
  readonly entries: PutEventsRequestEntry[] = [];

  protected readonly operations: Record<string, OperationHandler> = {
    PutEvents: (_req, input: PutEventsRequest) => {
      const entries = input.Entries ?? [];
      this.entries.push(...entries);
      return { FailedEntryCount: 0, Entries: entries.map((_, index) => ({ EventId: `event-${index}` })) };
    },
  };
}

const deactivate = {
  Type: 'Task',
  Resource: 'arn:aws:states:::aws-sdk:iam:updateAccessKey',
  Parameters: { 'UserName.$': '$.user', 'AccessKeyId.$': '$.key', Status: 'Inactive' },
  ResultPath: null,
};

describe('Step Functions tasks calling AWS through the sandbox', () => {
  let server: SandboxServer;
  let sfn: SFNClient;
  let service: StepFunctionsService;
  let iam: FakeIam;

  beforeEach(async () => {
    server = new SandboxServer();
    service = new StepFunctionsService({ timeScale: 0.001 });
    iam = new FakeIam();
    server.register(service);
    server.register(iam);
    const endpoint = await server.listen({ port: 0 });
    sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
  });

  afterEach(async () => {
    await service.close();
    sfn.destroy();
    await server.close();
  });

  async function run(definition: object, input: object) {
    const name = `machine-${Math.random().toString(36).slice(2)}`;
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    await service.whenIdle();
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    return { execution, events: events as HistoryEvent[] };
  }

  it('retries a throttled IAM call and deactivates the key once the throttling clears', async () => {
    server.faults.add({ service: 'iam', operation: 'UpdateAccessKey', code: 'Throttling', times: 2 });
    const definition = {
      StartAt: 'Deactivate',
      States: {
        Deactivate: {
          ...deactivate,
          Retry: [{ ErrorEquals: ['Iam.IamException'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
          End: true,
        },
      },
    };

    const { execution, events } = await run(definition, { user: 'alice', key: 'AKIAALICE00000000001' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(iam.keys.get('AKIAALICE00000000001')?.status).toBe('Inactive');
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails;
    expect(failed).toMatchObject({
      resourceType: 'aws-sdk:iam',
      resource: 'updateAccessKey',
      error: 'Iam.IamException',
    });
    expect(failed?.cause).toMatch(
      /^Injected fault on iam:UpdateAccessKey \(Service: Iam, Status Code: 400, Request ID: /,
    );
    expect(events[2]!.taskScheduledEventDetails).toMatchObject({
      region: 'us-east-1',
      parameters: JSON.stringify({
        UserName: 'alice',
        AccessKeyId: 'AKIAALICE00000000001',
        Status: 'Inactive',
      }),
    });
  });

  it('catches an access-denied call into a Fail state that tells a human why', async () => {
    server.faults.add({
      service: 'iam',
      operation: 'UpdateAccessKey',
      code: 'AccessDenied',
      message: 'not authorized',
    });
    const definition = {
      StartAt: 'Deactivate',
      States: {
        Deactivate: {
          ...deactivate,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Needs human' }],
          End: true,
        },
        'Needs human': { Type: 'Fail', Error: 'NeedsHuman', CausePath: '$.error.Cause' },
      },
    };

    const { execution, events } = await run(definition, { user: 'alice', key: 'AKIAALICE00000000001' });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('NeedsHuman');
    expect(execution.cause).toMatch(/^not authorized \(Service: Iam, Status Code: 403/);
    expect(iam.keys.get('AKIAALICE00000000001')?.status).toBe('Active');
    expect(events.slice(-5).map((event) => event.type)).toEqual([
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails?.error).toBe(
      'Iam.IamException',
    );
    expect(events.at(-1)?.executionFailedEventDetails?.error).toBe('NeedsHuman');
  });

  it('names a modelled service error ServiceName.ErrorNameException so Catch can match it', async () => {
    const definition = {
      StartAt: 'Deactivate',
      States: {
        Deactivate: {
          ...deactivate,
          Catch: [
            { ErrorEquals: ['Iam.NoSuchEntityException'], ResultPath: '$.error', Next: 'Already gone' },
          ],
          Next: 'Done',
        },
        'Already gone': { Type: 'Pass', Result: 'user already deleted', ResultPath: '$.outcome', End: true },
        Done: { Type: 'Succeed' },
      },
    };

    const { execution } = await run(definition, { user: 'mallory', key: 'AKIAMALLORY000000001' });

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output.outcome).toBe('user already deleted');
    expect(output.error.Error).toBe('Iam.NoSuchEntityException');
    expect(output.error.Cause).toMatch(
      /^The user with name mallory cannot be found\. \(Service: Iam, Status Code: 404/,
    );
  });

  it('returns the SDK response without metadata, timestamps as ISO 8601', async () => {
    const definition = {
      StartAt: 'List keys',
      States: {
        'List keys': {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:iam:listAccessKeys',
          Parameters: { 'UserName.$': '$.user' },
          ResultSelector: { 'keys.$': '$.AccessKeyMetadata' },
          End: true,
        },
      },
    };

    const { execution } = await run(definition, { user: 'alice' });

    expect(JSON.parse(execution.output!)).toEqual({
      keys: [
        {
          UserName: 'alice',
          AccessKeyId: 'AKIAALICE00000000001',
          Status: 'Active',
          CreateDate: '2024-01-02T03:04:05Z',
        },
      ],
    });
  });

  it('assumes the task Credentials role through STS and calls as that role', async () => {
    const sts = new FakeSts();
    server.register(sts);
    // The session the fake STS hands out, known to the server as STS's sessions are.
    server.addAccessKey(
      { accessKeyId: 'ASIAMEMBERACCOUNT001', secretAccessKey: 'secret', sessionToken: 'token' },
      '444455556666',
    );
    const memberRole = 'arn:aws:iam::444455556666:role/remediation-member';
    const definition = {
      StartAt: 'Deactivate',
      States: { Deactivate: { ...deactivate, Credentials: { 'RoleArn.$': '$.role' }, End: true } },
    };

    const { execution } = await run(definition, {
      user: 'alice',
      key: 'AKIAALICE00000000001',
      role: memberRole,
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect(sts.assumed).toEqual([memberRole]);
    expect(iam.callers).toEqual([{ accessKeyId: 'ASIAMEMBERACCOUNT001', accountId: '444455556666' }]);
  });

  it('serves tasks inside Parallel branches and Map iterations', async () => {
    iam.keys.set('AKIABOB0000000000001', { user: 'bob', status: 'Active' });
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Each key',
              States: {
                'Each key': {
                  Type: 'Map',
                  ItemsPath: '$.keys',
                  ItemProcessor: {
                    StartAt: 'Deactivate each',
                    States: { 'Deactivate each': { ...deactivate, End: true } },
                  },
                  End: true,
                },
              },
            },
            { StartAt: 'Note', States: { Note: { Type: 'Pass', Result: 'noted', End: true } } },
          ],
          End: true,
        },
      },
    };

    const { execution, events } = await run(definition, {
      keys: [
        { user: 'alice', key: 'AKIAALICE00000000001' },
        { user: 'bob', key: 'AKIABOB0000000000001' },
      ],
    });

    expect(execution.status).toBe('SUCCEEDED');
    expect([...iam.keys.values()].map((key) => key.status)).toEqual(['Inactive', 'Inactive']);
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'ParallelStateEntered',
        'MapStateEntered',
        'MapIterationStarted',
        'MapIterationSucceeded',
        'ParallelStateExited',
      ]),
    );
    expect(types.filter((type) => type === 'TaskSucceeded')).toHaveLength(2);
  });

  it('writes audit records with dynamodb:putItem and names a failed condition as DynamoDB does', async () => {
    const dynamodb = new FakeDynamoDb();
    server.register(dynamodb);
    const audit = {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: 'audit',
        Item: {
          pk: { 'S.$': '$.finding' },
          sk: { 'S.$': "States.Format('{}#Deactivate', $$.State.EnteredTime)" },
          executionArn: { 'S.$': '$$.Execution.Id' },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
      ResultPath: '$.audit',
    };
    const definition = {
      StartAt: 'Audit',
      States: {
        Audit: { ...audit, Next: 'Audit again' },
        'Audit again': {
          ...audit,
          Catch: [
            {
              ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
              ResultPath: '$.duplicate',
              Next: 'Done',
            },
          ],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    };

    const { execution } = await run(definition, { finding: 'finding-7' });

    expect(execution.status).toBe('SUCCEEDED');
    const item = dynamodb.items.get('finding-7');
    expect(item?.executionArn).toEqual({ S: execution.executionArn });
    expect((item?.sk as { S: string } | undefined)?.S).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#Deactivate$/,
    );
    const output = JSON.parse(execution.output!);
    expect(output.audit.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(output.duplicate.Error).toBe('DynamoDB.ConditionalCheckFailedException');
  });

  it('publishes events with events:putEvents, naming the execution in Resources', async () => {
    const events = new FakeEventBridge();
    server.register(events);
    const definition = {
      StartAt: 'Announce',
      States: {
        Announce: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: {
            Entries: [
              { Source: 'remediation', DetailType: 'Contained', Detail: { 'finding.$': '$.finding' } },
            ],
          },
          End: true,
        },
      },
    };

    const { execution } = await run(definition, { finding: 'f-3' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(events.entries).toEqual([
      {
        Source: 'remediation',
        DetailType: 'Contained',
        Detail: '{"finding":"f-3"}',
        Resources: [execution.stateMachineArn, execution.executionArn],
      },
    ]);
    expect(JSON.parse(execution.output!).Entries).toEqual([{ EventId: 'event-0' }]);
  });

  it('shortens Wait states by the time scale', async () => {
    const definition = {
      StartAt: 'Cool down',
      States: { 'Cool down': { Type: 'Wait', Seconds: 600, End: true } },
    };

    const { execution, events } = await run(definition, {});

    expect(execution.status).toBe('SUCCEEDED');
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
  });
});
