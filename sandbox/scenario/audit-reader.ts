import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditRecord } from '#shared/audit/record.ts';

/** Every audit record of one finding, oldest first (the table's sort key is time-ordered). */
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
  return records;
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
