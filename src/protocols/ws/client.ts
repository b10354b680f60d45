import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../http/client.ts';
import { cachedUrlTemplate } from '../../util/url-template.ts';
import type { VuScope } from '../vu-scope.ts';
import { WsSession } from './session.ts';
import type { WsReconnectOptions, WsReconnectPolicy } from './session-options.ts';

/** Options of `ctx.ws.connect()`. */
export interface WsConnectOptions {
  /** Extra headers of the upgrade request (the test-wide `http.headers` are sent too). */
  headers?: Readonly<Record<string, string>>;
  /** Subprotocols to offer (Sec-WebSocket-Protocol). */
  protocols?: string | readonly string[];
  /** Extra tags on every metric of this session. */
  tags?: Readonly<Record<string, string>>;
  /** The `name` tag (default: the URL's path template, ids as {id}, no query). Use it to name a group of URLs. */
  name?: string;
  /** Opening handshake timeout (default: the test's HTTP timeout, 60s unless set). */
  timeout?: DurationInput;
  /** Default reply timeout of request(), waitFor() and ping() (default: the same as `timeout`). */
  requestTimeout?: DurationInput;
  /** Reconnect after an unexpected close: `true` for the defaults, or the policy. Off by default. */
  reconnect?: boolean | WsReconnectOptions;
  /** How long close() waits for the server's close frame before dropping the socket (default 5s). */
  closeTimeout?: DurationInput;
  /** Negotiate permessage-deflate (default false, as k6). */
  compression?: boolean;
  /** Accept any TLS certificate for wss:// (default false). */
  insecureSkipTLSVerify?: boolean;
  /**
   * Largest message accepted, in bytes, and the most unread data messages() buffers (default:
   * http.maxResponseBytes, 10 MiB; 0 = no limit). A larger message closes the connection with 1009 and
   * counts as ws_errors{error_code:WS_MESSAGE_TOO_LARGE}.
   */
  maxMessageBytes?: number;
}

/** What the VU's WebSocket client takes from the test's settings. */
export interface WsDefaults {
  /** The test's HTTP base URL (http:// → ws://) used when the VU's env has no WS_URL. */
  readonly httpBaseUrl: string;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** http.maxResponseBytes (0 = no limit; absent: 10 MiB). */
  readonly maxMessageBytes?: number;
}

const DEFAULT_RECONNECT: WsReconnectPolicy = Object.freeze({ retries: 5, baseDelayMs: 250, maxDelayMs: 5000, jitter: true });

function nonNegative(v: unknown, what: string, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new TypeError(`ws.connect(): reconnect.${what} must be a ${integer ? 'non-negative integer' : 'non-negative number'} (got ${String(v)})`);
  }
  return v;
}

export function reconnectPolicy(r: boolean | WsReconnectOptions | undefined): WsReconnectPolicy | null {
  if (r === undefined || r === false) return null;
  if (r === true) return DEFAULT_RECONNECT;
  if (typeof r !== 'object' || r === null) throw new TypeError(`ws.connect(): reconnect must be true, false or { retries, baseDelayMs, maxDelayMs } (got ${String(r)})`);
  const p = {
    retries: r.retries === undefined ? DEFAULT_RECONNECT.retries : nonNegative(r.retries, 'retries', true),
    baseDelayMs: r.baseDelayMs === undefined ? DEFAULT_RECONNECT.baseDelayMs : nonNegative(r.baseDelayMs, 'baseDelayMs', false),
    maxDelayMs: r.maxDelayMs === undefined ? DEFAULT_RECONNECT.maxDelayMs : nonNegative(r.maxDelayMs, 'maxDelayMs', false),
    jitter: r.jitter ?? true,
  };
  if (p.maxDelayMs < p.baseDelayMs) throw new TypeError(`ws.connect(): reconnect.maxDelayMs (${p.maxDelayMs}) is less than baseDelayMs (${p.baseDelayMs})`);
  return p;
}

function withoutName(tags: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  if (tags === undefined) return {};
  const { name: _name, ...rest } = tags;
  return rest;
}

/**
 * The `ws` object of a VU context. Relative URLs ("/ws/chat") resolve against
 * the VU's `WS_URL` (set by `--env` environments or `-e WS_URL=…`), else
 * against the test's HTTP base URL with http(s):// turned into ws(s)://.
 */
export class WsClient {
  #seq = 0;

  constructor(
    private readonly scope: VuScope,
    private readonly defaults: WsDefaults,
  ) {}

  /** The base that relative URLs resolve against ('' when there is none). */
  get baseUrl(): string {
    const env = this.scope.env.WS_URL;
    const base = env !== undefined && env !== '' ? env : this.defaults.httpBaseUrl;
    return base.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
  }

  /** The absolute ws:// or wss:// URL for `url`. */
  resolveUrl(url: string): string {
    if (typeof url !== 'string' || url === '') throw new TypeError(`ws.connect(): the URL must be a non-empty string (got ${JSON.stringify(url)})`);
    if (url.startsWith('/')) {
      const base = this.baseUrl;
      if (base === '') throw new TypeError(`ws.connect("${url}"): a relative URL needs a base; set http.baseUrl (or --base-url) or the WS_URL variable`);
      return base + url;
    }
    return url.replace(/^http(s?):\/\//i, 'ws$1://');
  }

  /**
   * Open a session. Resolves once the server accepted the upgrade; throws a
   * WsConnectError (after recording ws_errors with its error_code) if it did not.
   */
  async connect(url: string, options: WsConnectOptions = {}): Promise<WsSession> {
    const full = this.resolveUrl(url);
    const timeoutMs = options.timeout === undefined ? this.defaults.timeoutMs : parseDuration(options.timeout, 'ws.connect() timeout');
    const protocols = options.protocols === undefined ? [] : typeof options.protocols === 'string' ? [options.protocols] : [...options.protocols];
    const headers: Record<string, string> = {};
    for (const k in this.defaults.headers) headers[k.toLowerCase()] = this.defaults.headers[k] as string;
    if (options.headers !== undefined) for (const k in options.headers) headers[k.toLowerCase()] = options.headers[k] as string;
    const maxMessageBytes = options.maxMessageBytes ?? this.defaults.maxMessageBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (typeof maxMessageBytes !== 'number' || !Number.isInteger(maxMessageBytes) || maxMessageBytes < 0) {
      throw new TypeError(`ws.connect(): maxMessageBytes must be a whole number of bytes >= 0 (0 = no limit), got ${String(maxMessageBytes)}`);
    }
    const session = new WsSession(this.scope, {
      dial: {
        url: full,
        protocols,
        headers,
        timeoutMs,
        compression: options.compression === true,
        insecureSkipTLSVerify: options.insecureSkipTLSVerify === true,
        maxMessageBytes,
      },
      name: options.name ?? options.tags?.name ?? cachedUrlTemplate(full),
      tags: withoutName(options.tags),
      reconnect: reconnectPolicy(options.reconnect),
      requestTimeoutMs: options.requestTimeout === undefined ? timeoutMs : parseDuration(options.requestTimeout, 'ws.connect() requestTimeout'),
      closeTimeoutMs: options.closeTimeout === undefined ? 5000 : parseDuration(options.closeTimeout, 'ws.connect() closeTimeout'),
      nextId: () => `${this.scope.vuId}-${++this.#seq}`,
    });
    await session.start();
    return session;
  }
}
