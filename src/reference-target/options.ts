import type { MockLlmOptions } from './llm/mock-llm.ts';

/** How the reference target is started: `startTarget(options)` or `agentload target` flags. */
export interface TargetOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host: string;
  /** ':memory:' (default), a SQLite file path, or a postgres:// URL. Defaults to DATABASE_URL when set. */
  db: string;
  /** PostgreSQL only: the schema the tables live in (created if missing; default public). */
  dbSchema: string;
  /** PostgreSQL only: connections in the pool (default 10). */
  dbPoolSize: number;
  /** Redis URL for the read cache (default REDIS_URL; none = in-process LRU). */
  redisUrl: string | null;
  /** AMQP URL for task distribution (default AMQP_URL; none = in-process queue). */
  amqpUrl: string | null;
  /** Bearer token required on /api and /ws (default AGENTLOAD_TARGET_TOKEN; none = open). */
  token: string | null;
  /** Mock LLM knobs (time to first token, inter-token latency, errors, concurrency, seed). */
  llm: Partial<MockLlmOptions>;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit: number;
  /** Agent workers that consume the task queue (default 8). */
  agentWorkers: number;
  /** Read cache: entries kept by the in-process LRU (default 10 000) and time to live (default 60 s). */
  cacheMaxEntries: number;
  cacheTtlMs: number;
  /** /ws/chat: messages a connection may have waiting to be sent (default 256) and the socket buffer, in bytes, past which a client counts as slow (default 64 KiB). */
  chatSendQueue: number;
  chatHighWaterBytes: number;
  /** /ws/chat: answers one connection may have in progress (default 16). */
  chatMaxInflight: number;
  /** Collaboration: a member silent this long is shown as away (default 30 s). */
  presenceTimeoutMs: number;
  /** Fastify's request logger (default off: a load-test target should not spend time logging). */
  logger: boolean;
}

export const DEFAULT_TARGET_OPTIONS: Readonly<TargetOptions> = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  db: ':memory:',
  dbSchema: 'public',
  dbPoolSize: 10,
  redisUrl: null,
  amqpUrl: null,
  token: null,
  llm: {},
  bodyLimit: 1024 * 1024,
  agentWorkers: 8,
  cacheMaxEntries: 10_000,
  cacheTtlMs: 60_000,
  chatSendQueue: 256,
  chatHighWaterBytes: 64 * 1024,
  chatMaxInflight: 16,
  presenceTimeoutMs: 30_000,
  logger: false,
});

/** Options that cannot work; the message lists every problem. */
export class TargetOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetOptionsError';
  }
}

const nonEmpty = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v);

/** Merge options over the environment (DATABASE_URL, REDIS_URL, AMQP_URL, AGENTLOAD_TARGET_TOKEN) and the defaults; validate. */
export function resolveTargetOptions(input: Partial<TargetOptions> = {}, env: NodeJS.ProcessEnv = process.env): TargetOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<TargetOptions>;
  for (const key of Object.keys(defined)) {
    if (!(key in DEFAULT_TARGET_OPTIONS)) throw new TargetOptionsError(`unknown target option "${key}"`);
  }
  const o: TargetOptions = {
    ...DEFAULT_TARGET_OPTIONS,
    db: nonEmpty(env.DATABASE_URL) ?? DEFAULT_TARGET_OPTIONS.db,
    redisUrl: nonEmpty(env.REDIS_URL),
    amqpUrl: nonEmpty(env.AMQP_URL),
    token: nonEmpty(env.AGENTLOAD_TARGET_TOKEN),
    ...defined,
  };
  const problems: string[] = [];
  const int = (key: keyof TargetOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`"${key}" must be an integer from ${min} to ${max} (got ${String(v)})`);
  };
  int('port', 0, 65_535);
  int('dbPoolSize', 1, 1000);
  int('bodyLimit', 1024);
  int('agentWorkers', 1, 256);
  int('cacheMaxEntries', 1);
  int('cacheTtlMs', 1);
  int('chatSendQueue', 1, 1_000_000);
  int('chatHighWaterBytes', 1);
  int('chatMaxInflight', 1, 10_000);
  int('presenceTimeoutMs', 100);
  if (typeof o.host !== 'string' || o.host === '') problems.push('"host" must be a host name or address');
  if (typeof o.db !== 'string' || o.db === '') problems.push('"db" must be ":memory:", a file path or a postgres:// URL');
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(o.dbSchema)) problems.push(`"dbSchema" must be a plain SQL identifier (got "${o.dbSchema}")`);
  if (o.redisUrl !== null && !/^rediss?:\/\//.test(o.redisUrl)) problems.push('"redisUrl" must start with redis:// or rediss://');
  if (o.amqpUrl !== null && !/^amqps?:\/\//.test(o.amqpUrl)) problems.push('"amqpUrl" must start with amqp:// or amqps://');
  if (o.token !== null && (typeof o.token !== 'string' || o.token.length < 1)) problems.push('"token" must be a non-empty string');
  if (problems.length > 0) throw new TargetOptionsError(`invalid target options: ${problems.join('; ')}`);
  return o;
}

/** Whether `db` names a PostgreSQL database. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}
