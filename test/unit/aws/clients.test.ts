import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { clientConfig, onFirstUse } from '#shared/aws-clients.ts';

describe('onFirstUse', () => {
  it('makes the client only when it is first used, once, and sends through it', async () => {
    const mock = mockClient(DynamoDBClient);
    mock.on(ListTablesCommand).resolves({ TableNames: ['t'] });
    let made = 0;
    const client = onFirstUse(() => {
      made++;
      return new DynamoDBClient({ ...clientConfig(), region: 'us-east-1' });
    });
    expect(made).toBe(0);
    const first = await client.send(new ListTablesCommand({}));
    await client.send(new ListTablesCommand({}));
    expect(first.TableNames).toEqual(['t']);
    expect(made).toBe(1);
    mock.restore();
  });
});
