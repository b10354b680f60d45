import { registry } from '../../metrics/builtin.ts';

/**
 * WebSocket metrics (docs/websocket.md). k6's names where k6 has them
 * (ws_connecting, ws_sessions, ws_session_duration, ws_msgs_sent,
 * ws_msgs_received, ws_ping); the rest are agentload's.
 */
export const wsMetrics = {
  /** Opening handshake: TCP connect + HTTP upgrade until the 101 (ms). */
  ws_connecting: registry.define('ws_connecting', 'trend', 'time'),
  /** Sessions opened by connect() (reconnections are counted in ws_reconnects). */
  ws_sessions: registry.define('ws_sessions', 'counter'),
  /** From connect() to the end of the session, reconnections included (ms). */
  ws_session_duration: registry.define('ws_session_duration', 'trend', 'time'),
  ws_msgs_sent: registry.define('ws_msgs_sent', 'counter'),
  ws_msgs_received: registry.define('ws_msgs_received', 'counter'),
  /** request() → the reply that answers it (ms), tagged with the request's name. */
  ws_msg_rtt: registry.define('ws_msg_rtt', 'trend', 'time'),
  /** Share of request() calls that got no reply (timeout, session closed): 1 = failed. */
  ws_msg_failed: registry.define('ws_msg_failed', 'rate'),
  /** ping → pong (ms). */
  ws_ping: registry.define('ws_ping', 'trend', 'time'),
  /** Successful reconnections after an unexpected close. */
  ws_reconnects: registry.define('ws_reconnects', 'counter'),
  /** From the unexpected close to the reconnected session's open, backoff included (ms). */
  ws_reconnect_duration: registry.define('ws_reconnect_duration', 'trend', 'time'),
  /** Share of sessions that ended without an unexpected close (1 = stable). */
  ws_stability: registry.define('ws_stability', 'rate'),
  /** Messages the server says it dropped (increase of `backpressure.drops`). */
  ws_backpressure_drops: registry.define('ws_backpressure_drops', 'counter'),
  /** The server's outgoing queue as it reports it (`backpressure.queue_size`). */
  ws_server_queue_size: registry.define('ws_server_queue_size', 'trend'),
  /** The client's own bufferedAmount (bytes queued, not yet written to the socket) after each send. */
  ws_buffered_bytes: registry.define('ws_buffered_bytes', 'trend', 'data'),
  /** Failures, tagged with error_code: refused or failed handshakes, unexpected closes, reply timeouts, sends on a closed session. */
  ws_errors: registry.define('ws_errors', 'counter'),
} as const;
