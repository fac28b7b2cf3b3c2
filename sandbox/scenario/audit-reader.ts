import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { inTimeOrder, type StoredRecord } from '#shared/audit/reader.ts';
import type { AuditRecord } from '#shared/audit/record.ts';

/**
 * Every audit record of one finding, oldest first: by time (the table's sort key is
 * time-ordered), then by chain position, which orders the records one step appended together.
 */
export async function findingHistory(
  client: DynamoDBClient,
  table: string,
  findingId: string,
): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `FINDING#${findingId}` } },
        ExclusiveStartKey,
      }),
    );
    records.push(...(page.Items ?? []).map((i) => unmarshall(i) as AuditRecord));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return inTimeOrder(records as StoredRecord[]);
}

/** Every record in the trail (small sandboxes only: it scans). */
export async function allRecords(client: DynamoDBClient, table: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  let ExclusiveStartKey: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    records.push(...(page.Items ?? []).map((i) => unmarshall(i) as AuditRecord));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records.sort((a, b) => a.sk.localeCompare(b.sk));
}
