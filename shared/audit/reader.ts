import {
  type DynamoDBClient,
  ListTablesCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RemediationError } from '../errors.ts';
import type { AuditRecord } from './record.ts';
import { findingKey } from './record.ts';

/** A record as read back: the schema's fields plus the chain's. */
export type StoredRecord = AuditRecord & {
  seq?: number;
  prevHash?: string;
  hash?: string;
  mac?: string;
  expiresAt?: number;
};

/** The trail's tables. */
export interface TrailTables {
  readonly auditTable: string;
  readonly chainTable: string;
}

/** The audit trail could not be found or read. */
export class AuditTrailError extends RemediationError {
  override name = 'AuditTrailError';
}

/** The index that groups a resource's history (see infra/constructs/audit-trail.ts). */
const RESOURCE_INDEX = 'byResource';

/**
 * Find the trail's tables among the account's tables by their CloudFormation names
 * (`…AuditTrailTable<hash>…` and `…AuditTrailChainHeads<hash>…`), unless named.
 */
export async function findTrailTables(
  client: DynamoDBClient,
  named: Partial<TrailTables> = {},
): Promise<TrailTables> {
  if (named.auditTable && named.chainTable) return named as TrailTables;
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(page.TableNames ?? []));
    ExclusiveStartTableName = page.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  const pick = (pattern: RegExp, what: string, option: string) => {
    const found = names.filter((n) => pattern.test(n));
    if (found.length === 1) return found[0] as string;
    throw new AuditTrailError(
      found.length === 0
        ? `no ${what} table in this account and region: deploy the stack, or name it with ${option}`
        : `several ${what} tables (${found.join(', ')}): name one with ${option}`,
    );
  };
  return {
    auditTable: named.auditTable ?? pick(/AuditTrailTable[0-9A-F]{8}/, 'audit trail', '--table'),
    chainTable:
      named.chainTable ?? pick(/AuditTrailChainHeads[0-9A-F]{8}/, 'audit chain head', '--chain-table'),
  };
}

async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  let ExclusiveStartKey: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    records.push(...(page.Items ?? []).map((i) => unmarshall(i) as StoredRecord));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records;
}

async function scanAll(
  client: DynamoDBClient,
  input: ScanCommandInput,
  onPage?: (recordsSoFar: number) => void,
): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  let ExclusiveStartKey: ScanCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(new ScanCommand({ ...input, ExclusiveStartKey }));
    records.push(...(page.Items ?? []).map((i) => unmarshall(i) as StoredRecord));
    ExclusiveStartKey = page.LastEvaluatedKey;
    onPage?.(records.length);
  } while (ExclusiveStartKey);
  return records;
}

/** Oldest first: by time, then by chain position within a finding. */
export function inTimeOrder(records: readonly StoredRecord[]): StoredRecord[] {
  return [...records].sort(
    (a, b) => a.at.localeCompare(b.at) || a.pk.localeCompare(b.pk) || (a.seq ?? 0) - (b.seq ?? 0),
  );
}

/** Every record of one finding (its partition), oldest first. */
export async function recordsOfFinding(
  client: DynamoDBClient,
  tables: TrailTables,
  findingId: string,
): Promise<StoredRecord[]> {
  const pk =
    findingId.startsWith('FINDING#') || findingId.startsWith('EVENT#') ? findingId : findingKey(findingId);
  return inTimeOrder(
    await queryAll(client, {
      TableName: tables.auditTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    }),
  );
}

/**
 * A resource as the trail keys it, from an ARN or a bare id: `i-…` an instance, `sg-…` a
 * security group, `AKIA…`/`ASIA…` an access key, a bucket or trail ARN. `accountId` completes a
 * bare id. Returns the exact `byResource` key, or the fragment to search for when the key needs
 * what the caller cannot know (an access key's user name).
 */
export function resourceKeyOf(
  resource: string,
  accountId: string | undefined,
): { key: string } | { contains: string } {
  const arn = /^arn:aws[\w-]*:([\w-]+):([\w-]*):(\d{12})?:(.+)$/.exec(resource);
  if (arn) {
    const [, service, , account = accountId, rest = ''] = arn;
    const [type, ...id] = rest.split('/');
    const name = id.join('/');
    if (service === 'ec2' && type === 'instance') return keyed(account, 'Instance', name);
    if (service === 'ec2' && type === 'security-group') return keyed(account, 'SecurityGroup', name);
    if (service === 'cloudtrail' && type === 'trail') return keyed(account, 'Trail', name);
    if (service === 's3') return keyed(account, 'Bucket', rest);
    if (service === 'iam' && type === 'user') return { contains: `#AccessKey#${name}/` };
    return { contains: `#${rest}` };
  }
  if (/^i-[0-9a-f]{8,17}$/.test(resource)) return keyed(accountId, 'Instance', resource);
  if (/^sg-[0-9a-f]{8,17}$/.test(resource)) return keyed(accountId, 'SecurityGroup', resource);
  if (/^(AKIA|ASIA)[A-Z0-9]{12,124}$/.test(resource)) return { contains: `/${resource}` };
  return { contains: `#${resource}` };
}

function keyed(accountId: string | undefined, kind: string, id: string) {
  return accountId ? { key: `RESOURCE#${accountId}#${kind}#${id}` } : { contains: `#${kind}#${id}` };
}

/** Every record about one resource, across findings, oldest first. */
export async function recordsOfResource(
  client: DynamoDBClient,
  tables: TrailTables,
  resource: string,
  accountId: string | undefined,
): Promise<StoredRecord[]> {
  const where = resourceKeyOf(resource, accountId);
  if ('key' in where) {
    return inTimeOrder(
      await queryAll(client, {
        TableName: tables.auditTable,
        IndexName: RESOURCE_INDEX,
        KeyConditionExpression: 'resourceKey = :k',
        ExpressionAttributeValues: { ':k': { S: where.key } },
      }),
    );
  }
  return inTimeOrder(
    await scanAll(client, {
      TableName: tables.auditTable,
      FilterExpression: 'contains(resourceKey, :c)',
      ExpressionAttributeValues: { ':c': { S: where.contains } },
    }),
  );
}

/** Every record at or after `since`, oldest first (a scan: meant for exports, with progress). */
export async function recordsSince(
  client: DynamoDBClient,
  tables: TrailTables,
  since: Date,
  onPage?: (recordsSoFar: number) => void,
): Promise<StoredRecord[]> {
  return inTimeOrder(
    await scanAll(
      client,
      {
        TableName: tables.auditTable,
        FilterExpression: '#at >= :since',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':since': { S: since.toISOString() } },
      },
      onPage,
    ),
  );
}

/** `1h`, `30m`, `7d`, `90s` before `now`, or an ISO-8601 time. */
export function parseSince(text: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) {
    throw new AuditTrailError(
      `--since ${JSON.stringify(text)}: expected a duration such as 1h, 30m, 7d, or an ISO-8601 time`,
    );
  }
  return at;
}

/** Every record in the trail (for `audit verify` without a finding), with progress. */
export function allTrailRecords(
  client: DynamoDBClient,
  tables: TrailTables,
  onPage?: (recordsSoFar: number) => void,
): Promise<StoredRecord[]> {
  return scanAll(client, { TableName: tables.auditTable, ConsistentRead: true }, onPage);
}
