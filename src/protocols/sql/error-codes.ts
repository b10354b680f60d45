import { errorCodeOf } from '../http/error-codes.ts';

/**
 * Stable `error_code` tag values of SQL failures. A server error is
 * `PG_<SQLSTATE>` (PG_42P01: undefined table, PG_23505: unique violation,
 * PG_57014: statement timeout); Node's system codes (ECONNREFUSED…) are kept.
 */
export const SQL_ERROR_CODES = {
  PG_POOL_TIMEOUT: 'no pool connection became free within connectionTimeout',
  UNKNOWN: 'an error without a code',
} as const;

export type SqlErrorCode = keyof typeof SQL_ERROR_CODES | `PG_${string}` | (string & {});

/** The error_code of a pg error. */
export function sqlErrorCodeOf(err: unknown): SqlErrorCode {
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (e !== null && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') return `PG_${e.code}`;
  if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) return 'PG_POOL_TIMEOUT';
  // pg reports a refused connection as an AggregateError (IPv4 and IPv6 attempts): look at the first
  const inner = (err as { errors?: unknown } | null)?.errors;
  if (typeof e?.code !== 'string' && Array.isArray(inner) && inner.length > 0) return errorCodeOf(inner[0]);
  return errorCodeOf(err);
}

/** A failed query; `code` is also the error_code tag of its sample. */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly code: SqlErrorCode,
  ) {
    super(message);
    this.name = 'SqlError';
  }
}
