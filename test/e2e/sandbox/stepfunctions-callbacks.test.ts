import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { PublishInput } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';
import { ModelService, type OperationHandler } from '#sandbox/wire/model-service.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';

const ROLE = 'arn:aws:iam::111122223333:role/playbook';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:on-call';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

/** Just enough SNS (query protocol) for Publish; hands each published message to whoever waits. */
class FakeSns extends ModelService {
  readonly signingNames = ['sns'];
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sns', 'SNSClient');
  private readonly waiting: ((message: Record<string, unknown>) => void)[] = [];
  private readonly published: Record<string, unknown>[] = [];

  protected readonly operations: Record<string, OperationHandler> = {
    Publish: (_req, input: PublishInput) => {
      const message = JSON.parse(input.Message ?? '{}');
      const waiter = this.waiting.shift();
      if (waiter) waiter(message);
      else this.published.push(message);
      return { MessageId: 'message-1' };
    },
  };

  /** The next published message (already published or still to come). */
  next(): Promise<Record<string, unknown>> {
    const message = this.published.shift();
    if (message) return Promise.resolve(message);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

function approvalGate(gate: Record<string, unknown> = {}, otherStates: Record<string, unknown> = {}) {
  return {
    StartAt: 'Ask approval',
    States: {
      ...otherStates,
      'Ask approval': {
        Type: 'Task',
        Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
        Parameters: { TopicArn: TOPIC, Message: { 'token.$': '$$.Task.Token', 'finding.$': '$.finding' } },
        ResultPath: '$.decision',
        ...gate,
        End: true,
      },
    },
  };
}

describe('Step Functions waitForTaskToken in the sandbox', () => {
  let server: SandboxServer;
  let sfn: SFNClient;
  let service: StepFunctionsService;
  let sns: FakeSns;

  beforeEach(async () => {
    server = new SandboxServer();
    service = new StepFunctionsService({ callbackTimeScale: 0.5 });
    sns = new FakeSns();
    server.register(service);
    server.register(sns);
    const endpoint = await server.listen({ port: 0 });
    sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
  });

  afterEach(async () => {
    await service.close();
    sfn.destroy();
    await server.close();
  });

  async function start(definition: object) {
    const name = `gate-${Math.random().toString(36).slice(2)}`;
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ finding: 'finding-9' }) }),
    );
    const message = await sns.next();
    return { executionArn: executionArn!, token: String(message.token), message };
  }

  async function outcome(executionArn: string) {
    await service.whenIdle();
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    return { execution, types: events!.map((event) => event.type), events: events! };
  }

  it('hands the task token to the notification and continues with SendTaskSuccess output', async () => {
    const { executionArn, token, message } = await start(approvalGate());

    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true,"by":"alice"}' }),
    );
    const { execution, types, events } = await outcome(executionArn);

    expect(message.finding).toBe('finding-9');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!).decision).toEqual({ approved: true, by: 'alice' });
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[4]!.taskSubmittedEventDetails).toMatchObject({
      resourceType: 'sns',
      resource: 'publish.waitForTaskToken',
    });
    expect(JSON.parse(events[4]!.taskSubmittedEventDetails!.output!).MessageId).toBe('message-1');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails the task with the error and cause of SendTaskFailure', async () => {
    const { executionArn, token } = await start(approvalGate());

    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalDenied', cause: 'denied by bob' }),
    );
    const { execution, events } = await outcome(executionArn);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'ApprovalDenied', cause: 'denied by bob' });
    expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      error: 'ApprovalDenied',
      cause: 'denied by bob',
    });
  });

  it('times the task out as States.Timeout, which States.TaskFailed does not catch', async () => {
    const { executionArn, token } = await start(
      approvalGate(
        { TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Wrongly caught' }] },
        { 'Wrongly caught': { Type: 'Succeed' } },
      ),
    );

    const { execution, types } = await outcome(executionArn);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types.slice(-2)).toEqual(['TaskTimedOut', 'ExecutionFailed']);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('keeps a task alive while heartbeats arrive and times it out when they stop', async () => {
    const alive = await start(approvalGate({ HeartbeatSeconds: 1 }));
    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken: alive.token }));
    }
    await sfn.send(new SendTaskSuccessCommand({ taskToken: alive.token, output: '"approved"' }));
    const silent = await start(
      approvalGate(
        {
          HeartbeatSeconds: 1,
          Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], ResultPath: '$.escalation', Next: 'Escalate' }],
        },
        { Escalate: { Type: 'Fail', Error: 'Escalated', CausePath: '$.escalation.Error' } },
      ),
    );

    const kept = await outcome(alive.executionArn);
    const escalated = await outcome(silent.executionArn);

    expect(kept.execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(kept.execution.output!).decision).toBe('approved');
    expect(escalated.types).toContain('TaskTimedOut');
    expect(escalated.execution).toMatchObject({
      status: 'FAILED',
      error: 'Escalated',
      cause: 'States.HeartbeatTimeout',
    });
  });

  it('rejects malformed and unknown tokens as InvalidToken and TaskDoesNotExist', async () => {
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new SendTaskFailureCommand({ taskToken: `AQ${'A'.repeat(128)}`, error: 'x' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('aborts a waiting execution with StopExecution and closes its token', async () => {
    const { executionArn, token } = await start(approvalGate());

    await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Superseded', cause: 'finding resolved' }),
    );
    const { execution, types } = await outcome(executionArn);

    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Superseded', cause: 'finding resolved' });
    expect(types.at(-1)).toBe('ExecutionAborted');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });
});
