import { describe, expect, it } from 'vitest';
import { GENESIS, recordHash, verifyChain } from '#shared/audit/chain.ts';

const PK = 'FINDING#f1';

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
    records.push({ ...unsealed, hash });
    prev = hash;
  }
  const last = records.at(-1) as { seq: number; hash: string };
  return { records, head: { seq: last.seq, hash: last.hash } };
}

describe('verifyChain', () => {
  it('accepts an intact chain in any read order', () => {
    const { records, head } = chain(5);
    expect(verifyChain(PK, [...records].reverse(), head)).toEqual({ pk: PK, records: 5, ok: true });
  });

  it('hashes canonical JSON: attribute order does not matter, any value change does', () => {
    const { records } = chain(1);
    const r = records[0] as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(r).reverse());
    expect(recordHash(reordered)).toBe(r.hash);
    expect(recordHash({ ...r, before: JSON.stringify({ groups: ['sg-1'], n: 1 }) })).not.toBe(r.hash);
  });

  it('names an edited record', () => {
    const { records, head } = chain(4);
    (records[1] as Record<string, unknown>).outcome = 'skipped';
    expect(verifyChain(PK, records, head).broken).toMatchObject({
      seq: 2,
      action: 'Step2',
      reason: expect.stringMatching(/content does not match its hash/),
    });
  });

  it('names the record after a deleted one', () => {
    const { records, head } = chain(4);
    records.splice(1, 1);
    expect(verifyChain(PK, records, head).broken).toMatchObject({
      seq: 3,
      reason: 'record 2 is missing before it (this record is 3)',
    });
  });

  it('names a record re-sequenced to reorder the trail', () => {
    const { records, head } = chain(4);
    const a = records[1] as Record<string, unknown>;
    const b = records[2] as Record<string, unknown>;
    [a.seq, b.seq] = [b.seq, a.seq];
    expect(verifyChain(PK, records, head).broken).toMatchObject({ sk: b.sk, seq: 2 });
  });

  it('catches deleted tail records through the head, and a rewritten last record', () => {
    const { records, head } = chain(4);
    expect(verifyChain(PK, records.slice(0, 3), head).broken).toMatchObject({
      seq: 3,
      reason: expect.stringMatching(/head is at 4, the trail ends at 3/),
    });
    const forged = chain(4).records;
    const last = forged[3] as Record<string, unknown>;
    last.action = 'Forged';
    last.hash = recordHash(last); // recomputed, but the head still holds the original
    expect(verifyChain(PK, forged, head).broken?.reason).toMatch(/head's hash does not match/);
  });

  it('refuses unchained records, a duplicated position and a missing head', () => {
    const { records, head } = chain(2);
    const { seq: _s, hash: _h, ...bare } = records[0] as Record<string, unknown>;
    expect(verifyChain(PK, [bare, records[1] as Record<string, unknown>], head).broken?.reason).toMatch(
      /not chained/,
    );
    expect(verifyChain(PK, [...records, records[1] as Record<string, unknown>], head).broken?.reason).toMatch(
      /appears twice/,
    );
    expect(verifyChain(PK, records, undefined).broken?.reason).toBe('the chain head is missing');
  });

  it('says when every record is past retention, so TTL deletion is not mistaken for tampering', () => {
    const { records, head } = chain(3, 1_700_000_000);
    const verdict = verifyChain(PK, records.slice(1), head, new Date('2026-11-24T00:00:00Z'));
    expect(verdict).toMatchObject({ ok: false, expired: true });
  });
});
