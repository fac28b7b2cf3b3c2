import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { appendChained, type ChainedRecord, type ChainTables } from './chain.ts';
import type { AuditRecord } from './record.ts';

/**
 * Appends records to the audit trail, each linked into its finding's hash chain
 * (`shared/audit/chain.ts`). Records are only ever created (conditional put); the chain's head,
 * in the separate mutable table, is the only item updated.
 */
export class AuditWriter {
  private sequence = 0;
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: ChainTables,
    /** Called with each record once it is in the trail (the functions' metrics). */
    private readonly onAppend?: (record: ChainedRecord) => void,
  ) {}

  /**
   * Append one record. `sk` gets a per-writer sequence and a random suffix, so two records in one
   * millisecond, from one writer or two, never share a key (a shared key would read as a retry).
   */
  async append(record: Omit<AuditRecord, 'sk'> & { sk?: string }): Promise<ChainedRecord> {
    this.sequence = (this.sequence + 1) % 1_000_000;
    const sk =
      record.sk ??
      `${record.at}#${record.action}#${String(this.sequence).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
    const chained = await appendChained(this.client, this.tables, { ...record, sk } as AuditRecord);
    this.onAppend?.(chained);
    return chained;
  }
}

/** The chain settings every writer reads from its environment. */
export function chainTablesFromEnv(env: NodeJS.ProcessEnv = process.env): ChainTables {
  const auditTable = env.AUDIT_TABLE;
  const chainTable = env.CHAIN_TABLE;
  const retentionDays = Number(env.AUDIT_RETENTION_DAYS);
  if (!auditTable || !chainTable || !Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new Error(
      'the audit trail is misconfigured: AUDIT_TABLE, CHAIN_TABLE and a positive AUDIT_RETENTION_DAYS are required',
    );
  }
  return { auditTable, chainTable, retentionDays };
}
