import { errorCodeOf } from '../http/error-codes.ts';

/**
 * Stable `error_code` tag values of WebSocket failures. Node's system codes
 * (ECONNREFUSED, ECONNRESET…) and the ws library's own (WS_ERR_*) are kept as
 * they are; a close with an unexpected code is `WS_CLOSE_<code>`
 * (WS_CLOSE_1006: the connection dropped without a close frame).
 */
export const WS_ERROR_CODES = {
  WS_HANDSHAKE_TIMEOUT: 'no upgrade response within the connect timeout',
  WS_UNEXPECTED_RESPONSE: 'the server answered the upgrade with a non-101 status (see the status tag)',
  WS_REPLY_TIMEOUT: 'request(): no matching reply within its timeout',
  WS_CLOSED_BEFORE_REPLY: 'request(): the session closed before the reply arrived',
  WS_PING_TIMEOUT: 'ping(): no pong within the request timeout',
  WS_NOT_OPEN: 'send on a session that is not open (closed, or reconnecting)',
  WS_RECONNECT_FAILED: 'every reconnection attempt failed; the session ended',
  WS_MESSAGE_TOO_LARGE: 'a message larger than maxMessageBytes (default http.maxResponseBytes, 10 MiB) arrived; the connection was closed with 1009',
  INVALID_URL: 'the URL could not be parsed or is not ws://, wss://, http:// or https://',
  INTERRUPTED: 'the VU was interrupted (stop or ramp-down)',
} as const;

export type WsErrorCode = keyof typeof WS_ERROR_CODES | `WS_CLOSE_${number}` | (string & {});

/** The error_code of an error raised while connecting or on an open socket. */
export function wsErrorCodeOf(err: unknown): WsErrorCode {
  const message = err instanceof Error ? err.message : '';
  if (message === 'Opening handshake has timed out') return 'WS_HANDSHAKE_TIMEOUT';
  const code = errorCodeOf(err);
  return code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'WS_MESSAGE_TOO_LARGE' : code;
}

/** Close codes that end a session normally when the server sends them. */
export function isNormalClose(code: number): boolean {
  return code === 1000;
}
