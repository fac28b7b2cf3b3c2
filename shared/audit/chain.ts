import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import canonicalize from 'canonicalize';
import { type AuditRecord, AuditRecordSchema } from './record.ts';
import type { RecordMac } from './record-mac.ts';

/**
 * Tamper evidence for the audit trail: every finding's records form a hash chain.
 *
 * Each record carries `seq` (1, 2, 3, … within its partition), `prevHash` (the hash of record
 * `seq - 1`, or {@link GENESIS} for the first), `hash`: SHA-256 of the record's canonical JSON
 * (RFC 8785) without `hash` and `mac`, and `mac`: an HMAC of that hash computed in AWS KMS
 * (`record-mac.ts`). Editing a record breaks its hash; recomputing the hashes breaks the MAC, which
 * needs a key the table permissions do not give; deleting one leaves a gap in `seq` and a
 * `prevHash` that points nowhere; reordering changes `seq` or `prevHash`, both MACed.
 *
 * Appending is lock-free and crash-safe without transactions. The chain's head lives in the
 * mutable counters table (`pk` = `CHAIN#<record pk>`), holding the last `seq`, its `hash` and the
 * record itself (`pending`) until it is in the trail:
 *   1. read the head; if its pending record is not in the trail yet, put it (helping a writer that
 *      stopped between its two steps);
 *   2. claim `seq + 1` with a conditional update of the head, storing the new record as pending;
 *      a concurrent writer that claimed first makes the condition fail, and we start again;
 *   3. put the record (conditional on its key being new), then clear `pending` if the head is
 *      still at our `seq`.
 * The head is the only item ever updated; the trail's records are only ever created.
 */
export const GENESIS = '0'.repeat(64);

/** The fields a chain adds to a record. */
export interface ChainFields {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** HMAC (base64) of `hash`, computed in AWS KMS with the trail's key. */
  readonly mac: string;
  /** Epoch seconds after which DynamoDB's TTL may delete the record; one value per finding, so a chain expires whole. */
  readonly expiresAt: number;
}

export type ChainedRecord = AuditRecord & ChainFields;

/** Where a chain lives. */
export interface ChainTables {
  /** The append-only audit table. */
  readonly auditTable: string;
  /** The mutable table (key `pk`) holding each chain's head. */
  readonly chainTable: string;
  /** How long records are kept, in days (DynamoDB TTL). */
  readonly retentionDays: number;
}

/** The head item's key for the chain of records whose partition key is `pk`. */
export function chainHeadKey(pk: string): string {
  return `CHAIN#${pk}`;
}

/** SHA-256 (hex) of the record's canonical JSON, every field but `hash` and `mac`. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _hash, mac: _mac, ...rest } = record;
  const text = canonicalize(rest);
  if (text === undefined) throw new TypeError('audit record cannot be canonicalized');
  return createHash('sha256').update(text).digest('hex');
}

/** The head of one chain, as stored. */
interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  /** The expiry every record of this chain carries. */
  readonly recordsExpireAt: number;
  /** JSON of the record claimed as `seq`, until it is certainly in the trail. */
  readonly pending?: string;
}

/** A writer gave up: the chain head kept moving under it. */
export class ChainContentionError extends Error {
  override readonly name = 'ChainContentionError';
}

/**
 * Append `record` to its finding's chain. Idempotent on the record's key: when a record with the
 * same `pk` and `sk` is already in the trail (a retried step), that record is returned unchanged.
 */
export async function appendChained(
  client: DynamoDBClient,
  tables: ChainTables,
  record: AuditRecord,
  mac: RecordMac,
  options: { maxAttempts?: number; now?: () => Date } = {},
): Promise<ChainedRecord> {
  const parsed = AuditRecordSchema.parse(record);
  const headKey = marshall({ pk: chainHeadKey(parsed.pk) });
  const maxAttempts = options.maxAttempts ?? 25;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const got = await client.send(
      new GetItemCommand({ TableName: tables.chainTable, Key: headKey, ConsistentRead: true }),
    );
    const head = got.Item ? (unmarshall(got.Item) as ChainHead) : undefined;
    if (head?.pending) {
      try {
        await putIfNew(client, tables.auditTable, JSON.parse(head.pending));
      } catch {
        // Its own writer failed too and said so (its step failed). The chain moves on; verify
        // names the missing record rather than every later writer failing behind it.
      }
    }
    // A retried append whose record is already in (written by us earlier, or by a helper above).
    const existing = await getRecord(client, tables.auditTable, parsed.pk, parsed.sk);
    if (existing) return existing as unknown as ChainedRecord;

    const now = options.now?.() ?? new Date();
    const expiresAt =
      head?.recordsExpireAt ?? Math.floor(now.getTime() / 1000) + Math.round(tables.retentionDays * 86_400);
    const unsealed = {
      ...parsed,
      seq: (head?.seq ?? 0) + 1,
      prevHash: head?.hash ?? GENESIS,
      expiresAt,
    };
    const hash = recordHash(unsealed);
    const chained: ChainedRecord = { ...unsealed, hash, mac: await mac.sign(hash) };
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tables.chainTable,
          Key: headKey,
          UpdateExpression:
            'SET #seq = :seq, #hash = :hash, #records = :records, #exp = :exp, #pending = :pending',
          ConditionExpression: head ? '#seq = :prev' : 'attribute_not_exists(pk)',
          ExpressionAttributeNames: {
            '#seq': 'seq',
            '#hash': 'hash',
            '#records': 'recordsExpireAt',
            '#exp': 'expiresAt',
            '#pending': 'pending',
          },
          ExpressionAttributeValues: marshall({
            ':seq': chained.seq,
            ':hash': chained.hash,
            ':records': expiresAt,
            // The head outlives its chain by a day, so a late append never restarts an expired chain.
            ':exp': expiresAt + 86_400,
            ':pending': JSON.stringify(chained),
            ...(head && { ':prev': head.seq }),
          }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) continue; // another writer claimed it
      throw error;
    }
    await putIfNew(client, tables.auditTable, { ...chained });
    // The record is in: a pending record left in the head would mean a writer stopped, or a deletion.
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tables.chainTable,
          Key: headKey,
          UpdateExpression: 'REMOVE #pending',
          ConditionExpression: '#seq = :seq',
          ExpressionAttributeNames: { '#pending': 'pending', '#seq': 'seq' },
          ExpressionAttributeValues: marshall({ ':seq': chained.seq }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // a later writer moved on
    }
    return chained;
  }
  throw new ChainContentionError(
    `audit chain ${parsed.pk} kept moving: gave up after ${maxAttempts} attempts to append ${parsed.action}`,
  );
}

async function getRecord(
  client: DynamoDBClient,
  table: string,
  pk: string,
  sk: string,
): Promise<Record<string, unknown> | undefined> {
  const got = await client.send(
    new GetItemCommand({ TableName: table, Key: marshall({ pk, sk }), ConsistentRead: true }),
  );
  return got.Item ? unmarshall(got.Item) : undefined;
}

/** Put a record unless its key exists (then it is the same record, put by another writer). */
async function putIfNew(
  client: DynamoDBClient,
  table: string,
  record: Record<string, unknown>,
): Promise<void> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: marshall(record, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
