import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';
import { StepFunctionsService } from '#sandbox/services/stepfunctions/service.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const ROLE = 'arn:aws:iam::111122223333:role/playbook';
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };
/** 150 KiB: one copy fits in a state's 256 KiB, two do not. */
const HALF_OF_TOO_MUCH = 'y'.repeat(150 * 1024);

const server = new SandboxServer();
const service = new StepFunctionsService({ timeScale: 0.001 });
const lambda = new LambdaService();
let sfn: SFNClient;

beforeAll(async () => {
  server.register(service);
  server.register(lambda);
  const endpoint = await server.listen({ port: 0 });
  sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials });
  lambda.registerFunction({ name: 'inflate', assetDir, handler: 'index.inflate' });
  lambda.registerFunction({ name: 'echo', assetDir, handler: 'index.echo' });
});

afterAll(async () => {
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
  return { execution, types: (events ?? []).map((e) => e.type) };
}

const catchAll = [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }];
const caught = { Caught: { Type: 'Succeed' } };
const failure = (state: string) => ({
  status: 'FAILED',
  error: 'States.DataLimitExceeded',
  cause: `The state/task '${state}' returned a result with a size exceeding the maximum number of bytes service limit.`,
});

describe('Step Functions payloads over 256 KiB', () => {
  it('fail the execution when a state’s output is too large; the next state never runs', async () => {
    const { execution, types } = await run(
      {
        StartAt: 'Double',
        States: {
          Double: {
            Type: 'Pass',
            Parameters: { 'a.$': '$.text', 'b.$': '$.text' },
            Next: 'Echo',
          },
          Echo: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'echo', Payload: { small: true } },
            End: true,
          },
        },
      },
      { text: HALF_OF_TOO_MUCH },
    );

    expect(execution).toMatchObject(failure('Double'));
    expect(types).not.toContain('TaskScheduled');
    expect(types.at(-1)).toBe('ExecutionFailed');
  });

  it('fail a task whose input after Parameters is too large, before calling it, whatever its Catch', async () => {
    const { execution, types } = await run(
      {
        StartAt: 'Echo',
        States: {
          Echo: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'echo', Payload: { 'a.$': '$.text', 'b.$': '$.text' } },
            Catch: catchAll,
            End: true,
          },
          ...caught,
        },
      },
      { text: HALF_OF_TOO_MUCH },
    );

    expect(execution).toMatchObject(failure('Echo'));
    expect(types).not.toContain('TaskScheduled');
  });

  it('fail a task whose result is too large, which Catch States.ALL does not catch', async () => {
    const { execution, types } = await run(
      {
        StartAt: 'Inflate',
        States: {
          Inflate: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'inflate', Payload: { bytes: 300 * 1024 } },
            Catch: catchAll,
            End: true,
          },
          ...caught,
        },
      },
      {},
    );

    expect(execution).toMatchObject(failure('Inflate'));
    expect(types).not.toContain('SucceedStateEntered');
  });

  it('let a payload just under the limit through', async () => {
    const { execution } = await run(
      {
        StartAt: 'Inflate',
        States: {
          Inflate: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'inflate', Payload: { bytes: 200 * 1024 } },
            End: true,
          },
        },
      },
      {},
    );

    expect(execution.status).toBe('SUCCEEDED');
  });
});
