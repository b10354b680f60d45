import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { builtin } from '../../metrics/builtin.ts';
import type { TagSet } from '../../metrics/tags.ts';
import { errorCodeOf } from '../http/error-codes.ts';
import { AsyncQueue } from '../ws/async-queue.ts';
import { Listeners } from '../ws/listeners.ts';
import { InterruptedError, type Abortable, type VuScope } from '../vu-scope.ts';
import { isRetryable, type SseErrorCode } from './error-codes.ts';
import { SseEvent } from './event.ts';
import { sseMetrics as M } from './metrics.ts';
import { WakeableSleep } from '../../util/wakeable-sleep.ts';

/** Everything a stream needs, resolved by SseClient.open(). */
export interface SseStreamSettings {
  readonly url: string;
  readonly origin: string;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly body: string | Uint8Array | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly lastEventId: string;
  readonly reconnect: { readonly retries: number; readonly delayMs: number } | null;
  /** Largest event (or line) in characters, and the most event data buffered unread; 0 = no limit. */
  readonly maxEventBytes: number;
}

/** How a stream ended. */
export interface SseResult {
  /** False when it ended by a failure (see errorCode). */
  readonly ok: boolean;
  /** Status of the last response (0 if none came). */
  readonly status: number;
  readonly events: number;
  readonly reconnects: number;
  readonly lastEventId: string;
  /** 'server': the server ended the response; 'client': close(); 'error': a failure. */
  readonly endedBy: 'server' | 'client' | 'error';
  readonly errorCode: string;
  readonly error: string;
}

export interface SseStreamEvents {
  open: (info: { status: number; headers: Readonly<IncomingHttpHeaders> }) => void;
  event: (event: SseEvent) => void;
  /** A failure; a reconnection follows when `willReconnect`. */
  error: (info: { errorCode: string; error: string; willReconnect: boolean }) => void;
  reconnect: (info: { attempt: number; lastEventId: string }) => void;
  end: (result: SseResult) => void;
}

/** Of the body of a failed (non-2xx) response, only this much is read, for the error message. */
const ERROR_BODY_CHARS = 512;

type Outcome = { kind: 'end'; endedBy: 'server' | 'client' } | { kind: 'fail'; code: SseErrorCode; status: number; message: string } | { kind: 'interrupted' };

const now = (): number => performance.now();

function headerBytes(h: Readonly<Record<string, string | string[] | undefined>>): number {
  let n = 0;
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) n += k.length + x.length + 4;
  }
  return n;
}

type Body = AsyncIterable<Buffer> & { destroy(): void; on(event: 'error', fn: () => void): void };

/** The start of a body (up to `max` characters, within `timeoutMs`), then the body is dropped: an error page may never end. */
async function readSome(body: Body, max: number, timeoutMs: number): Promise<string> {
  let s = '';
  body.on('error', () => undefined); // destroying an unread body makes it emit an abort error
  const timer = setTimeout(() => body.destroy(), timeoutMs);
  try {
    for await (const chunk of body) {
      s += chunk.toString('utf8');
      if (s.length >= max) break;
    }
  } catch {
    // cut short: keep what came
  } finally {
    clearTimeout(timer);
    body.destroy();
  }
  return s.slice(0, max);
}

/**
 * One Server-Sent Events stream: a request whose response body is parsed
 * into events as it arrives, and its reconnections (with Last-Event-ID) after
 * a network failure when `reconnect` is on. Events come as an async iterator
 * (buffered from the start, up to 10,000) and as 'event' callbacks.
 */
export class SseStream implements Abortable, AsyncIterable<SseEvent> {
  readonly url: string;
  /** Resolves when the stream has ended; rejects with the interrupt if the VU is interrupted. */
  readonly done: Promise<SseResult>;
  #resolveDone!: (r: SseResult) => void;
  #rejectDone!: (e: Error) => void;
  /** `break` out of a for-await loop closes the stream, as with Node's readable streams. */
  readonly #queue: AsyncQueue<SseEvent>;
  readonly #parser: EventSourceParser;
  readonly #tags: TagSet;
  readonly #t0 = now();
  #controller: AbortController | null = null;
  readonly #listeners = new Listeners<SseStreamEvents>('SSE stream', ['open', 'event', 'error', 'reconnect', 'end']);
  readonly #timer = new WakeableSleep();
  #status = 0;
  #events = 0;
  #reconnects = 0;
  #lastEventId: string;
  #retryMs: number | null = null;
  #parseOverflow = false;
  #clientClosed = false;
  #interrupt: Error | null = null;
  #finished = false;
  #started = false;

  /** A stream lives until the server ends it or close(), not until the end of the iteration. */
  get outlivesIteration(): boolean {
    return true;
  }

  constructor(
    private readonly scope: VuScope,
    private readonly dispatcher: Dispatcher,
    private readonly settings: SseStreamSettings,
  ) {
    this.url = settings.url;
    this.#lastEventId = settings.lastEventId;
    const max = settings.maxEventBytes > 0 ? settings.maxEventBytes : undefined;
    // events a slow reader has not taken yet: at most 10,000, and at most the event limit of data
    this.#queue = new AsyncQueue<SseEvent>(10_000, () => void this.close(), (e) => e.data.length, max);
    let tags = scope.tags.with('name', settings.name).with('method', settings.method);
    for (const k in settings.tags) tags = tags.with(k, settings.tags[k] as string);
    this.#tags = tags;
    this.#parser = createParser({
      onEvent: (e) => this.#onEvent(e),
      onRetry: (ms) => (this.#retryMs = ms),
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') {
          this.#parseOverflow = true;
          this.#controller?.abort();
        }
        // unknown fields and invalid retry values are ignored, as the SSE spec says
      },
      maxBufferSize: max,
    });
    this.done = new Promise<SseResult>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => undefined); // awaited or not, an interrupt must not become an unhandled rejection
  }

  /** Status of the current (or last) response; 0 before headers arrive. */
  get status(): number {
    return this.#status;
  }
  /** The last `id:` seen, sent as Last-Event-ID on reconnection. */
  get lastEventId(): string {
    return this.#lastEventId;
  }
  get events(): number {
    return this.#events;
  }

  /** Start the request (called once, by SseClient.open). */
  start(): void {
    if (this.#started) throw new Error('start(): this stream was already started; use ctx.sse.open() for a new one');
    this.#started = true;
    this.scope.store.add(M.sse_streams, this.#tags, 1);
    this.scope.track(this);
    void this.#run();
  }

  on<E extends keyof SseStreamEvents>(event: E, listener: SseStreamEvents[E]): this {
    this.#listeners.on(event, listener);
    return this;
  }

  off<E extends keyof SseStreamEvents>(event: E, listener: SseStreamEvents[E]): this {
    this.#listeners.off(event, listener);
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<SseEvent> {
    return this.#queue;
  }

  /** Stop reading and end the stream (no reconnection). Resolves with the result. */
  close(): Promise<SseResult> {
    if (!this.#finished) {
      this.#clientClosed = true;
      this.#controller?.abort();
      this.#timer.wake();
    }
    return this.done;
  }

  /** VU interrupt. */
  abort(reason?: Error): void {
    if (this.#finished || this.#interrupt !== null) return;
    this.#interrupt = reason ?? new InterruptedError();
    this.#controller?.abort();
    this.#timer.wake();
  }

  async #run(): Promise<void> {
    const policy = this.settings.reconnect;
    for (let attempt = 0; ; attempt++) {
      const out = await this.#once(attempt);
      if (this.#interrupt !== null || out.kind === 'interrupted') return this.#finishInterrupted();
      if (out.kind === 'end') return this.#finish(out.endedBy, '', '');
      const willReconnect = policy !== null && isRetryable(out.code) && attempt < policy.retries && !this.#clientClosed;
      let t = this.#tags.with('error_code', out.code);
      if (out.code === 'SSE_BAD_STATUS') t = t.with('status', String(out.status));
      this.scope.store.add(M.sse_errors, t, 1);
      this.#listeners.emit('error', { errorCode: out.code, error: out.message, willReconnect });
      if (!willReconnect) {
        if (policy !== null && policy.retries > 0 && attempt >= policy.retries && isRetryable(out.code)) {
          this.scope.store.add(M.sse_errors, this.#tags.with('error_code', 'SSE_RECONNECT_FAILED'), 1);
        }
        return this.#finish('error', out.code, out.message);
      }
      await this.#sleep(this.#retryMs ?? policy.delayMs);
      if (this.#interrupt !== null) return this.#finishInterrupted();
      if (this.#clientClosed) return this.#finish('client', '', '');
    }
  }

  async #once(attempt: number): Promise<Outcome> {
    const s = this.settings;
    const headers: Record<string, string> = { ...s.headers };
    if (this.#lastEventId !== '') headers['last-event-id'] = this.#lastEventId;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#clientClosed || this.#interrupt !== null) controller.abort();
    const store = this.scope.store;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request({
        origin: s.origin,
        path: s.path,
        method: s.method,
        headers,
        body: s.body,
        headersTimeout: s.timeoutMs,
        bodyTimeout: s.timeoutMs,
        signal: controller.signal,
      });
    } catch (e) {
      return this.#failure(e, 0);
    }
    const bodyLen = s.body === null ? 0 : typeof s.body === 'string' ? Buffer.byteLength(s.body) : s.body.length;
    store.add(builtin.data_sent, this.scope.tags, s.method.length + s.path.length + s.origin.length + 60 + headerBytes(headers) + bodyLen);
    store.add(builtin.data_received, this.scope.tags, headerBytes(res.headers) + 15 + res.statusText.length);
    const status = res.statusCode;
    this.#status = status;
    const body = res.body as Body;
    if (status < 200 || status >= 300) {
      const text = await readSome(body, ERROR_BODY_CHARS, s.timeoutMs);
      return { kind: 'fail', code: 'SSE_BAD_STATUS', status, message: `status ${status}${text === '' ? '' : `: ${text}`}` };
    }
    const ct = res.headers['content-type'];
    if (typeof ct === 'string' && !/^\s*text\/event-stream\b/i.test(ct)) {
      body.on('error', () => undefined); // destroying an unread body makes it emit an abort error
      body.destroy();
      return { kind: 'fail', code: 'SSE_BAD_CONTENT_TYPE', status, message: `content-type is "${ct}", not text/event-stream` };
    }
    if (attempt > 0) {
      this.#reconnects++;
      store.add(M.sse_reconnects, this.#tags, 1);
      this.#listeners.emit('reconnect', { attempt, lastEventId: this.#lastEventId });
    }
    this.#listeners.emit('open', { status, headers: res.headers });
    this.#parser.reset();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        store.add(builtin.data_received, this.scope.tags, chunk.length);
        this.#parser.feed(decoder.decode(chunk, { stream: true }));
      }
      this.#parser.feed(decoder.decode());
    } catch (e) {
      return this.#failure(e, status);
    }
    return { kind: 'end', endedBy: 'server' };
  }

  #failure(e: unknown, status: number): Outcome {
    if (this.#interrupt !== null) return { kind: 'interrupted' };
    if (this.#clientClosed) return { kind: 'end', endedBy: 'client' };
    if (this.#parseOverflow) {
      return { kind: 'fail', code: 'SSE_EVENT_TOO_LARGE', status, message: `an event (or a line) grew past ${this.settings.maxEventBytes} characters (maxEventBytes)` };
    }
    return { kind: 'fail', code: errorCodeOf(e), status, message: e instanceof Error ? e.message : String(e) };
  }

  #onEvent(e: EventSourceMessage): void {
    if (e.id !== undefined) this.#lastEventId = e.id;
    const type = e.event === undefined || e.event === '' ? 'message' : e.event;
    const ev = new SseEvent(type, e.data, e.id, Date.now());
    const store = this.scope.store;
    if (this.#events === 0) store.add(M.sse_time_to_first_event, this.#tags, now() - this.#t0);
    this.#events++;
    store.add(M.sse_events, this.#tags.with('event', type), 1);
    this.#listeners.emit('event', ev);
    this.#queue.push(ev);
  }

  #sleep(ms: number): Promise<void> {
    return this.#timer.sleep(ms);
  }

  #finish(endedBy: SseResult['endedBy'], errorCode: string, error: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.scope.untrack(this);
    this.scope.store.add(M.sse_stream_duration, this.#tags, now() - this.#t0);
    const result: SseResult = {
      ok: endedBy !== 'error',
      status: this.#status,
      events: this.#events,
      reconnects: this.#reconnects,
      lastEventId: this.#lastEventId,
      endedBy,
      errorCode,
      error,
    };
    this.#listeners.emit('end', result);
    this.#queue.end();
    this.#resolveDone(result);
  }

  #finishInterrupted(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.scope.untrack(this);
    const err = this.#interrupt ?? new InterruptedError();
    this.#queue.fail(err);
    this.#rejectDone(err);
  }
}
