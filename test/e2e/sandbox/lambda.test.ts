import { fileURLToPath } from 'node:url';
import {
  GetFunctionCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';

const assetDir = fileURLToPath(new URL('../../fixtures/lambdas/basic', import.meta.url));
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'sandbox-secret' };

describe('Lambda in the sandbox', () => {
  let server: SandboxServer;
  let lambda: LambdaService;
  let client: LambdaClient;
  let endpoint: string;

  beforeEach(async () => {
    server = new SandboxServer();
    lambda = new LambdaService({ asyncRetryDelaysMs: [1, 1] });
    server.register(lambda);
    endpoint = await server.listen({ port: 0 });
    client = new LambdaClient({ endpoint, region: 'us-east-1', credentials });
    lambda.registerFunction({
      name: 'echo',
      assetDir,
      handler: 'index.echo',
      environment: { GREETING: 'hello' },
      memoryMb: 256,
    });
    lambda.registerFunction({
      name: 'echo-fr',
      assetDir,
      handler: 'index.echo',
      environment: { GREETING: 'bonjour' },
    });
    lambda.registerFunction({ name: 'fails', assetDir, handler: 'index.fail' });
    lambda.registerFunction({ name: 'sleeps', assetDir, handler: 'index.sleep', timeoutSeconds: 1 });
    lambda.registerFunction({ name: 'counts', assetDir, handler: 'index.count' });
    lambda.registerFunction({ name: 'legacy', assetDir, handler: 'index.legacy' });
    lambda.registerFunction({ name: 'flaky', assetDir, handler: 'index.flaky' });
  });

  afterEach(async () => {
    client.destroy();
    await lambda.close();
    await server.close();
  });

  async function invoke(
    functionName: string,
    payload: unknown,
    extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {},
  ) {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: Buffer.from(JSON.stringify(payload)),
        ...extra,
      }),
    );
    const text = Buffer.from(response.Payload ?? []).toString('utf8');
    return { response, payload: text ? JSON.parse(text) : undefined };
  }

  it('invokes a function by name, ARN or partial ARN with a Lambda-like context', async () => {
    const byName = await invoke('echo', { finding: 'f-1' });
    const byArn = await invoke('arn:aws:lambda:us-east-1:111122223333:function:echo', { finding: 'f-2' });
    const byPartialArn = await invoke('111122223333:function:echo', { finding: 'f-3' });

    expect(byName.response).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(byName.response.FunctionError).toBeUndefined();
    expect(byName.payload).toMatchObject({
      event: { finding: 'f-1' },
      functionName: 'echo',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:echo',
    });
    expect(byName.payload.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(byName.payload.remainingMs).toBeGreaterThan(0);
    expect(byArn.payload.event).toEqual({ finding: 'f-2' });
    expect(byPartialArn.payload.event).toEqual({ finding: 'f-3' });
  });

  it('gives each function its own environment', async () => {
    const english = await invoke('echo', {});
    const french = await invoke('echo-fr', {});

    expect(english.payload).toMatchObject({ greeting: 'hello', memory: '256', endpoint });
    expect(french.payload).toMatchObject({ greeting: 'bonjour', memory: '128', endpoint });
  });

  it('reports a handler error as an Unhandled function error with type, message and trace', async () => {
    const { response, payload } = await invoke('fails', { accessKeyId: 'AKIAEXAMPLE' });

    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBe('Unhandled');
    expect(payload).toMatchObject({
      errorType: 'KeyAlreadyInactiveError',
      errorMessage: 'key AKIAEXAMPLE is already inactive',
    });
    expect(payload.trace[0]).toContain('KeyAlreadyInactiveError');
  });

  it('stops an invocation at the function timeout and serves the next one from a fresh environment', async () => {
    const timedOut = await invoke('sleeps', { ms: 60_000 });
    const next = await invoke('sleeps', { ms: 1 });

    expect(timedOut.response.FunctionError).toBe('Unhandled');
    expect(timedOut.payload.errorType).toBe('Sandbox.Timedout');
    expect(timedOut.payload.errorMessage).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/,
    );
    expect(next.payload).toEqual({ slept: 1 });
  });

  it('keeps module state between warm invocations and runs Event invocations in the background', async () => {
    await invoke('counts', {});
    const queued = await client.send(new InvokeCommand({ FunctionName: 'counts', InvocationType: 'Event' }));
    await lambda.whenIdle();
    const third = await invoke('counts', {});

    expect(queued.StatusCode).toBe(202);
    expect(third.payload).toEqual({ invocations: 3 });
  });

  it('retries a failed Event invocation twice, as Lambda retries asynchronous invocations', async () => {
    const queued = await client.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event' }));
    await lambda.whenIdle();
    const after = await invoke('flaky', {});

    expect(queued.StatusCode).toBe(202);
    expect(after.payload).toEqual({ invocations: 4 });
  });

  it('answers DryRun without running and supports callback-style handlers', async () => {
    const dryRun = await client.send(new InvokeCommand({ FunctionName: 'counts', InvocationType: 'DryRun' }));
    const legacy = await invoke('legacy', { value: 21 });
    const counted = await invoke('counts', {});

    expect(dryRun.StatusCode).toBe(204);
    expect(legacy.payload).toEqual({ doubled: 42 });
    expect(counted.payload).toEqual({ invocations: 1 });
  });

  it('rejects unknown functions, qualifiers and non-JSON payloads as Lambda does', async () => {
    await expect(invoke('nope', {})).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(invoke('echo', {}, { Qualifier: 'prod' })).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })),
    ).rejects.toBeInstanceOf(InvalidRequestContentException);
  });

  it('describes functions with GetFunction and ListFunctions', async () => {
    const { Configuration } = await client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    const { Functions } = await client.send(new ListFunctionsCommand({}));

    expect(Configuration).toMatchObject({
      FunctionName: 'echo',
      FunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:echo',
      Handler: 'index.echo',
      Runtime: 'nodejs22.x',
      MemorySize: 256,
      Timeout: 3,
      Environment: { Variables: { GREETING: 'hello' } },
      State: 'Active',
    });
    expect(Functions!.map((fn) => fn.FunctionName)).toEqual([
      'counts',
      'echo',
      'echo-fr',
      'fails',
      'flaky',
      'legacy',
      'sleeps',
    ]);
  });
});
