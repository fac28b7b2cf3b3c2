import {
  BatchGetItemCommand,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { chainHeadKey, recordHash } from './chain.ts';
import { type ChainVerdict, type StoredChainHead, verifyChain } from './chain-verify.ts';
import {
  AuditTrailError,
  allTrailRecords,
  recordsOfFinding,
  type StoredRecord,
  type TrailTables,
} from './reader.ts';
import type { RecordMac } from './record-mac.ts';

/** What `audit verify` checks, and how it reports progress. */
export interface VerifyTrailOptions {
  /** Only this finding's chain (a finding id, or a `FINDING#…`/`EVENT#…` key). */
  readonly finding?: string;
  readonly onProgress?: (line: string) => void;
  readonly now?: Date;
  /** VerifyMac calls in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** The verdicts, one per chain (by trail records or by chain head), and how many records were read. */
export interface TrailVerification {
  readonly verdicts: ChainVerdict[];
  readonly records: number;
}

const HEAD_PREFIX = 'CHAIN#';

/**
 * Verify the trail: every chain found in the audit table or in the chain head table (or one
 * finding's), each record's hash, link and MAC, and each head against its trail. A head whose
 * records are all gone, or that is behind its trail, is reported like a broken record.
 */
export async function verifyTrail(
  client: DynamoDBClient,
  tables: TrailTables,
  mac: RecordMac,
  options: VerifyTrailOptions = {},
): Promise<TrailVerification> {
  const progress = options.onProgress ?? (() => {});
  const records = options.finding
    ? await recordsOfFinding(client, tables, options.finding)
    : await allTrailRecords(client, tables, (n) => progress(`read ${n} record(s)…`));
  const byPk = new Map<string, StoredRecord[]>();
  for (const r of records) byPk.set(r.pk, [...(byPk.get(r.pk) ?? []), r]);
  let heads: Map<string, StoredChainHead>;
  if (options.finding) {
    const pk = findingPk(options.finding);
    heads = await chainHeads(client, tables.chainTable, [pk]);
    if (records.length === 0 && !heads.has(pk)) {
      throw new AuditTrailError(`no audit records for finding ${options.finding}`);
    }
    if (!byPk.has(pk)) byPk.set(pk, []);
  } else {
    heads = await allChainHeads(client, tables.chainTable);
    for (const pk of heads.keys()) if (!byPk.has(pk)) byPk.set(pk, []);
  }
  progress(`verifying the MACs of ${records.length} record(s)…`);
  const valid = await validMacs(records, mac, options.concurrency ?? 16);
  const verdicts = [...byPk.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([pk, list]) =>
      verifyChain(pk, list, heads.get(pk), { macValid: (r) => valid.has(r), now: options.now }),
    );
  return { verdicts, records: records.length };
}

function findingPk(finding: string): string {
  return finding.startsWith('FINDING#') || finding.startsWith('EVENT#') ? finding : `FINDING#${finding}`;
}

/**
 * The records whose MAC verifies. Records whose content no longer matches their hash are not
 * sent to KMS: the chain check reports them as edited before it asks about the MAC.
 */
async function validMacs(
  records: readonly StoredRecord[],
  mac: RecordMac,
  concurrency: number,
): Promise<Set<Record<string, unknown>>> {
  const valid = new Set<Record<string, unknown>>();
  const queue = records.filter(
    (r) => typeof r.hash === 'string' && typeof r.mac === 'string' && recordHash(r) === r.hash,
  );
  const worker = async () => {
    for (let r = queue.pop(); r; r = queue.pop()) {
      if (await mac.verify(r.hash as string, r.mac as string)) valid.add(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return valid;
}

/** Read the chain heads of `pks` (100 per BatchGetItem, unprocessed keys retried). */
async function chainHeads(
  client: DynamoDBClient,
  table: string,
  pks: readonly string[],
): Promise<Map<string, StoredChainHead>> {
  const heads = new Map<string, StoredChainHead>();
  for (let i = 0; i < pks.length; i += 100) {
    let keys: Record<string, { S: string }>[] | undefined = pks
      .slice(i, i + 100)
      .map((pk) => ({ pk: { S: chainHeadKey(pk) } }));
    for (let attempt = 0; keys && keys.length > 0 && attempt < 8; attempt++) {
      const out = await client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[table] ?? []) {
        const head = unmarshall(item) as StoredChainHead & { pk: string };
        heads.set(head.pk.slice(HEAD_PREFIX.length), head);
      }
      keys = out.UnprocessedKeys?.[table]?.Keys as typeof keys;
      if (keys?.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (keys?.length)
      throw new AuditTrailError(`could not read ${keys.length} chain heads: DynamoDB kept them unprocessed`);
  }
  return heads;
}

/** Every chain head (a scan of the chain table), by the partition key of its records. */
async function allChainHeads(client: DynamoDBClient, table: string): Promise<Map<string, StoredChainHead>> {
  const heads = new Map<string, StoredChainHead>();
  let ExclusiveStartKey: ScanCommandInput['ExclusiveStartKey'];
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }),
    );
    for (const item of page.Items ?? []) {
      const head = unmarshall(item) as StoredChainHead & { pk: string };
      if (head.pk.startsWith(HEAD_PREFIX)) heads.set(head.pk.slice(HEAD_PREFIX.length), head);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return heads;
}
