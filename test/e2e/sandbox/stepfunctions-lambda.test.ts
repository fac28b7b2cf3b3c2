import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const ROLE = 'arn:aws:iam::111122223333:role/playbook';
const ECHO_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:echo';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

describe('Step Functions invoking Lambda functions in the sandbox', () => {
  let server: SandboxServer;
  let sfn: SFNClient;
  let service: StepFunctionsService;
  let lambda: LambdaService;

  beforeEach(async () => {
    server = new SandboxServer();
    service = new StepFunctionsService({ timeScale: 0.001 });
    lambda = new LambdaService();
    server.register(service);
    server.register(lambda);
    const endpoint = await server.listen({ port: 0 });
    sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
    lambda.registerFunction({
      name: 'echo',
      assetDir,
      handler: 'index.echo',
      environment: { GREETING: 'hello' },
    });
    lambda.registerFunction({ name: 'fails', assetDir, handler: 'index.fail' });
  });

  afterEach(async () => {
    await service.close();
    sfn.destroy();
    await lambda.close();
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
    return { execution, output: JSON.parse(execution.output ?? 'null'), events: events as HistoryEvent[] };
  }

  it('returns the Invoke response of lambda:invoke with the function result as Payload', async () => {
    const definition = {
      StartAt: 'Classify',
      States: {
        Classify: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: 'echo',
            Payload: { 'finding.$': '$.finding', 'execution.$': '$$.Execution.Name' },
          },
          ResultPath: '$.classified',
          End: true,
        },
      },
    };

    const { execution, output, events } = await run(definition, { finding: 'f-1' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.classified).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      Payload: {
        event: { finding: 'f-1', execution: execution.name },
        functionName: 'echo',
        greeting: 'hello',
      },
    });
    expect(events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
    });
  });

  it('fails a lambda:invoke task with the function errorType, which Catch can match', async () => {
    const definition = {
      StartAt: 'Deactivate',
      States: {
        Deactivate: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'fails', 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['KeyAlreadyInactiveError'], ResultPath: '$.error', Next: 'Nothing to do' }],
          End: true,
        },
        'Nothing to do': { Type: 'Succeed' },
      },
    };

    const { execution, output } = await run(definition, { accessKeyId: 'AKIAEXAMPLE' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(output.error.Error).toBe('KeyAlreadyInactiveError');
    expect(JSON.parse(output.error.Cause)).toMatchObject({
      errorType: 'KeyAlreadyInactiveError',
      errorMessage: 'key AKIAEXAMPLE is already inactive',
    });
  });

  it('runs a function ARN used as the resource and records LambdaFunction events', async () => {
    const definition = { StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: ECHO_ARN, End: true } } };

    const { output, events } = await run(definition, { finding: 'f-2' });

    expect(output).toMatchObject({ event: { finding: 'f-2' }, functionName: 'echo' });
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2]!.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: ECHO_ARN,
      input: '{"finding":"f-2"}',
    });
  });

  it('names a missing function Lambda.ResourceNotFoundException', async () => {
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'missing' },
          End: true,
        },
      },
    };

    const { execution } = await run(definition, {});

    expect(execution).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    expect(execution.cause).toMatch(
      /^Function not found: arn:aws:lambda:us-east-1:111122223333:function:missing/,
    );
  });

  it('counts retries in $$.State.RetryCount', async () => {
    const definition = {
      StartAt: 'Deactivate',
      States: {
        Deactivate: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: 'fails',
            Payload: { 'accessKeyId.$': "States.Format('attempt-{}', $$.State.RetryCount)" },
          },
          Retry: [{ ErrorEquals: ['KeyAlreadyInactiveError'], IntervalSeconds: 1, MaxAttempts: 2 }],
          End: true,
        },
      },
    };

    const { execution, events } = await run(definition, {});

    expect(execution.status).toBe('FAILED');
    expect(JSON.parse(execution.cause!).errorMessage).toBe('key attempt-2 is already inactive');
    const attempts = events
      .filter((event) => event.type === 'TaskScheduled')
      .map((event) => JSON.parse(event.taskScheduledEventDetails!.parameters!).Payload.accessKeyId);
    expect(attempts).toEqual(['attempt-0', 'attempt-1', 'attempt-2']);
  });
});
