import pg from 'pg';
import { observed, sqlOp, type PoolStats, type QueryObserver, type SqlDriver, type SqlValue } from './sql-driver.ts';

const INT8 = 20;
const NUMERIC = 1700;

/** bigint and numeric columns (counts, sums, epoch milliseconds) as JS numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  },
};

/** host:port/database of a URL, without user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.host}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

/**
 * PostgreSQL through a pg pool: named prepared statements (prepared once per
 * connection), tables in the configured schema via search_path.
 */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres';
  readonly location: string;
  private readonly pg: pg.Pool;
  private readonly names = new Map<string, string>();
  private readonly observe: QueryObserver | undefined;

  constructor(url: string, options: { schema: string; poolSize: number }, observe?: QueryObserver) {
    this.location = describePostgresUrl(url);
    this.observe = observe;
    this.pg = new pg.Pool({
      connectionString: url,
      max: options.poolSize,
      types,
      options: `-c search_path=${options.schema}`,
      idleTimeoutMillis: 30_000,
    });
    // An idle client that loses its connection emits here; the pool replaces it.
    this.pg.on('error', () => undefined);
  }

  private query(sql: string, params: readonly SqlValue[]): pg.QueryConfig<SqlValue[]> {
    let name = this.names.get(sql);
    if (name === undefined) {
      name = `q${this.names.size}`;
      this.names.set(sql, name);
    }
    return { name, text: sql, values: [...params] };
  }

  private timed<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    return observed(this.observe, sqlOp(sql), fn);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.timed(sql, async () => (await this.pg.query(this.query(sql, params))).rows as T[]);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.timed(sql, async () => (await this.pg.query(this.query(sql, params))).rowCount ?? 0);
  }

  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    return this.timed(sql, async () => {
      const client = await this.pg.connect();
      let changes = 0;
      try {
        await client.query('BEGIN');
        for (const row of rows) changes += (await client.query(this.query(sql, row))).rowCount ?? 0;
        await client.query('COMMIT');
        return changes;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    });
  }

  async exec(sql: string): Promise<void> {
    await this.pg.query(sql);
  }

  pool(): PoolStats {
    return { size: this.pg.totalCount, inUse: this.pg.totalCount - this.pg.idleCount, waiting: this.pg.waitingCount };
  }

  async close(): Promise<void> {
    await this.pg.end();
  }
}
