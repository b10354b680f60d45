import type pg from 'pg';
import { lazyRequire } from '../lazy-require.ts';

const pgLib = lazyRequire<typeof pg>('pg');

/** Options of the worker's pool for one connection string; connect() calls with the same options share a pool. */
export interface SqlPoolOptions {
  /** Most connections of this worker's pool (default 10). Every VU of the worker shares them. */
  max?: number;
  /** How long a query waits for a free connection before failing with PG_POOL_TIMEOUT (ms, default 30000). */
  connectionTimeoutMs?: number;
  /** Idle connections close after this long (ms, default 10000). */
  idleTimeoutMs?: number;
}

/** One pg Pool per worker thread, connection string and pool options, shared by the worker's VUs; closed at the end of the test. */
const pools = new Map<string, pg.Pool>();

function positiveInt(v: number | undefined, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`sql.connect(): ${what} must be a positive integer (got ${String(v)})`);
  return v;
}

/** The worker's pool for a connection string and pool options (other options: another pool). */
export function sqlPool(connectionString: string, options: SqlPoolOptions): pg.Pool {
  const max = positiveInt(options.max, 'max', 10);
  const connectionTimeoutMillis = positiveInt(options.connectionTimeoutMs, 'connectionTimeoutMs', 30_000);
  const idleTimeoutMillis = positiveInt(options.idleTimeoutMs, 'idleTimeoutMs', 10_000);
  const key = `${max}/${connectionTimeoutMillis}/${idleTimeoutMillis} ${connectionString}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    pool = new (pgLib().Pool)({ connectionString, max, connectionTimeoutMillis, idleTimeoutMillis });
    // an idle connection dropped by the server: the pool replaces it; the next query reports any failure
    pool.on('error', () => undefined);
    pools.set(key, pool);
  }
  return pool;
}

/** Close every pool of this worker (end of the test). */
export async function closeSqlPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => undefined)));
}
