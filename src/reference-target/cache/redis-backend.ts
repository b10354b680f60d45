import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CacheBackend } from './cache-backend.ts';

/** host:port of a Redis URL, without credentials. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis';
  }
}

/**
 * Redis through ioredis. Keys carry a prefix unique to this target instance
 * (agentload:target:<random>:), and the instance removes its keys when it
 * closes, so two targets never read each other's entries.
 */
export class RedisBackend implements CacheBackend {
  readonly kind = 'redis';
  readonly prefix: string;
  readonly location: string;
  private readonly redis: Redis;

  private constructor(redis: Redis, url: string) {
    this.redis = redis;
    this.location = describeRedisUrl(url);
    this.prefix = `agentload:target:${randomBytes(6).toString('hex')}:`;
  }

  static async connect(url: string): Promise<RedisBackend> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    // Connection errors surface on the commands that fail; do not crash on the event.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } catch (e) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at ${describeRedisUrl(url)}: ${(e as Error).message}`);
    }
    return new RedisBackend(redis, url);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  size(): null {
    return null;
  }

  /** Keys this instance holds (a SCAN over its prefix). */
  async keys(): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      out.push(...batch);
    } while (cursor !== '0');
    return out;
  }

  async close(): Promise<void> {
    try {
      const keys = await this.keys();
      for (let i = 0; i < keys.length; i += 500) await this.redis.del(...keys.slice(i, i + 500));
    } finally {
      await this.redis.quit().catch(() => this.redis.disconnect());
    }
  }
}
