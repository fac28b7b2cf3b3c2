import { randomBytes } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigurationError, RemediationError } from '../errors.ts';
import { ChainContentionError, type ChainTables } from './chain.ts';
import type { AuditRecord } from './record.ts';

/** A record once the appender has put it in the trail: its position and hash in the chain. */
export type AppendedRecord = AuditRecord & { readonly seq: number; readonly hash: string };

/** The trail's appender failed to append a record; `errorType` is the appender's error name. */
export class AuditAppendError extends RemediationError {
  override name = 'AuditAppendError';
  constructor(
    message: string,
    readonly errorType: string,
  ) {
    super(message);
  }
}

/**
 * Appends records to the audit trail through its one appender (`functions/audit-append`), which
 * alone may write the trail and MAC its records: the functions that audit hold `lambda:Invoke`
 * on it, not write access to the tables or the MAC key.
 */
export class AuditWriter {
  private sequence = 0;
  constructor(
    private readonly lambda: LambdaClient,
    /** The appender's function name or ARN. */
    private readonly appender: string,
    /** Called with each record once it is in the trail (the caller's own metrics). */
    private readonly onAppend?: (record: AppendedRecord) => void,
  ) {}

  /**
   * Append one record. `sk` gets a per-writer sequence and a random suffix, so two records in one
   * millisecond, from one writer or two, never share a key (a shared key would read as a retry).
   */
  async append(record: Omit<AuditRecord, 'sk'> & { sk?: string }): Promise<AppendedRecord> {
    this.sequence = (this.sequence + 1) % 1_000_000;
    const sk =
      record.sk ??
      `${record.at}#${record.action}#${String(this.sequence).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
    const full = { ...record, sk } as AuditRecord;
    // The caller counts its records' metrics itself (under its own service name), not the appender.
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.appender,
        Payload: new TextEncoder().encode(JSON.stringify({ record: full, metrics: false })),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) {
      const failure = safeJson(text) as { errorType?: string; errorMessage?: string } | undefined;
      const type = failure?.errorType ?? out.FunctionError;
      const message = `the audit appender failed (${type}): ${failure?.errorMessage ?? text}`;
      // The playbooks retry a moving chain head by this name; a writer's caller may too.
      if (type === 'ChainContentionError') throw new ChainContentionError(message);
      throw new AuditAppendError(message, type);
    }
    const appended = safeJson(text) as { seq?: unknown; hash?: unknown } | undefined;
    if (typeof appended?.seq !== 'number' || typeof appended.hash !== 'string') {
      throw new AuditAppendError(`the audit appender answered without a position: ${text}`, 'BadResponse');
    }
    const result: AppendedRecord = { ...full, seq: appended.seq, hash: appended.hash };
    this.onAppend?.(result);
    return result;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: the caller reports the raw text
  }
}

/** The appender's function name, which every writer reads from its environment. */
export function appenderFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const name = env.AUDIT_APPENDER_FUNCTION;
  if (!name) {
    throw new ConfigurationError('the audit trail is misconfigured: AUDIT_APPENDER_FUNCTION is required');
  }
  return name;
}

/** The appender's chain settings and MAC key, from its environment. */
export function chainTablesFromEnv(env: NodeJS.ProcessEnv = process.env): ChainTables & { macKeyId: string } {
  const auditTable = env.AUDIT_TABLE;
  const chainTable = env.CHAIN_TABLE;
  const macKeyId = env.AUDIT_MAC_KEY;
  const retentionDays = Number(env.AUDIT_RETENTION_DAYS);
  if (!auditTable || !chainTable || !macKeyId || !Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new ConfigurationError(
      'the audit trail is misconfigured: AUDIT_TABLE, CHAIN_TABLE, AUDIT_MAC_KEY and a positive AUDIT_RETENTION_DAYS are required',
    );
  }
  return { auditTable, chainTable, retentionDays, macKeyId };
}
