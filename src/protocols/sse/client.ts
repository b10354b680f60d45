import type { Dispatcher } from 'undici';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../http/client.ts';
import { cachedUrlTemplate } from '../../util/url-template.ts';
import type { VuScope } from '../vu-scope.ts';
import { SseStream } from './stream.ts';

/** Options of `ctx.sse.open()`. */
export interface SseOpenOptions {
  /** GET (default) or POST. */
  method?: 'GET' | 'POST';
  /** Request body (POST): text, bytes, or any other value sent as JSON. */
  body?: string | Uint8Array | Record<string, unknown> | unknown[];
  /** Extra request headers (the test-wide `http.headers` are sent too). */
  headers?: Readonly<Record<string, string>>;
  /** Extra tags on every metric of this stream. */
  tags?: Readonly<Record<string, string>>;
  /** The `name` tag (default: the URL's path template, ids as {id}, no query). */
  name?: string;
  /** Longest wait for the response headers, and longest silence between two chunks of the body (default: the test's HTTP timeout, 60s unless set). */
  timeout?: DurationInput;
  /** Sent as Last-Event-ID on the first request (resume a stream). */
  lastEventId?: string;
  /** Reconnect after a network failure, with Last-Event-ID: `true` for the defaults, or the policy. Off by default. */
  reconnect?: boolean | SseReconnectOptions;
  /**
   * Largest event (or line), in characters, and the most event data kept unread (default: http.maxResponseBytes,
   * 10 MiB; 0 = no limit). A larger event ends the stream with SSE_EVENT_TOO_LARGE. The stream itself may run
   * as long as it likes.
   */
  maxEventBytes?: number;
}

export interface SseReconnectOptions {
  /** Attempts in all (default 3). */
  retries?: number;
  /** Wait before each attempt, unless the server set one with `retry:` (default 1000 ms). */
  delayMs?: number;
}

/** What the VU's SSE client takes from the test's settings. */
export interface SseDefaults {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** http.maxResponseBytes (0 = no limit; absent: 10 MiB). */
  readonly maxEventBytes?: number;
}

function reconnectPolicy(r: boolean | SseReconnectOptions | undefined): { retries: number; delayMs: number } | null {
  if (r === undefined || r === false) return null;
  if (r === true) return { retries: 3, delayMs: 1000 };
  if (typeof r !== 'object' || r === null) throw new TypeError(`sse.open(): reconnect must be true, false or { retries, delayMs } (got ${String(r)})`);
  const retries = r.retries ?? 3;
  const delayMs = r.delayMs ?? 1000;
  if (!Number.isInteger(retries) || retries < 0) throw new TypeError(`sse.open(): reconnect.retries must be a non-negative integer (got ${String(retries)})`);
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) throw new TypeError(`sse.open(): reconnect.delayMs must be a non-negative number (got ${String(delayMs)})`);
  return { retries, delayMs };
}

/**
 * The `sse` object of a VU context. Relative URLs ("/chat/stream") resolve
 * against the test's HTTP base URL, as with `ctx.http`.
 */
export class SseClient {
  constructor(
    private readonly scope: VuScope,
    private readonly dispatcher: Dispatcher,
    private readonly defaults: SseDefaults,
  ) {}

  /**
   * Open a stream. Returns at once; the request runs in the background.
   * Iterate the stream (`for await (const e of stream)`), or listen with
   * `stream.on('event', fn)` and await `stream.done`.
   */
  open(url: string, options: SseOpenOptions = {}): SseStream {
    if (typeof url !== 'string' || url === '') throw new TypeError(`sse.open(): the URL must be a non-empty string (got ${JSON.stringify(url)})`);
    const full = url.startsWith('/') && this.defaults.baseUrl !== '' ? this.defaults.baseUrl.replace(/\/+$/, '') + url : url;
    let u: URL;
    try {
      u = new URL(full);
    } catch {
      throw new TypeError(`sse.open(): invalid URL "${full}"${url.startsWith('/') ? ' (a relative URL needs http.baseUrl or --base-url)' : ''}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`sse.open(): unsupported protocol "${u.protocol}" in "${full}" (use http:// or https://)`);
    const method = options.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw new TypeError(`sse.open(): method must be "GET" or "POST" (got ${JSON.stringify(method)})`);
    if (method === 'GET' && options.body !== undefined) throw new TypeError('sse.open(): a GET stream cannot have a body; use method: "POST"');
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    for (const k in this.defaults.headers) headers[k.toLowerCase()] = this.defaults.headers[k] as string;
    let body: string | Uint8Array | null = null;
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
        body = options.body;
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
    }
    if (options.headers !== undefined) for (const k in options.headers) headers[k.toLowerCase()] = options.headers[k] as string;
    const { name: tagName, ...tags } = options.tags ?? {};
    const maxEventBytes = options.maxEventBytes ?? this.defaults.maxEventBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (typeof maxEventBytes !== 'number' || !Number.isInteger(maxEventBytes) || maxEventBytes < 0) {
      throw new TypeError(`sse.open(): maxEventBytes must be a whole number >= 0 (0 = no limit), got ${String(maxEventBytes)}`);
    }
    const stream = new SseStream(this.scope, this.dispatcher, {
      url: full,
      origin: u.origin,
      path: `${u.pathname}${u.search}`,
      method,
      body,
      headers,
      timeoutMs: options.timeout === undefined ? this.defaults.timeoutMs : parseDuration(options.timeout, 'sse.open() timeout'),
      name: options.name ?? tagName ?? cachedUrlTemplate(full),
      tags,
      lastEventId: options.lastEventId ?? '',
      reconnect: reconnectPolicy(options.reconnect),
      maxEventBytes,
    });
    stream.start();
    return stream;
  }
}
