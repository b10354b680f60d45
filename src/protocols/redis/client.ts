import { parseDuration, type DurationInput } from '../../util/duration.ts';
import type { VuScope } from '../vu-scope.ts';
import { redisClient } from './clients.ts';
import { RedisConnection } from './connection.ts';

export interface RedisConnectOptions {
  /** A command without a reply after this long fails with REDIS_TIMEOUT (default 10s). Another timeout makes another client. */
  commandTimeout?: DurationInput;
}

/**
 * The `redis` object of a VU context (ioredis). `connect(url)` returns a
 * handle on the worker's client for that URL: one connection per worker
 * thread, shared by its VUs (Redis pipelines their commands), closed at the
 * end of the test. Without a URL, the VU's `REDIS_URL` variable is used.
 */
export class RedisClient {
  constructor(private readonly scope: VuScope) {}

  connect(url?: string, options: RedisConnectOptions = {}): RedisConnection {
    const u = url ?? this.scope.env.REDIS_URL;
    if (typeof u !== 'string' || u === '') throw new TypeError('redis.connect(): give the server URL (redis://host:6379/0) or set the REDIS_URL variable');
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new TypeError('redis.connect(): the server URL could not be parsed (expected redis://host:6379/0)');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new TypeError(`redis.connect(): the URL must start with redis:// or rediss:// (got ${parsed.protocol}//)`);
    const timeoutMs = parseDuration(options.commandTimeout ?? '10s', 'redis.connect() commandTimeout');
    return new RedisConnection(this.scope, () => redisClient(u, timeoutMs), `${parsed.protocol}//${parsed.host}${parsed.pathname}`);
  }
}
