import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { VuScope } from '../vu-scope.ts';
import { SqlError, sqlErrorCodeOf } from './error-codes.ts';
import { sqlMetrics } from './metrics.ts';

export type SqlParam = string | number | boolean | null | Date | Buffer | readonly SqlParam[] | Readonly<Record<string, unknown>>;

export interface SqlQueryOptions {
  /** The `name` tag (default: the statement's first word in lower case, e.g. "select"). */
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows returned, inserted, updated or deleted. */
  rowCount: number;
  /** The command, e.g. "SELECT", "INSERT". */
  command: string;
}

function defaultName(text: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(text);
  return m === null ? 'query' : (m[1] as string).toLowerCase();
}

/** A VU's handle on the worker's pool for one PostgreSQL database. */
export class SqlDatabase {
  constructor(
    private readonly scope: VuScope,
    private readonly pool: pg.Pool,
    /** host:port/database, without credentials. */
    readonly location: string,
  ) {}

  /**
   * Run a query (`$1, $2…` placeholders) on a pooled connection: records db_query_duration
   * (checkout + round trip, tagged `name`) and the db_pool_in_use gauge.
   */
  async query<Row = Record<string, unknown>>(text: string, params: readonly SqlParam[] = [], options: SqlQueryOptions = {}): Promise<SqlResult<Row>> {
    if (typeof text !== 'string' || text.trim() === '') throw new TypeError(`sql.query(): the query text must be a non-empty string (got ${JSON.stringify(text)})`);
    if (!Array.isArray(params)) throw new TypeError(`sql.query(): params must be an array (got ${typeof params})`);
    const name = options.name ?? defaultName(text);
    const t0 = performance.now();
    let client: pg.PoolClient | null = null;
    try {
      client = await this.pool.connect();
      this.#record(sqlMetrics.db_pool_in_use, this.pool.totalCount - this.pool.idleCount, undefined, options.tags);
      const r = await client.query(text, params as unknown[]);
      client.release();
      client = null;
      this.#record(sqlMetrics.db_query_duration, performance.now() - t0, name, options.tags);
      return { rows: r.rows as Row[], rowCount: r.rowCount ?? 0, command: r.command };
    } catch (e) {
      // a connection that failed mid-query is discarded rather than returned to the pool
      client?.release(!(e as { severity?: unknown }).severity);
      const code = sqlErrorCodeOf(e);
      this.#record(sqlMetrics.db_query_duration, performance.now() - t0, name, options.tags, code);
      throw new SqlError(`sql.query("${name}") on ${this.location} failed (${code}): ${e instanceof Error ? e.message : String(e)}`, code);
    }
  }

  /** The pool's connection counts as of now. */
  get poolState(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  #record(metric: typeof sqlMetrics.db_query_duration, value: number, name: string | undefined, extra: Readonly<Record<string, string>> | undefined, errorCode?: string): void {
    if (this.scope.signal.aborted) return;
    let tags = this.scope.tags;
    if (extra !== undefined) tags = tags.merge(extra);
    if (name !== undefined) tags = tags.with('name', name);
    if (errorCode !== undefined) tags = tags.with('error_code', errorCode);
    this.scope.store.add(metric, tags, value);
  }
}
