import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS, recordHash } from '#shared/audit/chain.ts';
import { type StoredChainHead, verifyChain } from '#shared/audit/chain-verify.ts';
import { macMessage } from '#shared/audit/record-mac.ts';

const PK = 'FINDING#f1';
/** Stands in for the KMS key: the test computes the same RFC 2104 HMAC KMS would. */
const KEY = Buffer.from('trail-key-held-by-kms-only');
const macOf = (hash: string, key: Uint8Array = KEY) =>
  createHmac('sha256', key).update(macMessage(hash)).digest('base64');
const options = { macValid: (r: Record<string, unknown>) => r.mac === macOf(String(r.hash)) };
const verify = (records: readonly Record<string, unknown>[], head: StoredChainHead | undefined, now?: Date) =>
  verifyChain(PK, records, head, { ...options, now });

/** A well-formed chain of `n` records, as the appender writes them. */
function chain(n: number, expiresAt = 4_000_000_000) {
  const records: Record<string, unknown>[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const unsealed = {
      pk: PK,
      sk: `2026-11-24T00:00:0${i}.000Z#Step${i}#succeeded`,
      resourceKey: 'RESOURCE#111122223333#Instance#i-0abc',
      at: `2026-11-24T00:00:0${i}.000Z`,
      actor: 'playbook/quarantine-instance',
      action: `Step${i}`,
      outcome: 'succeeded',
      before: JSON.stringify({ groups: ['sg-1', 'sg-2'], n: i }),
      seq: i,
      prevHash: prev,
      expiresAt,
    };
    const hash = recordHash(unsealed);
    records.push({ ...unsealed, hash, mac: macOf(hash) });
    prev = hash;
  }
  const last = records.at(-1) as { seq: number; hash: string };
  return { records, head: { seq: last.seq, hash: last.hash, recordsExpireAt: expiresAt } };
}

/**
 * What a writer with table access but no key can do: rewrite record `from` and relink every
 * later one (SHA-256 needs no key), keeping the old MACs or making its own with another key.
 */
function rewriteFrom(records: Record<string, unknown>[], from: number, forgedKey?: Buffer) {
  let prev = from === 1 ? GENESIS : String(records[from - 2]?.hash);
  for (const r of records.slice(from - 1)) {
    r.prevHash = prev;
    r.hash = recordHash(r);
    if (forgedKey) r.mac = macOf(String(r.hash), forgedKey);
    prev = String(r.hash);
  }
  return { seq: records.length, hash: prev };
}

describe('verifyChain', () => {
  it('accepts an intact chain in any read order', () => {
    const { records, head } = chain(5);
    expect(verify([...records].reverse(), head)).toEqual({ pk: PK, records: 5, ok: true });
  });

  it('hashes canonical JSON: attribute order does not matter, any value change does', () => {
    const { records } = chain(1);
    const r = records[0] as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(r).reverse());
    expect(recordHash(reordered)).toBe(r.hash);
    expect(recordHash({ ...r, before: JSON.stringify({ groups: ['sg-1'], n: 1 }) })).not.toBe(r.hash);
    // The MAC is not part of what is hashed (it is computed from the hash).
    expect(recordHash({ ...r, mac: 'other' })).toBe(r.hash);
  });

  it('names record 1 when it is rewritten and every later hash and the head recomputed', () => {
    const { records } = chain(4);
    (records[0] as Record<string, unknown>).outcome = 'skipped';
    const head = rewriteFrom(records, 1);
    expect(verify(records, head)).toMatchObject({
      ok: false,
      broken: { seq: 1, action: 'Step1', reason: expect.stringMatching(/MAC does not verify/) },
    });
    // A MAC made with any other key does no better.
    const again = chain(4).records;
    (again[0] as Record<string, unknown>).outcome = 'skipped';
    const forgedHead = rewriteFrom(again, 1, Buffer.from('attacker key'));
    expect(verify(again, forgedHead).broken).toMatchObject({ seq: 1, reason: expect.stringMatching(/MAC/) });
  });

  it('names a rewritten newest record behind a head rolled back one step, and a head rolled back alone', () => {
    const { records, head } = chain(4);
    const rolledBack = { ...head, seq: 3, hash: String(records[2]?.hash) };
    expect(verify(records, rolledBack).broken).toMatchObject({
      seq: 4,
      reason: expect.stringMatching(/head is at 3, behind the trail, which goes on to 4/),
    });
    (records[3] as Record<string, unknown>).outcome = 'skipped';
    rewriteFrom(records, 4);
    expect(verify(records, rolledBack).broken).toMatchObject({
      seq: 4,
      reason: expect.stringMatching(/MAC does not verify/),
    });
  });

  it('reports a head whose records were all deleted, unless they are past retention', () => {
    const { head } = chain(3);
    expect(verify([], head)).toMatchObject({
      ok: false,
      records: 0,
      broken: {
        seq: 1,
        reason: 'the chain head is at 3 but the trail has none of its records: they were deleted',
      },
    });
    const { head: old } = chain(3, 1_700_000_000);
    expect(verify([], old, new Date('2026-11-24T00:00:00Z'))).toEqual({
      pk: PK,
      records: 0,
      ok: true,
      expired: true,
    });
  });

  it('names an edited record', () => {
    const { records, head } = chain(4);
    (records[1] as Record<string, unknown>).outcome = 'skipped';
    expect(verify(records, head).broken).toMatchObject({
      seq: 2,
      action: 'Step2',
      reason: expect.stringMatching(/content does not match its hash/),
    });
  });

  it('names the record after a deleted one', () => {
    const { records, head } = chain(4);
    records.splice(1, 1);
    expect(verify(records, head).broken).toMatchObject({
      seq: 3,
      reason: 'record 2 is missing before it (this record is 3)',
    });
  });

  it('names a record re-sequenced to reorder the trail', () => {
    const { records, head } = chain(4);
    const a = records[1] as Record<string, unknown>;
    const b = records[2] as Record<string, unknown>;
    [a.seq, b.seq] = [b.seq, a.seq];
    expect(verify(records, head).broken).toMatchObject({ sk: b.sk, seq: 2 });
  });

  it('catches deleted tail records through the head, and a rewritten last record', () => {
    const { records, head } = chain(4);
    expect(verify(records.slice(0, 3), head).broken).toMatchObject({
      seq: 3,
      reason: expect.stringMatching(/head is at 4, the trail ends at 3/),
    });
    const forged = chain(4).records;
    const last = forged[3] as Record<string, unknown>;
    last.action = 'Forged';
    last.hash = recordHash(last); // recomputed, but the head still holds the original
    last.mac = macOf(String(last.hash)); // even with the key, the head gives it away
    expect(verify(forged, head).broken?.reason).toMatch(/head's hash does not match/);
  });

  it('refuses unchained records, a duplicated position and a missing head', () => {
    const { records, head } = chain(2);
    const { seq: _s, hash: _h, mac: _m, ...bare } = records[0] as Record<string, unknown>;
    expect(verify([bare, records[1] as Record<string, unknown>], head).broken?.reason).toMatch(/not chained/);
    expect(verify([...records, records[1] as Record<string, unknown>], head).broken?.reason).toMatch(
      /appears twice/,
    );
    expect(verify(records, undefined).broken?.reason).toBe('the chain head is missing');
  });

  it('says when every record is past retention, so TTL deletion is not mistaken for tampering', () => {
    const { records, head } = chain(3, 1_700_000_000);
    const verdict = verify(records.slice(1), head, new Date('2026-11-24T00:00:00Z'));
    expect(verdict).toMatchObject({ ok: false, expired: true });
  });
});
