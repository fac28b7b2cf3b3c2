import { createRequire } from 'node:module';
import type dynaliteServer from 'dynalite';

/**
 * dynalite, loaded with its in-memory LevelDB (`memory-level`) told to store keys and values as
 * views of their own (`storeEncoding: 'view'`) rather than as Node Buffers. dynalite's store
 * encodes each key and each item's JSON as a Buffer, and Node cuts small Buffers out of shared
 * 8 KB slabs: every stored item kept a whole slab alive, ≈ 8 KB of memory for an audit record
 * of a few hundred bytes, growing with every item written. A view is allocated at its own size.
 * Keys still compare byte by byte (memory-level compares views as it compares Buffers), so
 * the order of items, and every Query and Scan, is unchanged.
 *
 * The store's class is replaced on the module dynalite itself loads (resolved from dynalite's
 * own directory), before dynalite is first loaded.
 */
const requireFromHere = createRequire(import.meta.url);
const requireFromDynalite = createRequire(requireFromHere.resolve('dynalite'));
const memoryLevel = requireFromDynalite('memory-level') as {
  MemoryLevel: new (options?: Record<string, unknown>) => object;
};
const { MemoryLevel } = memoryLevel;

class ViewStoredMemoryLevel extends MemoryLevel {
  constructor(options?: Record<string, unknown>) {
    super({ storeEncoding: 'view', ...options });
  }
}

memoryLevel.MemoryLevel = ViewStoredMemoryLevel;

export const dynalite = requireFromHere('dynalite') as typeof dynaliteServer;
