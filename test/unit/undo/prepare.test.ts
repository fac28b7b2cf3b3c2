import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, type ExecutionStatus, SFNClient } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareUndo } from '#shared/undo/prepare.ts';

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBClient);
afterEach(() => {
  sfn.reset();
  dynamodb.reset();
});

/** A disable-access-key run as the sandbox recorded it (test/unit/undo/fixtures). */
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/disable-access-key.json'), 'utf8'),
) as { executionArn: string; status: ExecutionStatus; input: unknown; records: Record<string, unknown>[] };

describe('prepareUndo, as the plan-undo function runs it', () => {
  it("reads the execution and its trail, and plans from the playbook's facts loaded by name", async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: fixture.status,
      input: JSON.stringify(fixture.input),
      executionArn: fixture.executionArn,
    });
    dynamodb
      .on(QueryCommand)
      .resolves({ Items: fixture.records.map((r) => marshall(r, { removeUndefinedValues: true })) });

    const state = await prepareUndo(
      { request: { executionArn: fixture.executionArn }, mode: 'approve', auditTable: 'audit' },
      { sfn: new SFNClient({}), dynamodb: new DynamoDBClient({}) },
    );

    expect(state.plan).toMatchObject({
      outcome: 'planned',
      playbook: 'disable-access-key',
      actions: [{ type: 'UntagUser' }, { type: 'DeleteUserPolicy' }, { type: 'UpdateAccessKey' }],
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: fixture.executionArn,
    });
  });

  it('refuses an execution of a playbook this product does not ship, saying it has no undo', async () => {
    const input = fixture.input as { decision: Record<string, unknown> };
    const other = { ...input, decision: { ...input.decision, playbook: 'format-hard-drive' } };
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: JSON.stringify(other) });
    dynamodb.on(QueryCommand).resolves({ Items: [] });

    const state = await prepareUndo(
      { request: { executionArn: fixture.executionArn }, mode: 'auto', auditTable: 'audit' },
      { sfn: new SFNClient({}), dynamodb: new DynamoDBClient({}) },
    );

    expect(state.plan).toMatchObject({ outcome: 'refused', code: 'not-undoable' });
  });
});
