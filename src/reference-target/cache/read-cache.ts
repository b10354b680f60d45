import type { CacheBackend } from './cache-backend.ts';

export interface CacheStats {
  backend: 'memory' | 'redis';
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before any read. */
  hitRate: number;
  /** Entries held, or null when the backend cannot say (Redis). */
  size: number | null;
}

export interface CacheCounters {
  hit(): void;
  miss(): void;
}

interface Loading {
  readers: number;
  /** Set when the key is written while a load is in flight: that load must not fill the cache. */
  stale: boolean;
}

/**
 * A read-through cache in front of the store. Reads that miss load from the
 * store and fill the cache; writes invalidate. A load that overlaps a write
 * does not fill the cache with what it read, so a reader never sees a value
 * older than the last write once that write has returned.
 */
export class ReadCache {
  private hits = 0;
  private misses = 0;
  private readonly loading = new Map<string, Loading>();

  constructor(
    private readonly backend: CacheBackend,
    private readonly ttlMs: number,
    private readonly counters?: CacheCounters,
  ) {}

  get kind(): 'memory' | 'redis' {
    return this.backend.kind;
  }

  /** The cached value of `key`, or `load()`'s (cached unless null). `hit` says which. */
  async read<T>(key: string, load: () => Promise<T | null>): Promise<{ value: T | null; hit: boolean }> {
    const cached = await this.backend.get(key).catch(() => undefined);
    if (cached !== undefined) {
      this.hits++;
      this.counters?.hit();
      return { value: JSON.parse(cached) as T, hit: true };
    }
    this.misses++;
    this.counters?.miss();
    let entry = this.loading.get(key);
    if (entry === undefined) {
      entry = { readers: 0, stale: false };
      this.loading.set(key, entry);
    }
    entry.readers++;
    try {
      const value = await load();
      if (value !== null && !entry.stale) await this.backend.set(key, JSON.stringify(value), this.ttlMs).catch(() => undefined);
      return { value, hit: false };
    } finally {
      entry.readers--;
      if (entry.readers === 0 && this.loading.get(key) === entry) this.loading.delete(key);
    }
  }

  /** Forget `key` after a write. */
  async invalidate(key: string): Promise<void> {
    const entry = this.loading.get(key);
    if (entry !== undefined) entry.stale = true;
    await this.backend.delete(key).catch(() => undefined);
  }

  stats(): CacheStats {
    const total = this.hits + this.misses;
    return { backend: this.backend.kind, hits: this.hits, misses: this.misses, hitRate: total === 0 ? 0 : this.hits / total, size: this.backend.size() };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
