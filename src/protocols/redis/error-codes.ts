import { errorCodeOf } from '../http/error-codes.ts';

/**
 * Stable `error_code` tag values of Redis failures. A Redis error reply keeps
 * its prefix (WRONGTYPE, NOAUTH, ERR…) as `REDIS_<prefix>`; Node's system codes
 * (ECONNREFUSED…) are kept.
 */
export const REDIS_ERROR_CODES = {
  REDIS_CONNECTION_CLOSED: 'the connection closed before the reply (server gone, or the test is ending)',
  REDIS_TIMEOUT: 'no reply within commandTimeout',
  UNKNOWN: 'an error without a code',
} as const;

export type RedisErrorCode = keyof typeof REDIS_ERROR_CODES | `REDIS_${string}` | (string & {});

/** The error_code of an ioredis error. */
export function redisErrorCodeOf(err: unknown): RedisErrorCode {
  const e = err as { name?: unknown; message?: unknown; code?: unknown } | null;
  if (e?.name === 'ReplyError' && typeof e.message === 'string') {
    const m = /^([A-Z]+)\b/.exec(e.message);
    return m === null ? 'REDIS_ERR' : `REDIS_${m[1] as string}`;
  }
  if (typeof e?.code === 'string') return errorCodeOf(err);
  if (typeof e?.message === 'string') {
    if (e.message === 'Command timed out') return 'REDIS_TIMEOUT';
    if (/Connection is closed|max retries per request/i.test(e.message)) return 'REDIS_CONNECTION_CLOSED';
  }
  return errorCodeOf(err);
}

/** A failed command; `code` is also the error_code tag of its sample. */
export class RedisError extends Error {
  constructor(
    message: string,
    readonly code: RedisErrorCode,
  ) {
    super(message);
    this.name = 'RedisError';
  }
}
