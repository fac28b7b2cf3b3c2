import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionEnded } from './approval-helpers.ts';
import { approvalIdFor, controlFinding, startPlaybook } from './control-helpers.ts';
import { type StackHarness, startStack } from './harness.ts';
import { type UndoDesk, undoDesk } from './undo-helpers.ts';

let h: StackHarness;
let desk: UndoDesk;
beforeAll(async () => {
  h = await startStack();
  desk = await undoDesk(h, 'oncall-dynamodb');
}, 120_000);
afterAll(async () => {
  desk?.close();
  await h?.stop();
});

const dynamodb = () => h.sandbox.clients.dynamodb;
async function createTable(TableName: string) {
  await dynamodb().send(
    new CreateTableCommand({
      TableName,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
const table = async (TableName: string) =>
  (await dynamodb().send(new DescribeTableCommand({ TableName }))).Table;
const updates = () => h.sandbox.server.calls.filter((c) => c.operation === 'UpdateTable').length;

/** Security Hub's DynamoDB.6 finding about table `name`. */
const dynamoDbDot6Finding = (name: string, suffix: string) =>
  controlFinding({
    control: 'DynamoDB.6',
    title: 'DynamoDB tables should have deletion protection enabled',
    resourceType: 'AwsDynamoDbTable',
    resourceId: `arn:aws:dynamodb:us-east-1:111122223333:table/${name}`,
    suffix,
  });

describe('protect-dynamodb-table (Security Hub DynamoDB.6), end to end through the sandbox', () => {
  it('turns deletion protection on for that table only, verified, DeleteTable refused, and undo turns it off again', async () => {
    await createTable('orders');
    await createTable('reports');
    const before = await table('orders');
    const other = await table('reports');
    const { event, id } = dynamoDbDot6Finding('orders', '000000000d06');

    await h.put(event);

    expect(await table('orders')).toEqual({ ...before, DeletionProtectionEnabled: true });
    expect(await table('reports')).toEqual(other);
    await expect(dynamodb().send(new DeleteTableCommand({ TableName: 'orders' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const trail = await h.history(id);
    expect(trail.map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateTable', 'succeeded'],
      ['Verify', 'verified'],
      ['Complete', 'contained'],
    ]);
    expect(JSON.parse(trail[1]?.before as string)).toEqual({ DeletionProtectionEnabled: false });
    expect(JSON.parse(trail[2]?.after as string)).toEqual({ DeletionProtectionEnabled: true });

    const playbookRun = trail.find((r) => r.actor.startsWith('playbook/'))?.executionArn as string;
    const { ended } = await desk.approved(id, { executionArn: playbookRun, reason: 'test' });
    expect(ended.status).toBe('SUCCEEDED');

    expect(await table('orders')).toEqual(before);
    await dynamodb().send(new DeleteTableCommand({ TableName: 'orders' }));
  });

  it('in dry-run records the change it would make and changes nothing', async () => {
    await createTable('ledger');
    const before = await table('ledger');
    const calls = updates();
    const { event, id } = dynamoDbDot6Finding('ledger', '00000000d061');

    expect(
      (await executionEnded(h, await startPlaybook(h, 'protect-dynamodb-table', event, 'dry-run'))).status,
    ).toBe('SUCCEEDED');

    expect(updates()).toBe(calls);
    expect(await table('ledger')).toEqual(before);
    const [plan] = await h.history(id);
    expect([plan?.action, plan?.outcome]).toEqual(['Plan', 'planned']);
    expect(JSON.parse(plan?.details as string).actions).toEqual([
      { action: 'UpdateTable', tableName: 'ledger', DeletionProtectionEnabled: true },
    ]);
  });

  it('in approve mode changes nothing until approved, then turns protection on', async () => {
    await createTable('invoices');
    const { event, id } = dynamoDbDot6Finding('invoices', '00000000d062');
    const run = await startPlaybook(h, 'protect-dynamodb-table', event, 'approve');

    const approval = await approvalIdFor(h, id, 'protect-dynamodb-table: approval required');
    expect((await table('invoices'))?.DeletionProtectionEnabled).toBe(false);
    await desk.oncall.decide(approval, 'approve', 'test');

    expect((await executionEnded(h, run)).status).toBe('SUCCEEDED');
    expect((await table('invoices'))?.DeletionProtectionEnabled).toBe(true);
  });

  it('a table already protected is recorded and left as it is', async () => {
    await createTable('archive');
    await dynamodb().send(new UpdateTableCommand({ TableName: 'archive', DeletionProtectionEnabled: true }));
    const calls = updates();
    const { event, id } = dynamoDbDot6Finding('archive', '00000000d063');

    await h.put(event);

    expect(updates()).toBe(calls);
    expect((await h.history(id)).map((r) => [r.action, r.outcome])).toEqual([
      ['classify', 'routed'],
      ['UpdateTable', 'skipped'],
    ]);
  });
});
