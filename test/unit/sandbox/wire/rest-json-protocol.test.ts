import {
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import type { SandboxRequest } from '#sandbox/protocol.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { ModelService, type OperationHandler } from '#sandbox/wire/model-service.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';
import { restCall } from './signed-request.ts';

const ARN = 'arn:aws:lambda:us-east-1:111122223333:function';

/** A REST-JSON service that answers with what it was given, so the codec's reading shows. */
class EchoLambda extends ModelService {
  readonly signingNames = ['lambda'] as const;
  readonly protocol = 'rest-json' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-lambda', 'LambdaClient');
  readonly seen: { operation: string; input: Record<string, unknown> }[] = [];
  protected readonly operations: Record<string, OperationHandler> = {
    Invoke: (_req: SandboxRequest, input) => {
      this.seen.push({ operation: 'Invoke', input });
      return {
        StatusCode: input.InvocationType === 'Event' ? 202 : 200,
        ExecutedVersion: input.Qualifier ?? '$LATEST',
        Payload: Buffer.from(`{"echo":${Buffer.from(input.Payload ?? '{}').toString('utf8')}}`),
      };
    },
    GetFunction: (_req, input) => ({
      Configuration: {
        FunctionName: input.FunctionName,
        FunctionArn: `${ARN}:${input.FunctionName}`,
        Timeout: 30,
      },
      Tags: { team: 'sec' },
      Concurrency: { ReservedConcurrentExecutions: 2 },
    }),
    ListFunctions: (_req, input) => ({
      Functions: [{ FunctionName: `max-${input.MaxItems}` }],
      NextMarker: input.Marker,
    }),
    PutFunctionConcurrency: (_req, input) => ({
      ReservedConcurrentExecutions: input.ReservedConcurrentExecutions,
    }),
    DeleteFunctionConcurrency: () => ({}),
    CreateAlias: (_req, input) => ({ Name: input.Name, FunctionVersion: input.FunctionVersion }),
  };
}

const service = new EchoLambda();
const server = new SandboxServer();
server.register(service);
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
afterAll(() => server.close());

describe('REST-JSON, read and written from the SDK model', () => {
  it('reads labels, headers, query strings and a blob payload, and writes status, headers and payload', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: `${ARN}:triage`,
        InvocationType: 'Event',
        Qualifier: 'live',
        Payload: new TextEncoder().encode('{"a":1}'),
      }),
    );
    expect(service.seen.at(-1)).toMatchObject({
      input: { FunctionName: `${ARN}:triage`, InvocationType: 'Event', Qualifier: 'live' },
    });
    expect(out.StatusCode).toBe(202);
    expect(out.ExecutedVersion).toBe('live');
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toEqual({ echo: { a: 1 } });
  });

  it('round-trips nested structures, maps and integer query members', async () => {
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'triage' }));
    const list = await lambda.send(new ListFunctionsCommand({ MaxItems: 7, Marker: 'm1' }));
    expect(fn.Configuration).toMatchObject({ FunctionName: 'triage', Timeout: 30 });
    expect(fn.Tags).toEqual({ team: 'sec' });
    expect(fn.Concurrency?.ReservedConcurrentExecutions).toBe(2);
    expect(list.Functions?.[0]?.FunctionName).toBe('max-7');
    expect(list.NextMarker).toBe('m1');
  });

  it('answers with the operation status code from the model (201 on create, 204 on delete)', async () => {
    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'triage', Name: 'live', FunctionVersion: '1' }),
    );
    const put = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'triage', ReservedConcurrentExecutions: 0 }),
    );
    const deleted = await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'triage' }));
    expect([alias.$metadata.httpStatusCode, alias.Name, alias.FunctionVersion]).toEqual([201, 'live', '1']);
    expect(put.ReservedConcurrentExecutions).toBe(0);
    expect(deleted.$metadata.httpStatusCode).toBe(204);
  });

  it('refuses an unknown body member with SerializationException', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/triage/aliases',
      body: JSON.stringify({ Name: 'live', FunctionVersion: '1', Weight: 3 }),
    });
    expect([answer.status, answer.code]).toEqual([400, 'SerializationException']);
    expect(answer.message).toContain('Weight');
  });

  it('refuses a body member that the model binds to the path', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/triage/aliases',
      body: JSON.stringify({ Name: 'live', FunctionVersion: '1', FunctionName: 'other' }),
    });
    expect([answer.status, answer.code]).toEqual([400, 'SerializationException']);
  });

  it('refuses a missing required member with ValidationException naming it', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/triage/aliases',
      body: JSON.stringify({ Name: 'live' }),
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationException']);
    expect(answer.message).toContain("Value null at 'functionVersion'");
  });

  it('refuses a value of the wrong type, in the body or in the query string', async () => {
    const body = await restCall(endpoint, {
      service: 'lambda',
      method: 'PUT',
      path: '/2017-10-31/functions/triage/concurrency',
      body: JSON.stringify({ ReservedConcurrentExecutions: 'ten' }),
    });
    const query = await restCall(endpoint, {
      service: 'lambda',
      method: 'GET',
      path: '/2015-03-31/functions/',
      query: { MaxItems: 'many' },
    });
    expect([body.status, body.code]).toEqual([400, 'SerializationException']);
    expect([query.status, query.code]).toEqual([400, 'SerializationException']);
  });

  it('refuses a header value outside the enum with ValidationException listing the allowed values', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'POST',
      path: '/2015-03-31/functions/triage/invocations',
      headers: { 'x-amz-invocation-type': 'Sometimes' },
      body: '{}',
    });
    expect([answer.status, answer.code]).toEqual([400, 'ValidationException']);
    expect(answer.message).toContain("Value 'Sometimes' at 'invocationType'");
    expect(answer.message).toContain('RequestResponse');
  });

  it('answers a method and path no operation has with 404', async () => {
    const answer = await restCall(endpoint, {
      service: 'lambda',
      method: 'GET',
      path: '/2015-03-31/nothing',
    });
    expect([answer.status, answer.code]).toEqual([404, 'UnknownOperationException']);
  });
});
