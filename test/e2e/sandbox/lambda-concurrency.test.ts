import { fileURLToPath } from 'node:url';
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

describe('Lambda reserved concurrency in the sandbox', () => {
  let server: SandboxServer;
  let lambda: LambdaService;
  let client: LambdaClient;

  beforeEach(async () => {
    server = new SandboxServer();
    lambda = new LambdaService();
    server.register(lambda);
    const endpoint = await server.listen({ port: 0 });
    client = new LambdaClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    lambda.registerFunction({ name: 'echo', assetDir, handler: 'index.echo' });
  });

  afterEach(async () => {
    client.destroy();
    await lambda.close();
    await server.close();
  });

  const invoke = () => client.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{"n":1}' }));

  it('refuses every invocation of a function throttled to zero, until the limit is removed', async () => {
    await client.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 0 }),
    );

    await expect(invoke()).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' }))).toMatchObject({
      ReservedConcurrentExecutions: 0,
    });
    expect((await client.send(new GetFunctionCommand({ FunctionName: 'echo' }))).Concurrency).toEqual({
      ReservedConcurrentExecutions: 0,
    });

    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'echo' }));

    expect((await invoke()).StatusCode).toBe(200);
    expect(
      (await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'echo' })))
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it('keeps invoking a function with reserved concurrency above zero', async () => {
    await client.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'echo', ReservedConcurrentExecutions: 5 }),
    );

    expect((await invoke()).StatusCode).toBe(200);
  });
});
