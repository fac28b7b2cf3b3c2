import { GetTopicAttributesCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '#sandbox/credentials.ts';
import type { SandboxRequest } from '#sandbox/protocol.ts';
import { queryParams } from '#sandbox/query-protocol.ts';
import { SandboxServer } from '#sandbox/server.ts';
import { ModelService, type OperationHandler } from '#sandbox/wire/model-service.ts';
import { ServiceModel } from '#sandbox/wire/service-model.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:legacy';

/** Operations written the way the sandbox wrote them before the model path. */
class LegacyStyleSns extends ModelService {
  readonly signingNames = ['sns'] as const;
  readonly protocol = 'query' as const;
  protected readonly model = new ServiceModel('@aws-sdk/client-sns', 'SNSClient');
  protected readonly operations: Record<string, OperationHandler> = {
    ListTopics: () => ({ Topics: [{ TopicArn: TOPIC }] }),
    GetTopicAttributes: (req: SandboxRequest) => ({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes><entry><key>TopicArn</key><value>${queryParams(req).get('TopicArn') ?? ''}</value></entry></Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></GetTopicAttributesResponse>`,
    }),
  };
}

const server = new SandboxServer();
server.register(new LegacyStyleSns());
let client: SNSClient;

beforeAll(async () => {
  const endpoint = await server.listen({ port: 0 });
  client = new SNSClient({ endpoint, region: 'us-east-1', credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
});
afterAll(() => server.close());

describe('operations written before the model path', () => {
  it('answer through the model when they return plain results', async () => {
    const { Topics } = await client.send(new ListTopicsCommand({}));
    expect(Topics).toEqual([{ TopicArn: TOPIC }]);
  });

  it('answer as rendered when they return a response, after the model has checked the request', async () => {
    const { Attributes } = await client.send(new GetTopicAttributesCommand({ TopicArn: TOPIC }));
    expect(Attributes).toEqual({ TopicArn: TOPIC });
    await expect(client.send(new GetTopicAttributesCommand({} as never))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
