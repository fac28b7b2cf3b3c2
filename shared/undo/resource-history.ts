import type { AttributeValue, DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { handedOver } from './follow-ups.ts';
import type { ResourceHistory } from './plan.ts';
import { type TrailRecord, TrailRecordSchema } from './trail.ts';

/** The audit table's index of one resource's history (infra/constructs/audit-trail.ts). */
const RESOURCE_INDEX = 'byResource';

/** What reading a resource's history calls. */
export interface ResourceHistoryDeps {
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
}

async function queryAll(
  dynamodb: ResourceHistoryDeps['dynamodb'],
  input: QueryCommandInput,
): Promise<TrailRecord[]> {
  const records: TrailRecord[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    records.push(...(page.Items ?? []).map((item) => TrailRecordSchema.parse(unmarshall(item))));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records;
}

/** Every record under one finding's audit partition, strongly consistent. */
export function findingRecords(
  dynamodb: ResourceHistoryDeps['dynamodb'],
  table: string,
  pk: string,
): Promise<TrailRecord[]> {
  return queryAll(dynamodb, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: pk } },
    ConsistentRead: true,
  });
}

/**
 * Every record about one resource, any finding's (the `byResource` index), and the status of
 * each follow-up execution handed over on it. A global secondary index is read eventually
 * consistent only (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Reading):
 * a record written within the last second may be missing, which matters only for two undos of
 * one resource started together.
 */
export async function resourceHistory(
  deps: ResourceHistoryDeps,
  table: string,
  resourceKey: string,
): Promise<ResourceHistory> {
  const records = await queryAll(deps.dynamodb, {
    TableName: table,
    IndexName: RESOURCE_INDEX,
    KeyConditionExpression: 'resourceKey = :k',
    ExpressionAttributeValues: { ':k': { S: resourceKey } },
  });
  const followUpStatus: Record<string, string> = {};
  for (const { executionArn } of handedOver(records)) {
    followUpStatus[executionArn] ??= await statusOf(deps.sfn, executionArn);
  }
  return { records, followUpStatus };
}

/** DescribeExecution's status, or `UNKNOWN` when there is no such execution any more. */
async function statusOf(sfn: ResourceHistoryDeps['sfn'], executionArn: string): Promise<string> {
  try {
    return (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
  } catch (error) {
    // Executions are kept 90 days after they end; an older follow-up has long stopped waiting.
    if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return 'UNKNOWN';
    throw error;
  }
}
