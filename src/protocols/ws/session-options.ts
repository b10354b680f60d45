import type { DurationInput } from '../../util/duration.ts';
import { withoutCredentials } from '../../util/url-credentials.ts';
import type { DialSettings } from './dial.ts';
import type { WsErrorCode } from './error-codes.ts';
import type { WsMessage } from './message.ts';

/** Reconnection after an unexpected close: `retries` attempts, waiting base·2^(n−1) ms (capped) before attempt n. */
export interface WsReconnectOptions {
  /** Attempts after each unexpected close (default 5). */
  retries?: number;
  /** Wait before the first attempt, doubled for each next one (default 250 ms). */
  baseDelayMs?: number;
  /** Longest wait between attempts (default 5000 ms). */
  maxDelayMs?: number;
  /** Randomise each wait between half and all of it, so VUs do not reconnect in lockstep (default true). */
  jitter?: boolean;
}

export interface WsReconnectPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
}

/** Everything a session needs, resolved by WsClient.connect(). */
export interface WsSessionSettings {
  readonly dial: DialSettings;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly reconnect: WsReconnectPolicy | null;
  readonly requestTimeoutMs: number;
  readonly closeTimeoutMs: number;
  /** Ids for request() messages that have none. */
  readonly nextId: () => string;
}

export interface WsRequestOptions<R = Readonly<Record<string, unknown>>> {
  /**
   * Recognises the reply; gets it parsed as JSON (undefined if it is not
   * JSON), the message, and the request's id. Default: `reply.id`,
   * `reply.ack` or `reply.reply_to` equals the request's id.
   */
  match?: (reply: R | undefined, message: WsMessage, id: unknown) => boolean;
  /** How long to wait for the reply (default: the test's HTTP timeout, 60s unless set). */
  timeout?: DurationInput;
  /** The `name` tag of ws_msg_rtt and ws_msg_failed (default: the session's name). */
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

export interface WsHeartbeatOptions {
  /** Send each heartbeat with request() and measure its round trip (the server must answer it). */
  reply?: boolean | WsRequestOptions;
}

/** How a session ended. */
export interface WsCloseInfo {
  /** Close code of the last connection (1005 when none was sent, 1006 when it dropped). */
  readonly code: number;
  readonly reason: string;
  /** True when the session ended by an unexpected close that was not (or could not be) recovered. */
  readonly unexpected: boolean;
  /** Unexpected closes during the session (each one, recovered or not). */
  readonly drops: number;
  readonly reconnects: number;
}

export interface WsSessionEvents {
  message: (message: WsMessage) => void;
  /** The connection closed unexpectedly (a reconnection follows if configured). */
  drop: (info: { code: number; reason: string; errorCode: string }) => void;
  reconnect: (info: { attempt: number; durationMs: number }) => void;
  close: (info: WsCloseInfo) => void;
}

export type WsState = 'connecting' | 'open' | 'reconnecting' | 'closing' | 'closed';

/** connect() could not open the session; its metrics are recorded before this is thrown. */
export class WsConnectError extends Error {
  constructor(
    readonly url: string,
    readonly code: WsErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(withoutCredentials(`WebSocket connect to ${url} failed (${code}): ${message}`));
    this.name = 'WsConnectError';
  }
}
