import { registry } from '../../metrics/builtin.ts';

/** Server-Sent Events metrics (docs/sse.md). */
export const sseMetrics = {
  /** Streams opened by sse.open() (a reconnection does not count again). */
  sse_streams: registry.define('sse_streams', 'counter'),
  /** open() → the first event of the stream (ms). */
  sse_time_to_first_event: registry.define('sse_time_to_first_event', 'trend', 'time'),
  /** Events received, tagged with their `event` type ('message' when the server names none). */
  sse_events: registry.define('sse_events', 'counter'),
  /** open() → the end of the stream, reconnections included (ms). */
  sse_stream_duration: registry.define('sse_stream_duration', 'trend', 'time'),
  /** Successful reconnections (with Last-Event-ID) after a dropped stream. */
  sse_reconnects: registry.define('sse_reconnects', 'counter'),
  /** Failures, tagged with error_code (and status for SSE_BAD_STATUS). */
  sse_errors: registry.define('sse_errors', 'counter'),
} as const;
