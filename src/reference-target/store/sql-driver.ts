import { performance } from 'node:perf_hooks';

/** A value bound to a SQL placeholder. Booleans are stored as 0/1, JSON as text, times as epoch milliseconds. */
export type SqlValue = string | number | null;

/** Connections of the backend: in use, idle, and callers waiting for one. */
export interface PoolStats {
  size: number;
  inUse: number;
  waiting: number;
}

/**
 * The target's one storage interface: SQL written once, with `$1, $2`
 * placeholders and the dialect both SQLite and PostgreSQL accept, run by two
 * implementations (better-sqlite3 in a file or in memory, and a pg pool).
 */
export interface SqlDriver {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials (a file, ':memory:' or host/database). */
  readonly location: string;
  /** Every row of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement; resolves to the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** One statement for many parameter lists, in one transaction; resolves to the rows changed. */
  runMany(sql: string, rows: readonly (readonly SqlValue[])[]): Promise<number>;
  /** Several statements without parameters (the schema). */
  exec(sql: string): Promise<void>;
  pool(): PoolStats;
  close(): Promise<void>;
}

/** Called after each statement with its kind (select, insert, update, delete) and duration in seconds. */
export type QueryObserver = (op: string, seconds: number) => void;

/** fn's result; its duration goes to observe (when there is one) as a statement of kind op, whether it succeeds or fails. */
export async function observed<T>(observe: QueryObserver | undefined, op: string, fn: () => T | Promise<T>): Promise<T> {
  if (observe === undefined) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    observe(op, (performance.now() - t0) / 1000);
  }
}

const opCache = new Map<string, string>();

/** The statement kind of a SQL text: its first keyword, lower-cased. */
export function sqlOp(sql: string): string {
  let op = opCache.get(sql);
  if (op === undefined) {
    const m = /^\s*(?:with\s+recursive\s+[\s\S]*?\)\s*)?([a-z]+)/i.exec(sql);
    op = m === null ? 'other' : (m[1] as string).toLowerCase();
    if (!['select', 'insert', 'update', 'delete'].includes(op)) op = 'other';
    if (opCache.size > 1000) opCache.clear();
    opCache.set(sql, op);
  }
  return op;
}

/** The constraint a failed statement broke, for either backend (SQLite codes, PostgreSQL SQLSTATEs). */
export function violatedConstraint(error: unknown): 'unique' | 'foreign_key' | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
  return null;
}
