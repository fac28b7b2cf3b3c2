import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from '#sandbox/index.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.start({ port: 0, deploy: false });
});
afterAll(() => sandbox?.stop());

const createTable = (client: DynamoDBClient, name: string) =>
  client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
const tablesOf = async (client: DynamoDBClient) =>
  (await client.send(new ListTablesCommand({}))).TableNames ?? [];

describe('DynamoDB tables belong to an account and a region', () => {
  it('lists and serves a table only in its own account and region; the same name lives elsewhere apart', async () => {
    const home = sandbox.clientsFor('444455556666', 'us-east-1').dynamodb;
    const otherRegion = sandbox.clientsFor('444455556666', 'eu-west-1').dynamodb;
    const otherAccount = sandbox.clientsFor('777788889999', 'us-east-1').dynamodb;

    await createTable(home, 'audit');
    await home.send(new PutItemCommand({ TableName: 'audit', Item: { pk: { S: 'home' } } }));

    expect(await tablesOf(home)).toEqual(['audit']);
    expect(await tablesOf(otherRegion)).toEqual([]);
    expect(await tablesOf(otherAccount)).toEqual([]);
    await expect(
      otherRegion.send(new GetItemCommand({ TableName: 'audit', Key: { pk: { S: 'home' } } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    await createTable(otherRegion, 'audit');
    const there = await otherRegion.send(
      new GetItemCommand({ TableName: 'audit', Key: { pk: { S: 'home' } } }),
    );
    expect(there.Item).toBeUndefined();
    const here = await home.send(new GetItemCommand({ TableName: 'audit', Key: { pk: { S: 'home' } } }));
    expect(here.Item?.pk?.S).toBe('home');
  });
});
