/** Where cached reads live: an in-process LRU or Redis. Values are JSON text. */
export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries held, or null when the backend cannot say cheaply. */
  size(): number | null;
  close(): Promise<void>;
}

interface Entry {
  value: string;
  expires: number;
}

/** An in-process LRU with a time to live: a Map kept in recency order. */
export class LruBackend implements CacheBackend {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  async get(key: string): Promise<string | undefined> {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    if (e.expires <= Date.now()) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
