import { randomUUID } from 'node:crypto';
import type { SqlDriver, SqlValue } from './sql-driver.ts';

let lastSeq = 0;

/**
 * An increasing number for ordering rows created in the same millisecond:
 * microseconds since the epoch, bumped when the clock has not moved.
 */
export function nextSeq(): number {
  lastSeq = Math.max(lastSeq + 1, Date.now() * 1000);
  return lastSeq;
}

/** A fresh id. */
export const newId = (): string => randomUUID();

/** A JSON document for a TEXT column (undefined and null stay NULL). */
export function toJson(value: unknown): SqlValue {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** A TEXT column back to its JSON value (NULL → null). */
export function fromJson<T = unknown>(text: string | null | undefined): T | null {
  return text === null || text === undefined ? null : (JSON.parse(text) as T);
}

/** Epoch milliseconds as ISO-8601 text, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** A page of a listing. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Newest first: the order of most listings. */
export const NEWEST_FIRST = 'created_at DESC, id DESC';

/** A listing: rows of `table` in `order`, only those whose column equals the value when `where` names one. */
export interface PageQuery {
  table: string;
  /** [column, value]: only rows with that value; an undefined value lists every row. */
  where?: readonly [column: string, value: SqlValue | undefined];
  order: string;
  limit: number;
  offset: number;
}

/** One page of a listing and the total count of its rows, each row turned into an item by `map`. */
export async function listPage<R, T>(db: SqlDriver, q: PageQuery, map: (row: R) => T): Promise<Page<T>> {
  const [column, value] = q.where ?? ['', undefined];
  const [rows, count] =
    value === undefined
      ? await Promise.all([
          db.all<R>(`SELECT * FROM ${q.table} ORDER BY ${q.order} LIMIT $1 OFFSET $2`, [q.limit, q.offset]),
          db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q.table}`),
        ])
      : await Promise.all([
          db.all<R>(`SELECT * FROM ${q.table} WHERE ${column} = $1 ORDER BY ${q.order} LIMIT $2 OFFSET $3`, [value, q.limit, q.offset]),
          db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q.table} WHERE ${column} = $1`, [value]),
        ]);
  return { items: rows.map(map), total: Number(count?.n ?? 0), limit: q.limit, offset: q.offset };
}

/** The outcome and lifecycle columns of a unit of work (tasks and a2a_tasks; LIFECYCLE_COLUMNS in schema.ts). */
export interface LifecycleRow {
  error: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

/** A unit of work's outcome and lifecycle as the API shows them. */
export interface Lifecycle {
  error: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

/** The lifecycle columns of work created now, not started yet. */
export const newLifecycle = (now: number): LifecycleRow => ({
  error: null,
  input_tokens: null,
  output_tokens: null,
  created_at: now,
  started_at: null,
  completed_at: null,
  updated_at: now,
});

/** Lifecycle columns as API fields (usage only once output tokens are known). */
export const lifecycleOf = (r: LifecycleRow): Lifecycle => ({
  error: r.error,
  usage: r.output_tokens === null ? null : { inputTokens: Number(r.input_tokens ?? 0), outputTokens: Number(r.output_tokens) },
  createdAt: iso(r.created_at) as string,
  startedAt: iso(r.started_at),
  completedAt: iso(r.completed_at),
  updatedAt: iso(r.updated_at) as string,
});

/** Rows of `SELECT status, COUNT(*) AS n … GROUP BY status` as { status: n }. */
export function countsByStatus(rows: readonly { status: string; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
