import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { observed, sqlOp, type PoolStats, type QueryObserver, type SqlDriver, type SqlValue } from './sql-driver.ts';

interface Prepared {
  stmt: Statement<unknown[], unknown>;
  /** For each `?` in order, the index of the caller's parameter ($1 → 0). */
  order: number[];
  op: string;
}

/**
 * SQLite through better-sqlite3: one connection, statements prepared once and
 * cached, WAL and synchronous=NORMAL for files. Calls are synchronous, so a
 * statement never interleaves with another; the async surface matches the
 * PostgreSQL driver's.
 */
export class SqliteDriver implements SqlDriver {
  readonly kind = 'sqlite';
  readonly location: string;
  private readonly db: Database.Database;
  private readonly prepared = new Map<string, Prepared>();
  private readonly observe: QueryObserver | undefined;

  constructor(path: string, observe?: QueryObserver) {
    this.location = path;
    this.observe = observe;
    this.db = new Database(path);
    if (path !== ':memory:' && path !== '') {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    }
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private prepare(sql: string): Prepared {
    let p = this.prepared.get(sql);
    if (p === undefined) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      p = { stmt: this.db.prepare(text), order, op: sqlOp(sql) };
      this.prepared.set(sql, p);
    }
    return p;
  }

  private args(p: Prepared, params: readonly SqlValue[]): SqlValue[] {
    return p.order.map((i) => params[i] ?? null);
  }

  private timed<T>(p: Prepared, fn: () => T): Promise<T> {
    return observed(this.observe, p.op, fn);
  }

  async all<T>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const p = this.prepare(sql);
    return this.timed(p, () => p.stmt.all(...this.args(p, params)) as T[]);
  }

  async get<T>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    const p = this.prepare(sql);
    return this.timed(p, () => p.stmt.get(...this.args(p, params)) as T | undefined);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    const p = this.prepare(sql);
    return this.timed(p, () => p.stmt.run(...this.args(p, params)).changes);
  }

  async runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number> {
    const p = this.prepare(sql);
    const tx = this.db.transaction(() => {
      let changes = 0;
      for (const row of rows) changes += p.stmt.run(...this.args(p, row)).changes;
      return changes;
    });
    return this.timed(p, () => tx());
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  pool(): PoolStats {
    return { size: 1, inUse: 0, waiting: 0 };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
