import type { VuScope } from '../vu-scope.ts';
import { SqlDatabase } from './database.ts';
import { sqlPool, type SqlPoolOptions } from './pools.ts';

function location(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * The `sql` object of a VU context (PostgreSQL through pg). `connect(url)`
 * returns a handle on the worker's pool for that connection string: one
 * bounded pool per worker thread, shared by its VUs, closed at the end of the
 * test. Without a URL, the VU's `DATABASE_URL` variable is used.
 */
export class SqlClient {
  constructor(private readonly scope: VuScope) {}

  connect(url?: string, options: SqlPoolOptions = {}): SqlDatabase {
    const u = url ?? this.scope.env.DATABASE_URL;
    if (typeof u !== 'string' || u === '') throw new TypeError('sql.connect(): give the connection string (postgresql://user@host:5432/db) or set the DATABASE_URL variable');
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new TypeError('sql.connect(): the connection string could not be parsed (expected postgresql://user:pass@host:5432/db)');
    }
    if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') throw new TypeError(`sql.connect(): the URL must start with postgresql:// or postgres:// (got ${parsed.protocol}//)`);
    return new SqlDatabase(this.scope, sqlPool(u, options), location(parsed));
  }
}
