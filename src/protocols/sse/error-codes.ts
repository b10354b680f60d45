/**
 * `error_code` tag values of SSE failures, besides the HTTP client's
 * (UND_ERR_HEADERS_TIMEOUT, UND_ERR_BODY_TIMEOUT, UND_ERR_SOCKET, ECONNREFUSED…,
 * see src/protocols/http/error-codes.ts).
 */
export const SSE_ERROR_CODES = {
  SSE_BAD_STATUS: 'the server answered with a non-2xx status (see the status tag); no reconnection',
  SSE_BAD_CONTENT_TYPE: 'the response is not text/event-stream; no reconnection',
  SSE_EVENT_TOO_LARGE: 'an event (or a line) grew past maxEventBytes (default http.maxResponseBytes, 10 MiB); no reconnection',
  SSE_RECONNECT_FAILED: 'every reconnection attempt failed; the stream ended',
  INVALID_URL: 'the URL could not be parsed or is not http:// or https://',
} as const;

export type SseErrorCode = keyof typeof SSE_ERROR_CODES | (string & {});

/** Failures after which a reconnection makes sense: the network's, not the server's answer. */
export function isRetryable(code: SseErrorCode): boolean {
  return !code.startsWith('SSE_') && code !== 'INVALID_URL' && code !== 'INTERRUPTED';
}
