/**
 * Stable `error_code` tag values for failed requests. undici's own codes are
 * kept as they are (UND_ERR_*); Node's system errors keep theirs (ECONNREFUSED…);
 * a few conditions get a name of ours.
 */
export const ERROR_CODES = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup timed out',
  ETIMEDOUT: 'operation timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers within the request timeout',
  UND_ERR_BODY_TIMEOUT: 'the response body was still arriving (or stalled) when the request timeout ran out',
  UND_ERR_SOCKET: 'socket closed or failed during the request',
  UND_ERR_ABORTED: 'request aborted',
  UND_ERR_INVALID_ARG: 'invalid request argument',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'response body length differs from content-length',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'request body length differs from content-length',
  INVALID_URL: 'the URL could not be parsed',
  INTERRUPTED: 'the VU was interrupted (stop or ramp-down)',
  TOO_MANY_REDIRECTS: 'more redirects than allowed',
  RESPONSE_TOO_LARGE: 'the response body is larger than maxResponseBytes (announced or received); the connection was closed',
  UNKNOWN: 'an error without a code',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES | (string & {});

interface CodedError {
  code?: unknown;
  cause?: unknown;
  name?: unknown;
}

/** The most specific code of an error, looking through `cause` (undici wraps socket errors). */
export function errorCodeOf(err: unknown): ErrorCode {
  let e = err as CodedError | undefined;
  let best: string | undefined;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e.code === 'string') {
      // a system code under undici's generic socket error is more useful
      if (best === undefined || best === 'UND_ERR_SOCKET') best = e.code;
      if (!e.code.startsWith('UND_ERR_SOCKET')) break;
    } else if (e.name === 'InterruptedError') {
      return 'INTERRUPTED';
    }
    e = e.cause as CodedError | undefined;
  }
  return best ?? 'UNKNOWN';
}
