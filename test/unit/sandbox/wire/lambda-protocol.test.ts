import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { LambdaService } from '#sandbox/services/lambda.ts';
import { restCall } from './signed-request.ts';

const assetDir = fileURLToPath(new URL('../../../fixtures/lambdas/basic', import.meta.url));
const server = new SandboxServer();
const service = new LambdaService();
server.register(service);
service.registerFunction({ name: 'echo', assetDir, handler: 'index.echo' });
let endpoint: string;
let lambda: LambdaClient;

beforeAll(async () => {
  endpoint = await server.listen({ port: 0 });
  lambda = new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await service.close();
  await server.close();
});

describe("Lambda's requests read from its SDK model", () => {
  it('round-trips versions and aliases through a real client', async () => {
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: 'echo' }));
    const created = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: published.Version }),
    );
    const updated = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '$LATEST' }),
    );
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'echo', Name: 'live' }));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));

    expect([published.$metadata.httpStatusCode, published.Version]).toEqual([201, '1']);
    expect(created.AliasArn).toBe(`${config.FunctionArn}:live`);
    expect(updated.FunctionVersion).toBe('$LATEST');
    expect(alias.FunctionVersion).toBe('$LATEST');
    expect(config.Architectures).toEqual(['arm64']);
  });

  it('refuses an unknown body member with InvalidRequestContentException', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/echo/aliases',
      body: JSON.stringify({ Name: 'typo', FunctionVersion: '$LATEST', RoutingConfig: {}, Versoin: '1' }),
    });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidRequestContentException']);
    expect(answer.message).toContain('Versoin');
  });

  it('refuses a missing required member with InvalidParameterValueException naming it', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'PUT',
      path: '/2017-10-31/functions/echo/concurrency',
      body: '{}',
    });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidParameterValueException']);
    expect(answer.message).toContain("Value null at 'reservedConcurrentExecutions'");
  });

  it('refuses a value of the wrong type with InvalidRequestContentException', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'PUT',
      path: '/2017-10-31/functions/echo/concurrency',
      body: JSON.stringify({ ReservedConcurrentExecutions: '0' }),
    });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidRequestContentException']);
  });

  it('refuses an invocation type outside the enum with InvalidParameterValueException', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/echo/invocations',
      headers: { 'x-amz-invocation-type': 'Later' },
      body: '{}',
    });
    expect([answer.status, answer.code]).toEqual([400, 'InvalidParameterValueException']);
    expect(answer.message).toContain("Value 'Later' at 'invocationType'");
    expect(answer.message).toContain('RequestResponse');
  });
});
