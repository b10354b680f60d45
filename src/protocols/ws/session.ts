import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { builtin } from '../../metrics/builtin.ts';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { InterruptedError, type Abortable, type VuScope } from '../vu-scope.ts';
import { AsyncQueue } from './async-queue.ts';
import { Listeners } from './listeners.ts';
import { backoffDelay, dial, type DialResult } from './dial.ts';
import { isNormalClose, wsErrorCodeOf, type WsErrorCode } from './error-codes.ts';
import { backpressureOf, encodeWsData, WsMessage, type WsData } from './message.ts';
import { wsMetrics as M } from './metrics.ts';
import { PendingReplies, type ReplyMatcher, type WsReply } from './replies.ts';
import {
  WsConnectError,
  type WsCloseInfo,
  type WsHeartbeatOptions,
  type WsReconnectPolicy,
  type WsRequestOptions,
  type WsSessionEvents,
  type WsSessionSettings,
  type WsState,
} from './session-options.ts';

const now = (): number => performance.now();

/**
 * One WebSocket session: a connection, and its successors after unexpected
 * closes when reconnection is on. Lives until close(), a close by the server,
 * or the VU's interrupt — not the end of the iteration.
 */
export class WsSession implements Abortable, AsyncIterable<WsMessage> {
  readonly url: string;
  /** Resolves when the session has ended for good; rejects with the interrupt if the VU is interrupted. */
  readonly closed: Promise<WsCloseInfo>;
  #resolveClosed!: (info: WsCloseInfo) => void;
  #rejectClosed!: (e: Error) => void;
  #state: WsState = 'connecting';
  #started = false;
  #ws: WebSocket | null = null;
  #sock: Socket | null = null;
  #dialing: WebSocket | null = null;
  #read = 0;
  #written = 0;
  readonly #t0 = now();
  readonly #tags: TagSet;
  readonly #replies: PendingReplies;
  readonly #listeners = new Listeners<WsSessionEvents>('WebSocket session', ['message', 'drop', 'reconnect', 'close']);
  #queues: Set<AsyncQueue<WsMessage>> | null = null;
  #intervals = new Set<NodeJS.Timeout>();
  #sleeps = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  #pings: { t0: number; timer: NodeJS.Timeout; resolve: (rtt: number | null) => void }[] = [];
  #clientClose = false;
  #interrupt: Error | null = null;
  #drops = 0;
  #reconnects = 0;
  #lastDrops: number | undefined;
  #lastError: WsErrorCode | null = null;
  #received = 0;
  /** Messages that arrived before connect() returned to the script, delivered once it could listen. */
  #held: WsMessage[] | null = [];

  /** A session may be kept across iterations (see docs/websocket.md): not an un-awaited call. */
  get outlivesIteration(): boolean {
    return true;
  }

  constructor(
    private readonly scope: VuScope,
    private readonly settings: WsSessionSettings,
  ) {
    this.url = settings.dial.url;
    let tags = scope.tags.with('name', settings.name);
    for (const k in settings.tags) tags = tags.with(k, settings.tags[k] as string);
    this.#tags = tags;
    this.#replies = new PendingReplies(scope, settings, (d) => this.#write(d));
    this.closed = new Promise<WsCloseInfo>((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    this.closed.catch(() => undefined); // awaited or not, an interrupt must not become an unhandled rejection
  }

  get state(): WsState {
    return this.#state;
  }
  /** Bytes queued on the client side, not yet written to the socket. */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }
  /** Subprotocol the server chose ('' if none). */
  get protocol(): string {
    return this.#ws?.protocol ?? '';
  }

  /** Open the first connection (called once, by WsClient.connect). */
  async start(): Promise<void> {
    if (this.#started) throw new Error('start(): this session was already started; use ctx.ws.connect() for a new one');
    this.#started = true;
    this.scope.track(this);
    if (this.#interrupt !== null) throw this.#interrupt;
    const r = await this.#dial();
    if (!r.ok) {
      this.#state = 'closed';
      this.scope.untrack(this);
      if (this.#interrupt !== null || r.code === 'INTERRUPTED') throw this.#interrupt ?? new InterruptedError();
      throw new WsConnectError(this.url, r.code, r.status, r.message);
    }
    if (this.#interrupt !== null) throw this.#interrupt;
    this.scope.store.add(M.ws_sessions, this.#tags, 1);
    // a greeting sent right after the upgrade must reach listeners the script attaches after `await connect()`
    setImmediate(() => {
      const held = this.#held;
      this.#held = null;
      if (held !== null) for (const m of held) this.#deliver(m);
    });
  }

  /** Send a message (objects as JSON). False when the session is not open (counted as WS_NOT_OPEN). */
  send(data: WsData): boolean {
    if (data === undefined) throw new TypeError('send(): nothing to send (the message is undefined)');
    return this.#write(data);
  }

  /**
   * Send a message and wait for the reply that answers it, recording
   * ws_msg_rtt (or ws_msg_failed with an error_code). Object messages get an
   * `id` field when they have none. Never rejects except on a VU interrupt.
   */
  request<R = Readonly<Record<string, unknown>>>(data: WsData, options?: WsRequestOptions<R>): Promise<WsReply> {
    if (this.#interrupt !== null) return Promise.reject(this.#interrupt);
    return this.#replies.request(data, options as WsRequestOptions<unknown> | undefined, this.#state === 'open');
  }

  /** The next message that `match` accepts, or null after `timeout` or when the session ends. Records nothing. */
  waitFor<R = Readonly<Record<string, unknown>>>(match: ReplyMatcher<R>, options?: { timeout?: DurationInput }): Promise<WsMessage | null> {
    if (this.#interrupt !== null) return Promise.reject(this.#interrupt);
    if (this.#state === 'closed') return Promise.resolve(null);
    const ms = options?.timeout === undefined ? this.settings.requestTimeoutMs : parseDuration(options.timeout, 'waitFor() timeout');
    return this.#replies.waitFor(match as ReplyMatcher<unknown>, ms);
  }

  /** Send a WebSocket ping; the round trip to its pong is recorded as ws_ping. Null if no pong came. */
  ping(): Promise<number | null> {
    const ws = this.#ws;
    if (ws === null || this.#state !== 'open') return Promise.resolve(null);
    return new Promise((resolve) => {
      const entry = {
        t0: now(),
        resolve,
        timer: setTimeout(() => {
          this.#pings = this.#pings.filter((p) => p !== entry);
          this.scope.store.add(M.ws_errors, this.#tags.with('error_code', 'WS_PING_TIMEOUT'), 1);
          resolve(null);
        }, this.settings.requestTimeoutMs),
      };
      this.#pings.push(entry);
      ws.ping();
    });
  }

  /** Send `makeMessage(n)` every interval while the session is open (presence). Returns a function that stops it. */
  heartbeat(interval: DurationInput, makeMessage: (n: number) => WsData, options?: WsHeartbeatOptions): () => void {
    const ms = parseDuration(interval, 'heartbeat() interval');
    if (!(ms > 0)) throw new TypeError(`heartbeat(): the interval must be more than 0 (got ${String(interval)})`);
    if (typeof makeMessage !== 'function') throw new TypeError('heartbeat(): the second argument must be a function that returns the message');
    const reply = options?.reply;
    const replyOptions = reply === undefined || reply === false ? null : reply === true ? {} : reply;
    let n = 0;
    const timer = setInterval(() => {
      if (this.#state !== 'open') return;
      let msg: WsData;
      try {
        msg = makeMessage(n++);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
        return;
      }
      if (replyOptions === null) this.#write(msg);
      else this.request(msg, replyOptions).catch(() => undefined);
    }, ms);
    this.#intervals.add(timer);
    return () => {
      clearInterval(timer);
      this.#intervals.delete(timer);
    };
  }

  /**
   * Slow consumer: stop reading from the socket for `duration` (the server's
   * sends back up in its buffers), then resume and drain what arrived.
   * Resolves with the number of messages drained after the resume.
   */
  async pauseReading(duration: DurationInput): Promise<{ drained: number }> {
    const ms = parseDuration(duration, 'pauseReading() duration');
    const ws = this.#ws;
    if (ws === null || this.#state !== 'open') return { drained: 0 };
    ws.pause();
    await this.#sleep(ms);
    if (this.#interrupt !== null) throw this.#interrupt;
    if (ws !== this.#ws) return { drained: 0 };
    ws.resume();
    const before = this.#received;
    let last = before;
    let quiet = 0;
    // drained: two turns of the event loop (each with a poll for I/O) brought nothing new
    for (let turn = 0; turn < 10_000 && quiet < 2 && ws === this.#ws; turn++) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.#received === last) quiet++;
      else {
        quiet = 0;
        last = this.#received;
      }
    }
    return { drained: this.#received - before };
  }

  /** Rapid fire: send `count` messages back to back without waiting. Returns how many were sent and the bytes left queued. */
  rapidFire(count: number, makeMessage: (i: number) => WsData): { sent: number; bufferedAmount: number } {
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`rapidFire(): count must be a positive integer (got ${String(count)})`);
    let sent = 0;
    for (let i = 0; i < count; i++) {
      if (!this.#write(makeMessage(i))) break;
      sent++;
    }
    return { sent, bufferedAmount: this.bufferedAmount };
  }

  on<E extends keyof WsSessionEvents>(event: E, listener: WsSessionEvents[E]): this {
    this.#listeners.on(event, listener);
    return this;
  }

  off<E extends keyof WsSessionEvents>(event: E, listener: WsSessionEvents[E]): this {
    this.#listeners.off(event, listener);
    return this;
  }

  /** Messages from now on, as an async iterator; ends when the session does. */
  messages(): AsyncIterableIterator<WsMessage> {
    const queues = (this.#queues ??= new Set());
    // unread messages: at most 10,000, and at most maxMessageBytes of them (a slow reader of a fast server)
    const max = this.settings.dial.maxMessageBytes;
    const q: AsyncQueue<WsMessage> = new AsyncQueue<WsMessage>(10_000, () => queues.delete(q), (m) => m.size, max > 0 ? max : Infinity);
    if (this.#state === 'closed') {
      if (this.#interrupt !== null) q.fail(this.#interrupt);
      else q.end();
    } else {
      queues.add(q);
    }
    return q;
  }

  [Symbol.asyncIterator](): AsyncIterator<WsMessage> {
    return this.messages();
  }

  /** Close the session (code 1000 or 3000–4999). Resolves when it has closed; no reconnection follows. */
  close(code = 1000, reason = ''): Promise<WsCloseInfo> {
    if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
      throw new TypeError(`close(): code ${String(code)} is not allowed (use 1000 or 3000–4999)`);
    }
    if (Buffer.byteLength(reason) > 123) throw new TypeError('close(): the reason must be at most 123 bytes');
    if (this.#state === 'closed' || this.#state === 'closing') return this.closed;
    this.#clientClose = true;
    const ws = this.#ws;
    if (ws === null) {
      this.#finish(code, reason, false);
      return this.closed;
    }
    this.#state = 'closing';
    ws.close(code, reason);
    const t = setTimeout(() => ws.terminate(), this.settings.closeTimeoutMs);
    t.unref();
    return this.closed;
  }

  /** The VU retired with this session open: close it normally so its duration and stability are recorded. */
  release(): Promise<unknown> {
    return this.close(1000, 'VU finished').catch(() => undefined);
  }

  /** VU interrupt: pending work rejects with `reason`, the socket is closed with 1001. */
  abort(reason?: Error): void {
    if (this.#interrupt !== null || this.#state === 'closed') return;
    this.#interrupt = reason ?? new InterruptedError();
    if (this.#state === 'connecting') {
      this.#dialing?.terminate();
      return;
    }
    this.#finish(1001, 'VU interrupted', false);
  }

  // ---- internals ----

  #dial(): Promise<DialResult> {
    return dial(
      this.settings.dial,
      (ws, sock) => this.#install(ws, sock),
      (ws) => (this.#dialing = ws),
      () => this.#interrupt !== null,
    ).then((r) => {
      const store = this.scope.store;
      const t = this.#tags.with('status', String(r.status));
      if (r.ok) store.add(M.ws_connecting, t, r.ms);
      else if (r.code !== 'INTERRUPTED') store.add(M.ws_errors, t.with('error_code', r.code), 1);
      return r;
    });
  }

  #install(ws: WebSocket, sock: Socket | null): void {
    if (this.#state === 'closed' || this.#state === 'closing' || this.#interrupt !== null) {
      ws.terminate();
      return;
    }
    this.#ws = ws;
    this.#sock = sock;
    this.#read = 0;
    this.#written = 0;
    this.#lastDrops = undefined;
    this.#lastError = null;
    this.#state = 'open';
    ws.on('message', (data, isBinary) => this.#onMessage(ws, data as Buffer, isBinary));
    ws.on('close', (code, reason) => this.#onClose(ws, code, reason.toString()));
    ws.on('error', (err) => {
      if (ws === this.#ws) this.#lastError = wsErrorCodeOf(err);
    });
    ws.on('pong', () => this.#onPong(ws));
    this.#flushBytes(); // the handshake
  }

  #write(data: WsData): boolean {
    const ws = this.#ws;
    if (ws === null || this.#state !== 'open') {
      this.scope.store.add(M.ws_errors, this.#tags.with('error_code', 'WS_NOT_OPEN'), 1);
      return false;
    }
    ws.send(encodeWsData(data));
    const store = this.scope.store;
    store.add(M.ws_msgs_sent, this.#tags, 1);
    store.add(M.ws_buffered_bytes, this.#tags, ws.bufferedAmount);
    this.#flushBytes();
    return true;
  }

  #flushBytes(): void {
    const s = this.#sock;
    if (s === null) return;
    const r = s.bytesRead;
    const w = s.bytesWritten;
    if (r > this.#read) {
      this.scope.store.add(builtin.data_received, this.scope.tags, r - this.#read);
      this.#read = r;
    }
    if (w > this.#written) {
      this.scope.store.add(builtin.data_sent, this.scope.tags, w - this.#written);
      this.#written = w;
    }
  }

  #onMessage(ws: WebSocket, buf: Buffer, binary: boolean): void {
    if (ws !== this.#ws) return;
    this.#flushBytes();
    this.#received++;
    const msg = new WsMessage(binary ? buf : buf.toString('utf8'), binary, buf.length, Date.now());
    const store = this.scope.store;
    store.add(M.ws_msgs_received, this.#tags, 1);
    const bp = backpressureOf(msg);
    if (bp !== undefined) {
      if (bp.drops !== undefined) {
        const prev = this.#lastDrops;
        store.add(M.ws_backpressure_drops, this.#tags, prev === undefined || bp.drops < prev ? bp.drops : bp.drops - prev);
        this.#lastDrops = bp.drops;
      }
      if (bp.queueSize !== undefined) store.add(M.ws_server_queue_size, this.#tags, bp.queueSize);
    }
    if (this.#held !== null) this.#held.push(msg);
    else this.#deliver(msg);
  }

  #deliver(msg: WsMessage): void {
    this.#replies.deliver(msg);
    this.#listeners.emit('message', msg);
    if (this.#queues !== null) for (const q of this.#queues) q.push(msg);
  }

  #onPong(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    const p = this.#pings.shift();
    if (p === undefined) return;
    clearTimeout(p.timer);
    const rtt = now() - p.t0;
    this.scope.store.add(M.ws_ping, this.#tags, rtt);
    p.resolve(rtt);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    this.#flushBytes();
    this.#ws = null;
    this.#sock = null;
    if (this.#clientClose || isNormalClose(code)) {
      this.#finish(code, reason, false);
      return;
    }
    this.#drops++;
    const errorCode = this.#lastError ?? `WS_CLOSE_${code}`;
    this.scope.store.add(M.ws_errors, this.#tags.with('error_code', errorCode), 1);
    this.#replies.failAll('WS_CLOSED_BEFORE_REPLY');
    this.#failPings();
    this.#listeners.emit('drop', { code, reason, errorCode });
    const policy = this.settings.reconnect;
    if (policy !== null && policy.retries > 0) {
      this.#state = 'reconnecting';
      void this.#reconnect(policy, now(), code, reason);
    } else {
      this.#finish(code, reason, true);
    }
  }

  async #reconnect(policy: WsReconnectPolicy, droppedAt: number, code: number, reason: string): Promise<void> {
    for (let attempt = 1; attempt <= policy.retries; attempt++) {
      await this.#sleep(backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, policy.jitter));
      if (this.#state !== 'reconnecting') return;
      const r = await this.#dial();
      if ((this.#state as WsState) === 'closed') return; // close() or an interrupt during the handshake
      if (r.ok) {
        this.#reconnects++;
        const durationMs = now() - droppedAt;
        this.scope.store.add(M.ws_reconnects, this.#tags, 1);
        this.scope.store.add(M.ws_reconnect_duration, this.#tags, durationMs);
        this.#listeners.emit('reconnect', { attempt, durationMs });
        return;
      }
    }
    this.scope.store.add(M.ws_errors, this.#tags.with('error_code', 'WS_RECONNECT_FAILED'), 1);
    this.#finish(code, reason, true);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        done: resolve,
      };
      this.#sleeps.add(entry);
    });
  }

  #failPings(): void {
    for (const p of this.#pings) {
      clearTimeout(p.timer);
      p.resolve(null);
    }
    this.#pings = [];
  }

  #finish(code: number, reason: string, unexpected: boolean): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const ws = this.#ws;
    if (ws !== null) {
      // interrupted while open: leave politely, but do not wait for the server
      this.#flushBytes();
      this.#ws = null;
      this.#sock = null;
      ws.close(1001, reason);
      setTimeout(() => ws.terminate(), this.settings.closeTimeoutMs).unref();
    }
    for (const t of this.#intervals) clearInterval(t);
    this.#intervals.clear();
    for (const s of this.#sleeps) {
      clearTimeout(s.timer);
      s.done();
    }
    this.#sleeps.clear();
    this.#failPings();
    const interrupt = this.#interrupt;
    if (interrupt !== null) this.#replies.rejectAll(interrupt);
    else {
      this.#replies.failAll('WS_CLOSED_BEFORE_REPLY');
      this.#replies.endWaiters(null);
    }
    if (this.#queues !== null) {
      for (const q of this.#queues) {
        if (interrupt !== null) q.fail(interrupt);
        else q.end();
      }
      this.#queues = null;
    }
    const store = this.scope.store;
    store.add(M.ws_session_duration, this.#tags, now() - this.#t0);
    store.add(M.ws_stability, this.#tags, this.#drops === 0 ? 1 : 0);
    this.scope.untrack(this);
    const info: WsCloseInfo = { code, reason, unexpected, drops: this.#drops, reconnects: this.#reconnects };
    this.#listeners.emit('close', info);
    if (interrupt !== null) this.#rejectClosed(interrupt);
    else this.#resolveClosed(info);
  }
}
