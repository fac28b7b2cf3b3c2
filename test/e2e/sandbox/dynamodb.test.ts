import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateTableCommand,
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

describe('DynamoDB deletion protection', () => {
  it('is off on a new table, is turned on and off by UpdateTable, and refuses DeleteTable while on', async () => {
    const client = sandbox.clientsFor('444455556666', 'us-east-1').dynamodb;
    await createTable(client, 'orders');
    const described = async () =>
      (await client.send(new DescribeTableCommand({ TableName: 'orders' }))).Table?.DeletionProtectionEnabled;
    expect(await described()).toBe(false);

    const on = await client.send(
      new UpdateTableCommand({ TableName: 'orders', DeletionProtectionEnabled: true }),
    );
    expect(on.TableDescription?.DeletionProtectionEnabled).toBe(true);
    expect(await described()).toBe(true);
    await expect(client.send(new DeleteTableCommand({ TableName: 'orders' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });

    await client.send(new UpdateTableCommand({ TableName: 'orders', DeletionProtectionEnabled: false }));
    expect(await described()).toBe(false);
    await client.send(new DeleteTableCommand({ TableName: 'orders' }));
    expect(await tablesOf(client)).not.toContain('orders');
  });

  it('answers ResourceNotFoundException for a table that does not exist', async () => {
    const client = sandbox.clientsFor('444455556666', 'us-east-1').dynamodb;
    await expect(
      client.send(new UpdateTableCommand({ TableName: 'missing', DeletionProtectionEnabled: true })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
