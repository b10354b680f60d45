import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { VuScope } from '../vu-scope.ts';
import { RedisError, redisErrorCodeOf } from './error-codes.ts';
import { redisMetrics } from './metrics.ts';

export type RedisArg = string | number | Buffer;
/** A reply as ioredis returns it. */
export type RedisReply = string | number | Buffer | null | RedisReply[];

export interface RedisSetOptions {
  /** Expire after this many seconds (EX). */
  ttlSeconds?: number;
}

export interface CacheGetOptions {
  /** The `name` tag of cache_hit_rate (default "cache"). */
  name?: string;
  /** Expiry of a value the loader produced (seconds; default: none). */
  ttlSeconds?: number;
}

/** A VU's handle on the worker's shared Redis client for one URL. */
export class RedisConnection {
  constructor(
    private readonly scope: VuScope,
    private readonly client: () => Promise<Redis>,
    /** host:port/db, without credentials. */
    readonly location: string,
  ) {}

  /** Any command: `call('HSET', 'k', 'f', 'v')`. Records redis_cmd_duration tagged `command` (lower case). */
  async call(command: string, ...args: RedisArg[]): Promise<RedisReply> {
    if (typeof command !== 'string' || !/^[A-Za-z][A-Za-z.|_-]*$/.test(command)) throw new TypeError(`redis.call(): the command must be a command name such as "GET" (got ${JSON.stringify(command)})`);
    const cmd = command.toLowerCase();
    const t0 = performance.now();
    try {
      const c = await this.client();
      const reply = (await c.call(cmd, ...args)) as RedisReply;
      this.#record(redisMetrics.redis_cmd_duration, performance.now() - t0, cmd);
      return reply;
    } catch (e) {
      const code = redisErrorCodeOf(e);
      this.#record(redisMetrics.redis_cmd_duration, performance.now() - t0, cmd, code);
      throw new RedisError(`redis ${cmd} on ${this.location} failed (${code}): ${e instanceof Error ? e.message : String(e)}`, code);
    }
  }

  /** GET: the value, or null when the key does not exist. */
  async get(key: string): Promise<string | null> {
    const r = await this.call('get', key);
    return r === null ? null : String(r);
  }

  /** SET, with an optional expiry. */
  async set(key: string, value: RedisArg, options: RedisSetOptions = {}): Promise<void> {
    if (options.ttlSeconds === undefined) await this.call('set', key, value);
    else {
      if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1) throw new TypeError(`redis.set("${key}"): ttlSeconds must be a positive integer (got ${String(options.ttlSeconds)})`);
      await this.call('set', key, value, 'EX', options.ttlSeconds);
    }
  }

  /** DEL: how many of the keys existed. */
  async del(...keys: string[]): Promise<number> {
    return Number(await this.call('del', ...keys));
  }

  /**
   * Cache-aside read: GET the key; on a miss run `loader` and SET its value. Records cache_hit_rate
   * (1 = hit, 0 = miss) tagged with `name`, besides redis_cmd_duration of the commands.
   */
  async cacheGet(key: string, loader: () => string | Promise<string>, options: CacheGetOptions = {}): Promise<string> {
    if (typeof loader !== 'function') throw new TypeError(`redis.cacheGet("${key}"): the loader must be a function returning the value to cache`);
    const name = options.name ?? 'cache';
    const cached = await this.get(key);
    if (cached !== null) {
      this.#record(redisMetrics.cache_hit_rate, 1, undefined, undefined, name);
      return cached;
    }
    this.#record(redisMetrics.cache_hit_rate, 0, undefined, undefined, name);
    const value = await loader();
    if (typeof value !== 'string') throw new TypeError(`redis.cacheGet("${key}"): the loader returned ${typeof value}; it must return a string`);
    await this.set(key, value, options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds });
    return value;
  }

  #record(metric: typeof redisMetrics.redis_cmd_duration, value: number, command?: string, errorCode?: string, name?: string): void {
    if (this.scope.signal.aborted) return;
    let tags = this.scope.tags;
    if (command !== undefined) tags = tags.with('command', command);
    if (name !== undefined) tags = tags.with('name', name);
    if (errorCode !== undefined) tags = tags.with('error_code', errorCode);
    this.scope.store.add(metric, tags, value);
  }
}
