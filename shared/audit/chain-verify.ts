import { GENESIS, recordHash } from './chain.ts';

/** Why a chain does not verify, naming the first record that breaks it. */
export interface ChainBreak {
  /** The sort key of the first broken record (or of the last good one, when records are missing at the end). */
  readonly sk: string;
  readonly seq: number | undefined;
  readonly action: string | undefined;
  readonly reason: string;
}

/** The verdict on one finding's chain. */
export interface ChainVerdict {
  readonly pk: string;
  readonly records: number;
  readonly ok: boolean;
  readonly broken?: ChainBreak;
  /** Every record is past its retention; TTL deletion may have removed some, which is not tampering. */
  readonly expired?: boolean;
}

/** A chain head as read from the chain table. */
export interface StoredChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly recordsExpireAt?: number;
  readonly pending?: string;
}

/** How {@link verifyChain} checks records beyond their hashes. */
export interface VerifyChainOptions {
  /** Whether the record's `mac` verifies with the trail's key (checked beforehand: KMS is remote). */
  readonly macValid: (record: Record<string, unknown>) => boolean;
  readonly now?: Date;
}

/**
 * Check one finding's chain: `records` as read from the trail (any order), `head` as read from
 * the chain table (undefined when absent). Names the first record, in chain order, that breaks it.
 */
export function verifyChain(
  pk: string,
  records: readonly Record<string, unknown>[],
  head: StoredChainHead | undefined,
  options: VerifyChainOptions,
): ChainVerdict {
  const now = options.now ?? new Date();
  const bySeq = [...records].sort(
    (a, b) => Number(a.seq ?? Number.MAX_SAFE_INTEGER) - Number(b.seq ?? Number.MAX_SAFE_INTEGER),
  );
  const at = (r: Record<string, unknown> | undefined) => ({
    sk: String(r?.sk ?? ''),
    seq: typeof r?.seq === 'number' ? r.seq : undefined,
    action: typeof r?.action === 'string' ? r.action : undefined,
  });
  const fail = (r: Record<string, unknown> | undefined, reason: string): ChainVerdict => {
    const expired = records.length > 0 && records.every((x) => Number(x.expiresAt) * 1000 < now.getTime());
    return { pk, records: records.length, ok: false, broken: { ...at(r), reason }, expired };
  };
  if (records.length === 0) return headWithoutRecords(pk, head, now);
  const unchained = bySeq.find(
    (r) => typeof r.seq !== 'number' || typeof r.hash !== 'string' || typeof r.mac !== 'string',
  );
  if (unchained)
    return fail(unchained, 'record is not chained (no seq, hash or MAC): written outside the trail appender');
  let prev = GENESIS;
  for (const [i, record] of bySeq.entries()) {
    if (record.seq !== i + 1) {
      return Number(record.seq) > i + 1
        ? fail(record, `record ${i + 1} is missing before it (this record is ${record.seq})`)
        : fail(record, `seq ${record.seq} appears twice`);
    }
    if (record.prevHash !== prev) {
      return fail(
        record,
        'its prevHash does not match the record before it: a record was edited, removed or reordered',
      );
    }
    if (recordHash(record) !== record.hash) {
      return fail(record, 'its content does not match its hash: the record was edited');
    }
    if (!options.macValid(record)) {
      return fail(
        record,
        "its MAC does not verify with the trail's key: the record was rewritten outside the trail appender",
      );
    }
    prev = record.hash;
  }
  const last = bySeq.at(-1);
  const lastSeq = Number(last?.seq ?? 0);
  if (!head) return fail(bySeq[0], 'the chain head is missing');
  if (head.seq > lastSeq) {
    const pending =
      head.pending && head.seq === lastSeq + 1
        ? ' (the head still holds it as pending: a write in progress, a writer that stopped, or a deletion)'
        : '';
    return fail(
      last,
      `the chain head is at ${head.seq}, the trail ends at ${lastSeq}: record ${lastSeq + 1} is missing after this one${pending}`,
    );
  }
  if (head.seq < lastSeq) {
    // The appender moves the head before it writes a record, so the trail is never ahead of it.
    return fail(
      bySeq[head.seq],
      `the chain head is at ${head.seq}, behind the trail, which goes on to ${lastSeq}: the head was moved back`,
    );
  }
  if (head.hash !== prev) {
    return fail(last, "the chain head's hash does not match the last record: it was edited or replaced");
  }
  return { pk, records: records.length, ok: true };
}

/**
 * A chain with no records in the trail: fine once its records are past retention (TTL deletes
 * them, the head a day later); otherwise every record of the finding was deleted.
 */
function headWithoutRecords(pk: string, head: StoredChainHead | undefined, now: Date): ChainVerdict {
  if (!head) return { pk, records: 0, ok: true };
  if (head.recordsExpireAt !== undefined && head.recordsExpireAt * 1000 < now.getTime()) {
    return { pk, records: 0, ok: true, expired: true };
  }
  const pending = head.seq === 1 && head.pending ? parsePending(head.pending) : undefined;
  return {
    pk,
    records: 0,
    ok: false,
    broken: {
      sk: typeof pending?.sk === 'string' ? pending.sk : '',
      seq: 1,
      action: typeof pending?.action === 'string' ? pending.action : undefined,
      reason: pending
        ? 'the chain head holds record 1 as pending and the trail has none of its records: a write in progress, a writer that stopped, or a deletion'
        : `the chain head is at ${head.seq} but the trail has none of its records: they were deleted`,
    },
  };
}

function parsePending(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined; // a head edited into nonsense: reported as deleted records all the same
  }
}
