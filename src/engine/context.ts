import type { HttpClient } from '../protocols/http/client.ts';
import type { WsClient } from '../protocols/ws/client.ts';
import type { SseClient } from '../protocols/sse/client.ts';
import type { LlmClient } from '../protocols/llm/client.ts';
import type { A2aClient } from '../protocols/a2a/client.ts';
import type { AmqpClient } from '../protocols/amqp/client.ts';
import type { SqlClient } from '../protocols/sql/client.ts';
import type { RedisClient } from '../protocols/redis/client.ts';
import type { MetricInfo } from '../metrics/metric.ts';

/**
 * Names and values of checks: each function gets the checked value and returns pass/fail synchronously
 * (as in k6). A check that returns anything else, a Promise included, throws a TypeError naming it.
 */
export type Checkers<T> = Readonly<Record<string, (value: T) => boolean>>;

/** The scenario a VU runs in. */
export interface ScenarioInfo {
  readonly name: string;
  readonly executor: string;
}

/** What every scenario function receives. */
export interface VuContext<Data = unknown> {
  /** VU id, unique in the whole test (1-based). */
  readonly vu: number;
  /** This VU's iteration in its scenario (0-based). */
  readonly iteration: number;
  readonly scenario: ScenarioInfo;
  /** Environment: the script's `env`, then the scenario's, then `-e KEY=VALUE` and `--env` (each overrides the one before). */
  readonly env: Readonly<Record<string, string>>;
  /** What `setup()` returned. */
  readonly data: Data;
  /** Aborted when the VU is interrupted; pass it to anything long-running. */
  readonly signal: AbortSignal;
  readonly http: HttpClient;
  /** WebSocket sessions: `await ctx.ws.connect('/ws/chat')` (docs/websocket.md). */
  readonly ws: WsClient;
  /** Server-Sent Events streams: `ctx.sse.open('/events')` (docs/sse.md). */
  readonly sse: SseClient;
  /** OpenAI-compatible chat completions with TTFT, ITL, TPOT, tokens, cost and goodput: `await ctx.llm.chat({ messages })` (docs/llm.md). */
  readonly llm: LlmClient;
  /** Agent2Agent (v1.0 and v0.3) tasks with lifecycle metrics, and `ctx.a2a.rest` for REST task APIs (docs/a2a.md). */
  readonly a2a: A2aClient;
  /** RabbitMQ: `const ch = ctx.amqp.connect(url); await ch.publish('jobs', body)` (docs/data-plane.md). */
  readonly amqp: AmqpClient;
  /** PostgreSQL through a per-worker pool: `await ctx.sql.connect(url).query('SELECT 1')` (docs/data-plane.md). */
  readonly sql: SqlClient;
  /** Redis: `await ctx.redis.connect(url).get('k')`, and `cacheGet(key, loader)` for cache hit rates (docs/data-plane.md). */
  readonly redis: RedisClient;
  /** Run named checks against a value; records the `checks` rate; true if all passed. */
  check<T>(value: T, checkers: Checkers<T>, tags?: Readonly<Record<string, string>>): boolean;
  /** Run `fn` inside a group: sets the `group` tag and records `group_duration`. */
  group<T>(name: string, fn: () => T | Promise<T>): Promise<T>;
  /** Sleep for seconds (k6's `sleep`). Interrupted when the VU is. */
  sleep(seconds: number): Promise<void>;
  /** Sleep a uniformly random time between min and max seconds (Locust's `between`). */
  sleepBetween(minSeconds: number, maxSeconds: number): Promise<void>;
  /** True with probability p: independent per-iteration operation mixes. */
  chance(p: number): boolean;
  /** A key picked with probability proportional to its weight: `pick({ chat: 3, workflow: 2, analytics: 1 })`. */
  pick<K extends string>(weights: Readonly<Record<K, number>>): K;
  /** A random integer in [min, max]. */
  randomInt(min: number, max: number): number;
  /**
   * Record a value for a custom metric (declared with `new Trend(...)` etc.) with this VU's tags. A boolean
   * counts 1 (true) or 0 (false), as in k6: `ctx.record(errorRate, !ok)`. Anything but a finite number or a
   * boolean throws a TypeError naming the metric.
   */
  record(metric: MetricInfo, value: number | boolean, tags?: Readonly<Record<string, string>>): void;
  /** Set a tag on everything this VU records from now on (`''` removes it). */
  setTag(name: string, value: string): void;
  /** Stop the whole test now (exit code 108). */
  abortTest(reason?: string): never;
}

/** What `setup()` and `teardown()` receive: a VU context without iteration state. */
export type SetupContext = Omit<VuContext<never>, 'iteration' | 'data' | 'abortTest'>;

/** Thrown by `ctx.abortTest()`. */
export class TestAbortedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TestAbortedError';
  }
}
