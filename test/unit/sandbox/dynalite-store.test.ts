import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import '#sandbox/services/dynalite-store.ts';

const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));

describe("dynalite's in-memory store", () => {
  it('keeps keys and items in views of their own size, not in slices of shared Buffer slabs', async () => {
    const { MemoryLevel } = requireFromDynalite('memory-level') as {
      MemoryLevel: new (
        options: object,
      ) => {
        keyEncoding(): { format: string };
        valueEncoding(): { format: string };
        put(key: string, value: unknown): Promise<void>;
        get(key: string): Promise<unknown>;
        open(): Promise<void>;
      };
    };
    // As dynalite creates it (db/index.js).
    const store = new MemoryLevel({ valueEncoding: 'json' });
    expect([store.keyEncoding().format, store.valueEncoding().format]).toEqual(['view', 'view']);
    await store.open();
    await store.put('table~a', { id: { S: 'ü' } });
    expect(await store.get('table~a')).toEqual({ id: { S: 'ü' } });
  });
});
