/**
 * agentload's own HTTP/1.1 connection pool for plain-HTTP origins: the
 * request loop's transport. One request per connection at a time (no
 * pipelining), keep-alive, at most `maxConnectionsPerOrigin` sockets per
 * origin with a FIFO queue past it, request heads serialized once and reused
 * as Buffers, responses parsed by h1-parser.ts without copying bodies.
 *
 * It speaks the same handler protocol as undici's dispatch API (onConnect,
 * onRequestSent, onResponseStarted, onHeaders, onData, onComplete, onError)
 * and reports failures with the same error codes (UND_ERR_HEADERS_TIMEOUT,
 * UND_ERR_SOCKET, … and Node's system codes), so a test's error_code tags do
 * not depend on the transport. HTTPS and everything streaming (SSE, LLM, A2A)
 * stay on undici.
 *
 * Each request has a deadline for the whole exchange and a limit on its body
 * (RESPONSE_TOO_LARGE, refused at the headers when Content-Length says so):
 * neither a body that trickles forever nor one that never ends can hold a
 * connection or memory past them. One sweep timer checks every deadline.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { H1Parser, type H1ParserSink } from './h1-parser.ts';

/** The callbacks of one request: undici's dispatch handler, with the header block as one Buffer. */
export interface H1Handler {
  onConnect(abort: (err?: Error) => void): void;
  /** `bytes`: what was written, head and body. */
  onRequestSent(bytes: number): void;
  onResponseStarted(): void;
  /** `present`: HAS_SET_COOKIE / HAS_LOCATION bits (h1-parser.ts). */
  onHeaders(status: number, headerBlock: Buffer, resume: () => void, statusText: string, present: number): boolean;
  onData(chunk: Buffer): boolean;
  /** `bytes`: the response as it came on the wire (status line, headers, body with its framing). */
  onComplete(trailers: null, bytes: number): void;
  /** `bytes`: what had been read of the response when it failed. */
  onError(err: Error, bytes?: number): void;
}

export interface H1Request {
  method: string;
  /** Path and query, as sent on the request line. */
  path: string;
  /** Header names in lower case. The same object for many requests lets the pool reuse the serialized head. */
  headers: Readonly<Record<string, string>>;
  body: string | Uint8Array | null;
  /**
   * performance.now() past which the request fails, whatever phase it is in (the request timeout, counted by the
   * caller from the request's start): UND_ERR_HEADERS_TIMEOUT before the headers, UND_ERR_BODY_TIMEOUT after.
   */
  deadline: number;
  /** Largest body accepted (bytes); past it, or announced past it, the request fails with RESPONSE_TOO_LARGE. Infinity: no limit. */
  maxBodyBytes: number;
}

/** Work timed by the pool's sweep that is not one of its requests (undici's): `expire()` is called once, past `deadline`. */
export interface Expiring {
  readonly deadline: number;
  expire(): void;
}

/** A transport failure with a stable code (the same codes undici uses). */
export class H1Error extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'H1Error';
  }
}

export interface H1PoolOptions {
  /** Sockets per origin; 0 = no limit. */
  maxConnectionsPerOrigin?: number;
  connectTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this long (ms), or sooner when the server says so. */
  keepAliveTimeoutMs?: number;
  /** Called with the TCP set-up time of every connection opened. */
  onConnectTiming?: (connectingMs: number) => void;
  /** The clock keep-alive expiry reads (default performance.now); tests pass a fake one to age idle sockets. */
  idleClock?: () => number;
}

const now = (): number => performance.now();
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\r\n\0]/;
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const noop = (): void => {};
/** Where this thread's sockets read into; each read is copied out before the next one (see Connection). */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
/** How often in-flight requests are checked against their deadlines (ms). */
const SWEEP_MS = 25;

/** The request's deadline passed after its headers: the body was still arriving, or had stalled. */
export function bodyTimeout(): H1Error {
  return new H1Error('the response body was still arriving when the request timeout ran out', 'UND_ERR_BODY_TIMEOUT');
}

function tooLarge(message: string): H1Error {
  return new H1Error(message, 'RESPONSE_TOO_LARGE');
}

interface Queued {
  req: H1Request;
  handler: H1Handler;
  head: Buffer;
  body: string | Uint8Array | null;
  /** This is the one retry of a request whose reused connection closed before answering. */
  retry: boolean;
}

/**
 * Methods sent again, once, on a new connection when a reused keep-alive connection closes before any byte
 * of the response (the server closed it as the request went out), as Go's net/http does and so k6.
 */
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

function invalid(message: string): H1Error {
  return new H1Error(message, 'UND_ERR_INVALID_ARG');
}

/** `METHOD path HTTP/1.1` and the header lines, ending with the blank line. Validates what it writes. */
function serializeHead(req: H1Request, hostHeader: string, bodyLength: number): Buffer {
  if (!TOKEN.test(req.method)) throw invalid(`invalid method "${req.method}"`);
  if (req.path.length === 0 || req.path.charCodeAt(0) !== 47 || /[\s\0]/.test(req.path)) throw invalid(`invalid request path "${req.path}"`);
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  const h = req.headers;
  if (h.host === undefined) head += `host: ${hostHeader}\r\n`;
  for (const name in h) {
    const value = h[name] as string;
    if (!TOKEN.test(name)) throw invalid(`invalid header name "${name}"`);
    if (BAD_VALUE.test(value)) throw invalid(`invalid value for header "${name}"`);
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    head += `${name}: ${value}\r\n`;
  }
  if (bodyLength >= 0) head += `content-length: ${bodyLength}\r\n`;
  head += 'connection: keep-alive\r\n\r\n';
  return Buffer.from(head, 'latin1');
}

class Connection implements H1ParserSink {
  readonly socket: net.Socket;
  readonly parser: H1Parser;
  handler: H1Handler | null = null;
  connected = false;
  /** performance.now() past which the connect, or the request in flight, has failed. */
  deadline: number;
  /** When an idle socket stops being reused. */
  idleUntil = 0;
  #started = false;
  /** The request's body limit, and the body bytes received so far. */
  #maxBody = Infinity;
  #body = 0;
  /** Responses completed on this connection. */
  #served = 0;
  #req: H1Request | null = null;
  #head: Buffer | null = null;
  #replayable = false;
  /** Bytes of the current response received so far. */
  #read = 0;
  #completed = false;
  #keepAlive = false;
  #error: Error | null = null;
  #closed = false;

  constructor(
    readonly origin: Origin,
    connectTimeoutMs: number,
  ) {
    const t0 = now();
    this.deadline = t0 + connectTimeoutMs;
    this.parser = new H1Parser(this);
    // onread: the socket reads into one buffer shared by the thread's connections instead of a fresh
    // allocation per read, and skips the Readable stream; #data copies what it passes on
    this.socket = net.connect({
      host: origin.host,
      port: origin.port,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          // a copy: the body and the header block outlive this read (small ones come from Node's buffer pool)
          this.#data(Buffer.from(buf.subarray(0, n)));
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.connected = true;
      this.deadline = Infinity;
      this.idleUntil = origin.pool.idleClock() + origin.pool.keepAliveTimeoutMs;
      origin.pool.busy.delete(this);
      origin.pool.connectTiming(now() - t0);
      origin.connected(this);
    });
    this.socket.on('error', (err: Error) => (this.#error ??= err));
    this.socket.on('close', () => this.#close());
  }

  start(req: H1Request, handler: H1Handler, head: Buffer, body: string | Uint8Array | null, retry: boolean): void {
    this.handler = handler;
    this.#req = req;
    this.#head = head;
    this.#replayable = !retry && this.#served > 0 && body === null && REPLAYABLE.has(req.method);
    this.parser.expect(req.method === 'HEAD');
    this.#started = false;
    this.#completed = false;
    this.#maxBody = req.maxBodyBytes;
    this.#body = 0;
    this.origin.pool.busy.add(this);
    handler.onConnect((err?: Error) => {
      if (this.handler === handler) this.fail(err ?? new H1Error('request aborted', 'UND_ERR_ABORTED'));
    });
    if (this.handler !== handler) return; // aborted before it was written
    this.deadline = req.deadline;
    let bytes = head.length;
    if (body === null) {
      this.socket.write(head);
    } else {
      bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    }
    handler.onRequestSent(bytes);
  }

  // the handler may abort the request from its callbacks: later pieces of the same read then go nowhere
  onHead(status: number, statusText: string, headerBlock: Buffer, present: number): void {
    const h = this.handler;
    if (h === null) return;
    h.onHeaders(status, headerBlock, noop, statusText, present);
    // refused before a byte of it is read: the connection closes, the body is never received
    const announced = this.parser.contentLength;
    if (announced > this.#maxBody && this.handler === h) {
      this.fail(tooLarge(`the response announces ${announced} bytes (content-length), more than maxResponseBytes (${this.#maxBody})`));
    }
  }

  onBody(chunk: Buffer): void {
    const h = this.handler;
    if (h === null) return;
    this.#body += chunk.length;
    if (this.#body > this.#maxBody) this.fail(tooLarge(`the response body exceeded maxResponseBytes (${this.#maxBody} bytes)`));
    else h.onData(chunk);
  }

  onDone(keepAlive: boolean): void {
    this.#completed = true;
    this.#keepAlive = keepAlive;
  }

  /** Fail the request in flight and close the socket (never reused: the rest of the response may still come). */
  fail(err: Error): void {
    const h = this.handler;
    this.handler = null;
    this.origin.pool.busy.delete(this);
    this.socket.destroy();
    if (h !== null) h.onError(err, this.#started ? this.#read : 0);
  }

  #data(chunk: Buffer): void {
    const h = this.handler;
    if (h === null) {
      // bytes nobody asked for: the connection is out of step
      this.socket.destroy();
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#read = 0;
      h.onResponseStarted();
    }
    this.#read += chunk.length;
    let extra: number;
    try {
      extra = this.parser.execute(chunk);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (this.#completed && this.handler === h) {
      this.#read -= extra;
      this.#finish(extra === 0 && this.#keepAlive);
    }
  }

  #finish(reuse: boolean): void {
    const h = this.handler as H1Handler;
    this.handler = null;
    this.#served++;
    const pool = this.origin.pool;
    pool.busy.delete(this);
    if (reuse && !this.#closed) {
      const hint = this.parser.keepAliveHintMs;
      this.idleUntil = pool.idleClock() + (hint > 0 ? Math.min(pool.keepAliveTimeoutMs, hint - 1000) : pool.keepAliveTimeoutMs);
      this.origin.release(this);
    } else {
      this.socket.destroy();
    }
    h.onComplete(null, this.#read);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.origin.pool.busy.delete(this);
    const h = this.handler;
    if (h !== null) {
      if (this.parser.untilClose && this.#error === null && this.parser.end() && this.handler === h) {
        this.#finish(false);
      } else {
        this.handler = null;
        if (this.#replayable && !this.#started && this.#req !== null && this.#head !== null) this.origin.requeue(this.#req, h, this.#head);
        else h.onError(this.#error ?? new H1Error('other side closed', 'UND_ERR_SOCKET'), this.#started ? this.#read : 0);
      }
    }
    this.origin.closed(this, this.connected ? null : (this.#error ?? new H1Error('connection closed before it was established', 'UND_ERR_SOCKET')));
  }
}

class Origin {
  readonly idle: Connection[] = [];
  readonly queue: Queued[] = [];
  #queueHead = 0;
  open = 0;
  connecting = 0;
  /** Serialized heads: headers object → method → path → bytes. */
  readonly heads = new WeakMap<object, Map<string, Map<string, Buffer>>>();
  readonly #seenOnce = new WeakSet<object>();

  constructor(
    readonly pool: H1Pool,
    readonly host: string,
    readonly port: number,
    readonly hostHeader: string,
  ) {}

  dispatch(req: H1Request, handler: H1Handler): void {
    // serialized before a connection is taken or opened: a request that cannot be written fails at once
    let head: Buffer;
    let body: string | Uint8Array | null = req.body;
    try {
      if (body === null) {
        head = this.#cachedHead(req);
      } else {
        const n = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
        if (n === 0) body = null;
        head = serializeHead(req, this.hostHeader, n);
      }
    } catch (e) {
      handler.onError(e as Error);
      return;
    }
    const c = this.#takeIdle();
    if (c !== null && this.#queueLength() === 0) {
      c.start(req, handler, head, body, false);
      return;
    }
    if (c !== null) this.idle.push(c);
    this.queue.push({ req, handler, head, body, retry: false });
    this.#grow();
  }

  /** Send a request again (see REPLAYABLE); the caller's `closed()` opens the connection it needs. */
  requeue(req: H1Request, handler: H1Handler, head: Buffer): void {
    this.queue.push({ req, handler, head, body: null, retry: true });
  }

  connected(c: Connection): void {
    this.connecting--;
    this.release(c);
  }

  /** A connection is free: give it the next queued request, or keep it idle. */
  release(c: Connection): void {
    let q = this.#shift();
    if (q !== undefined && q.req.deadline <= now()) {
      // requests whose deadline passed while they waited for a connection fail unsent, and the connection stays clean
      const t = now();
      while (q !== undefined && q.req.deadline <= t) {
        q.handler.onError(new H1Error('no response headers within the request timeout (the request waited for a free connection)', 'UND_ERR_HEADERS_TIMEOUT'), 0);
        q = this.#shift();
      }
    }
    if (q === undefined) this.idle.push(c);
    else c.start(q.req, q.handler, q.head, q.body, q.retry);
  }

  closed(c: Connection, connectError: Error | null): void {
    this.open--;
    const i = this.idle.indexOf(c);
    if (i !== -1) this.idle.splice(i, 1);
    if (connectError !== null) {
      this.connecting--;
      // as undici does: a connection that could not be opened fails the requests waiting for one
      for (let q = this.#shift(); q !== undefined; q = this.#shift()) q.handler.onError(connectError);
      return;
    }
    this.#grow();
  }

  close(err: Error): void {
    for (let q = this.#shift(); q !== undefined; q = this.#shift()) q.handler.onError(err);
    for (const c of [...this.idle]) c.socket.destroy();
  }

  /** Close idle sockets past their time (run by the pool's sweeper, every 100 ms). */
  expireIdle(t: number): void {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const c = this.idle[i] as Connection;
      if (c.idleUntil <= t) {
        this.idle.splice(i, 1);
        c.socket.destroy();
      }
    }
  }

  #cachedHead(req: H1Request): Buffer {
    let byMethod = this.heads.get(req.headers);
    if (byMethod === undefined) {
      // a headers object built for one request is not worth a cache: cache from its second use
      if (!this.#seenOnce.has(req.headers)) {
        this.#seenOnce.add(req.headers);
        return serializeHead(req, this.hostHeader, PAYLOAD_METHODS.has(req.method) ? 0 : -1);
      }
      byMethod = new Map();
      this.heads.set(req.headers, byMethod);
    }
    let byPath = byMethod.get(req.method);
    if (byPath === undefined) {
      byPath = new Map();
      byMethod.set(req.method, byPath);
    }
    let head = byPath.get(req.path);
    if (head === undefined) {
      head = serializeHead(req, this.hostHeader, PAYLOAD_METHODS.has(req.method) ? 0 : -1);
      if (byPath.size < 1000) byPath.set(req.path, head);
    }
    return head;
  }

  #takeIdle(): Connection | null {
    const t = this.pool.idleClock();
    for (let c = this.idle.pop(); c !== undefined; c = this.idle.pop()) {
      if (c.idleUntil > t) return c;
      c.socket.destroy();
    }
    return null;
  }

  #queueLength(): number {
    return this.queue.length - this.#queueHead;
  }

  #shift(): Queued | undefined {
    if (this.#queueHead >= this.queue.length) return undefined;
    const q = this.queue[this.#queueHead] as Queued;
    (this.queue as (Queued | undefined)[])[this.#queueHead] = undefined;
    this.#queueHead++;
    if (this.#queueHead === this.queue.length) {
      this.queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.#queueHead);
      this.#queueHead = 0;
    }
    return q;
  }

  /** Open connections for waiting requests, up to the cap. */
  #grow(): void {
    const max = this.pool.maxConnectionsPerOrigin;
    while (this.#queueLength() > this.connecting && (max === 0 || this.open < max)) {
      this.open++;
      this.connecting++;
      const c = new Connection(this, this.pool.connectTimeoutMs);
      this.pool.track(c);
    }
  }
}

/** The pool of every plain-HTTP origin a worker talks to. */
export class H1Pool {
  readonly maxConnectionsPerOrigin: number;
  readonly connectTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly idleClock: () => number;
  /** Connections with a request in flight or a connect under way: their deadlines are swept. */
  readonly busy = new Set<Connection>();
  /** Other work whose deadline the sweep checks (see watch()). */
  readonly #watched = new Set<Expiring>();
  readonly #origins = new Map<string, Origin>();
  readonly #onConnectTiming: (ms: number) => void;
  #sweeper: NodeJS.Timeout | null = null;
  #sweeps = 0;
  #closed = false;

  constructor(options: H1PoolOptions = {}) {
    this.maxConnectionsPerOrigin = options.maxConnectionsPerOrigin ?? 0;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 30_000;
    this.idleClock = options.idleClock ?? now;
    this.#onConnectTiming = options.onConnectTiming ?? noop;
  }

  /**
   * Send one request to `origin` ("http://host:port"). The handler's onError is called for every failure,
   * synchronously for a request that cannot be written (invalid header, pool closed).
   */
  dispatch(origin: string, req: H1Request, handler: H1Handler): void {
    if (this.#closed) {
      handler.onError(new H1Error('the HTTP pool is closed', 'UND_ERR_DESTROYED'));
      return;
    }
    let o = this.#origins.get(origin);
    if (o === undefined) {
      const u = new URL(origin);
      if (u.protocol !== 'http:') throw new TypeError(`H1Pool serves http: origins only, not ${origin}`);
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      o = new Origin(this, host, u.port === '' ? 80 : Number(u.port), u.host);
      this.#origins.set(origin, o);
    }
    this.#startSweeper();
    o.dispatch(req, handler);
  }

  /**
   * Time `w` with this pool's sweep: its `expire()` is called once `deadline` has passed, unless unwatch()
   * came first. The HTTPS requests (undici) get their whole-request deadline this way, without a timer each.
   */
  watch(w: Expiring): void {
    this.#watched.add(w);
    this.#startSweeper();
  }

  unwatch(w: Expiring): void {
    this.#watched.delete(w);
  }

  #startSweeper(): void {
    if (this.#sweeper !== null || this.#closed) return;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#sweeper.unref();
  }

  track(c: Connection): void {
    this.busy.add(c);
  }

  connectTiming(ms: number): void {
    this.#onConnectTiming(ms);
  }

  #sweep(): void {
    const t = now();
    if (++this.#sweeps % 4 === 0) for (const o of this.#origins.values()) o.expireIdle(this.idleClock());
    if (this.#watched.size > 0) {
      for (const w of this.#watched) {
        if (w.deadline > t) continue;
        this.#watched.delete(w);
        w.expire();
      }
    }
    if (this.busy.size === 0) return;
    for (const c of this.busy) {
      if (c.deadline > t) continue;
      if (!c.connected) {
        this.busy.delete(c);
        c.socket.destroy(new H1Error(`connect timed out after ${this.connectTimeoutMs} ms`, 'UND_ERR_CONNECT_TIMEOUT'));
      } else if (c.parser.busy && c.handler !== null) {
        const headers = !c.parser.headersSeen;
        c.fail(headers ? new H1Error('no response headers within the request timeout', 'UND_ERR_HEADERS_TIMEOUT') : bodyTimeout());
      }
    }
  }

  /** Close every socket; requests still waiting fail with UND_ERR_DESTROYED. */
  close(): Promise<void> {
    this.#closed = true;
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    this.#watched.clear();
    const err = new H1Error('the HTTP pool is closed', 'UND_ERR_DESTROYED');
    for (const o of this.#origins.values()) o.close(err);
    for (const c of [...this.busy]) c.fail(err);
    this.#origins.clear();
    return Promise.resolve();
  }
}
