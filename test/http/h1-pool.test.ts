/** agentload's HTTP/1.1 connection pool (src/protocols/http/h1-pool.ts) against real node:http and node:net servers on loopback. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { H1Error, H1Pool, type H1Handler, type H1PoolOptions, type H1Request } from '../../src/protocols/http/h1-pool.ts';
import { H1ParseError, HAS_LOCATION, HAS_SET_COOKIE } from '../../src/protocols/http/h1-parser.ts';
import { closedPort } from '../helpers/servers.ts';

/** Every test stops by itself: the runner cancels anything past this. */
const LIMIT = { timeout: 15_000 };
/** How long `send` waits for onComplete/onError before giving up with code TEST_GUARD_TIMEOUT. */
const GUARD_MS = 8_000;

function codeOf(err: Error | null): string | null {
  if (err === null) return null;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : null;
}

// ---------------------------------------------------------------- servers

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** Which connection (1, 2, …) carried the request. */
  conn: number;
}

interface HttpServer {
  origin: string;
  port: number;
  server: http.Server;
  seen: Seen[];
  /** 'connection' events so far. */
  readonly connections: number;
  /** Most sockets open at once. */
  readonly maxOpen: number;
  /** Resolves once `n` requests have arrived. */
  whenSeen(n: number): Promise<void>;
  /** Resolves once `n` sockets have closed. */
  whenClosed(n: number): Promise<void>;
  close(): Promise<void>;
}

type Handle = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

interface Waiter {
  n: number;
  resolve: () => void;
}

function settle(waiters: Waiter[], count: number): void {
  for (const w of waiters.splice(0)) {
    if (count >= w.n) w.resolve();
    else waiters.push(w);
  }
}

/** A node:http server on 127.0.0.1:0 that reads each request body fully before calling `handle`. */
async function startHttp(t: TestContext, handle: Handle, keepAliveTimeout?: number): Promise<HttpServer> {
  const seen: Seen[] = [];
  const connIds = new WeakMap<net.Socket, number>();
  const state = { connections: 0, open: 0, maxOpen: 0, closed: 0 };
  const seenWaiters: Waiter[] = [];
  const closedWaiters: Waiter[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks), conn: connIds.get(req.socket) ?? 0 };
      seen.push(s);
      settle(seenWaiters, seen.length);
      handle(req, res, s);
    });
  });
  if (keepAliveTimeout !== undefined) server.keepAliveTimeout = keepAliveTimeout;
  server.on('connection', (socket: net.Socket) => {
    state.connections++;
    connIds.set(socket, state.connections);
    state.open++;
    state.maxOpen = Math.max(state.maxOpen, state.open);
    socket.on('close', () => {
      state.open--;
      state.closed++;
      settle(closedWaiters, state.closed);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const s: HttpServer = {
    origin: `http://127.0.0.1:${port}`,
    port,
    server,
    seen,
    get connections() {
      return state.connections;
    },
    get maxOpen() {
      return state.maxOpen;
    },
    whenSeen: (n) => (seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => seenWaiters.push({ n, resolve }))),
    whenClosed: (n) => (state.closed >= n ? Promise.resolve() : new Promise<void>((resolve) => closedWaiters.push({ n, resolve }))),
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  t.after(() => s.close());
  return s;
}

interface RawServer {
  origin: string;
  /** Request heads received, in order. */
  heads: string[];
  readonly connections: number;
  readonly closed: number;
  whenSeen(n: number): Promise<void>;
  whenClosed(n: number): Promise<void>;
  close(): Promise<void>;
}

/** `handle` answers each request head (requests to raw servers carry no body) however it likes; `index` counts requests over all connections from 0. */
type RawHandle = (socket: net.Socket, head: string, index: number) => void;

/** A node:net server on 127.0.0.1:0 that splits the incoming bytes into request heads and hands each to `handle`. */
async function startRaw(t: TestContext, handle: RawHandle): Promise<RawServer> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const state = { connections: 0, closed: 0 };
  const seenWaiters: Waiter[] = [];
  const closedWaiters: Waiter[] = [];
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    let pending = '';
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let at = pending.indexOf('\r\n\r\n'); at !== -1; at = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, at + 4);
        pending = pending.slice(at + 4);
        heads.push(head);
        settle(seenWaiters, heads.length);
        handle(socket, head, heads.length - 1);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      state.closed++;
      settle(closedWaiters, state.closed);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  let closed = false;
  const s: RawServer = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    get connections() {
      return state.connections;
    },
    get closed() {
      return state.closed;
    },
    whenSeen: (n) => (heads.length >= n ? Promise.resolve() : new Promise<void>((resolve) => seenWaiters.push({ n, resolve }))),
    whenClosed: (n) => (state.closed >= n ? Promise.resolve() : new Promise<void>((resolve) => closedWaiters.push({ n, resolve }))),
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  t.after(() => s.close());
  return s;
}

// ---------------------------------------------------------------- client

function newPool(t: TestContext, options: H1PoolOptions = {}): H1Pool {
  const pool = new H1Pool(options);
  t.after(() => pool.close());
  return pool;
}

function request(over: Partial<H1Request> = {}): H1Request {
  return { method: 'GET', path: '/', headers: {}, body: null, deadline: performance.now() + 5_000, maxBodyBytes: Infinity, ...over };
}

interface Outcome {
  status: number;
  statusText: string;
  /** The header block as latin1 text. */
  headers: string;
  present: number;
  body: Buffer;
  error: Error | null;
  code: string | null;
  /** Handler calls in order; calls after the first onComplete/onError are prefixed "late:". */
  events: string[];
}

interface Hooks {
  onConnect?(abort: (err?: Error) => void): void;
  onRequestSent?(abort: (err?: Error) => void): void;
  onHeaders?(abort: (err?: Error) => void): void;
}

interface Sent {
  done: Promise<Outcome>;
  /** Whether onError/onComplete ran before dispatch() returned. */
  settledSync: boolean;
  outcome: Outcome;
  abort: (err?: Error) => void;
}

/** Dispatch one request; `done` resolves at its onComplete or onError (or after GUARD_MS with code TEST_GUARD_TIMEOUT). */
function dispatch(pool: H1Pool, origin: string, req: H1Request, hooks: Hooks = {}): Sent {
  const out: Outcome = { status: 0, statusText: '', headers: '', present: 0, body: Buffer.alloc(0), error: null, code: null, events: [] };
  const chunks: Buffer[] = [];
  let finished = false;
  let resolveDone: (o: Outcome) => void = () => {};
  const done = new Promise<Outcome>((r) => (resolveDone = r));
  const guard = setTimeout(() => {
    out.code = 'TEST_GUARD_TIMEOUT';
    finish();
  }, GUARD_MS);
  function finish(): void {
    if (finished) return;
    finished = true;
    clearTimeout(guard);
    out.body = Buffer.concat(chunks);
    resolveDone(out);
  }
  const event = (name: string): void => {
    out.events.push(finished ? `late:${name}` : name);
  };
  const sent: Sent = { done, settledSync: false, outcome: out, abort: () => {} };
  const handler: H1Handler = {
    onConnect(abort) {
      sent.abort = abort;
      event('connect');
      hooks.onConnect?.(abort);
    },
    onRequestSent() {
      event('sent');
      hooks.onRequestSent?.(sent.abort);
    },
    onResponseStarted() {
      event('started');
    },
    onHeaders(status, headerBlock, _resume, statusText, present) {
      event('headers');
      out.status = status;
      out.statusText = statusText;
      out.headers = headerBlock.toString('latin1');
      out.present = present;
      hooks.onHeaders?.(sent.abort);
      return true;
    },
    onData(chunk) {
      event('data');
      chunks.push(Buffer.from(chunk));
      return true;
    },
    onComplete(trailers) {
      assert.equal(trailers, null);
      event('complete');
      finish();
    },
    onError(err) {
      event('error');
      if (!finished) {
        out.error = err;
        out.code = codeOf(err);
      }
      finish();
    },
  };
  pool.dispatch(origin, req, handler);
  sent.settledSync = finished;
  return sent;
}

const send = (pool: H1Pool, origin: string, req: H1Request, hooks: Hooks = {}): Promise<Outcome> => dispatch(pool, origin, req, hooks).done;

/** The events of a successful request: connect, sent, started, headers, at least one data when there is a body, complete. */
function assertSuccessEvents(events: string[], withBody: boolean): void {
  assert.deepEqual(events.slice(0, 4), ['connect', 'sent', 'started', 'headers'], events.join(','));
  assert.equal(events.at(-1), 'complete', events.join(','));
  const middle = events.slice(4, -1);
  assert.ok(middle.every((e) => e === 'data'), events.join(','));
  if (withBody) assert.ok(middle.length >= 1, events.join(','));
  else assert.equal(middle.length, 0, events.join(','));
}

/** A node:http handler answering 200 with "METHOD URL" and an explicit content-length. */
function echoLine(req: http.IncomingMessage, res: http.ServerResponse): void {
  const body = `${req.method ?? ''} ${req.url ?? ''}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

// ---------------------------------------------------------------- requests

test('GET with a query string: the server sees method, path, host and no content-length; the response comes back exactly', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    res.sendDate = false;
    res.writeHead(200, { 'content-type': 'text/plain', 'x-reply': 'yes', 'content-length': '5' });
    res.end('hello');
  });
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/echo?x=1&y=%C3%A9&empty=', headers: { 'x-test': 'a b', accept: '*/*' } }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.status, 200);
  assert.equal(r.statusText, 'OK');
  assert.equal(r.headers, 'content-type: text/plain\r\nx-reply: yes\r\ncontent-length: 5\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n');
  assert.equal(r.present, 0);
  assert.equal(r.body.toString(), 'hello');
  assertSuccessEvents(r.events, true);

  assert.equal(srv.seen.length, 1);
  const s = srv.seen[0] as Seen;
  assert.equal(s.method, 'GET');
  assert.equal(s.url, '/echo?x=1&y=%C3%A9&empty=');
  assert.equal(s.headers.host, `127.0.0.1:${srv.port}`);
  assert.equal(s.headers['content-length'], undefined);
  assert.equal(s.headers['transfer-encoding'], undefined);
  assert.equal(s.headers.connection, 'keep-alive');
  assert.equal(s.headers['x-test'], 'a b');
  assert.equal(s.headers.accept, '*/*');
  assert.equal(s.body.length, 0);
});

test('POST with a string body: content-length counts UTF-8 bytes and the server gets those bytes', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const text = 'héllo wörld ✓ 日本語 🚀';
  const utf8 = Buffer.from(text, 'utf8');
  assert.notEqual(utf8.length, text.length, 'the body has multibyte characters');
  const r = await send(pool, srv.origin, request({ method: 'POST', path: '/submit?id=7', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'POST /submit?id=7');
  const s = srv.seen[0] as Seen;
  assert.equal(s.method, 'POST');
  assert.equal(s.url, '/submit?id=7');
  assert.equal(s.headers.host, `127.0.0.1:${srv.port}`);
  assert.equal(s.headers['content-length'], String(utf8.length));
  assert.equal(s.headers['content-type'], 'text/plain; charset=utf-8');
  assert.deepEqual(s.body, utf8);
  assert.equal(s.body.toString('utf8'), text);
});

test('POST and PUT with a Uint8Array body: every byte arrives and content-length matches', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const bytes = new Uint8Array(1000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 256;
  const r = await send(pool, srv.origin, request({ method: 'POST', path: '/bin', headers: { 'content-type': 'application/octet-stream' }, body: bytes }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.status, 200);
  // a view into a larger buffer: only the view's bytes are sent
  const backing = Buffer.from('xxxxPAYLOADyyyy');
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 7);
  const r2 = await send(pool, srv.origin, request({ method: 'PUT', path: '/view', body: view }));
  assert.equal(r2.code, null, String(r2.error));
  assert.equal(srv.seen.length, 2);
  const [a, b] = srv.seen as [Seen, Seen];
  assert.equal(a.method, 'POST');
  assert.equal(a.headers['content-length'], '1000');
  assert.deepEqual(new Uint8Array(a.body), bytes);
  assert.equal(b.method, 'PUT');
  assert.equal(b.url, '/view');
  assert.equal(b.headers['content-length'], '7');
  assert.equal(b.body.toString(), 'PAYLOAD');
  assert.equal(srv.connections, 1, 'both on one keep-alive connection');
});

test('a POST, PUT or PATCH without a body sends content-length: 0; GET, DELETE and OPTIONS send none', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const shared = { 'x-shared': '1' }; // the same headers object twice: the second use comes from the head cache
  const cases: [string, string | Uint8Array | null, Readonly<Record<string, string>>, string | undefined][] = [
    ['POST', null, {}, '0'],
    ['POST', null, shared, '0'],
    ['POST', null, shared, '0'],
    ['POST', '', {}, '0'],
    ['POST', new Uint8Array(0), {}, '0'],
    ['PUT', null, {}, '0'],
    ['PATCH', null, {}, '0'],
    ['GET', null, {}, undefined],
    ['GET', null, shared, undefined],
    ['GET', null, shared, undefined],
    ['DELETE', null, {}, undefined],
    ['OPTIONS', null, {}, undefined],
    ['DELETE', 'x', {}, '1'],
  ];
  for (const [method, body, headers] of cases) {
    const r = await send(pool, srv.origin, request({ method, path: `/${method.toLowerCase()}`, headers, body }));
    assert.equal(r.code, null, `${method}: ${String(r.error)}`);
    assert.equal(r.body.toString(), `${method} /${method.toLowerCase()}`);
  }
  assert.equal(srv.seen.length, cases.length);
  cases.forEach(([method, , , length], i) => {
    const s = srv.seen[i] as Seen;
    assert.equal(s.method, method);
    assert.equal(s.headers['content-length'], length, `${i}: ${method}`);
    assert.equal(s.body.length, Number(length ?? 0));
  });
  assert.equal(srv.connections, 1);
});

test('the pool frames the message itself: an explicit host is kept once; connection, content-length and transfer-encoding from the caller are dropped', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const r = await send(
    pool,
    srv.origin,
    request({ method: 'POST', path: '/h', headers: { host: 'example.test', connection: 'close', 'content-length': '99', 'transfer-encoding': 'chunked', 'x-keep': 'k' }, body: 'abc' }),
  );
  assert.equal(r.code, null, String(r.error));
  const s = srv.seen[0] as Seen;
  const names = s.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
  assert.equal(names.filter((n) => n === 'host').length, 1);
  assert.equal(s.headers.host, 'example.test');
  assert.equal(s.headers.connection, 'keep-alive');
  assert.equal(s.headers['content-length'], '3');
  assert.equal(s.headers['transfer-encoding'], undefined);
  assert.equal(s.headers['x-keep'], 'k');
  assert.equal(s.body.toString(), 'abc');
});

test('HEAD: no body is read although the response has a content-length, and the connection is reused', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    res.writeHead(200, { 'content-length': '5' });
    res.end(req.method === 'HEAD' ? undefined : 'hello');
  });
  const pool = newPool(t);
  const head = await send(pool, srv.origin, request({ method: 'HEAD', path: '/x' }));
  assert.equal(head.code, null, String(head.error));
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assertSuccessEvents(head.events, false);
  const get = await send(pool, srv.origin, request({ path: '/x' }));
  assert.equal(get.body.toString(), 'hello');
  assert.equal(srv.connections, 1);
});

test('a 100 Continue before the response is skipped (Expect: 100-continue)', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ method: 'POST', path: '/continue', headers: { expect: '100-continue' }, body: 'data' }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'POST /continue');
  assert.equal(r.events.filter((e) => e === 'headers').length, 1);
  assert.equal((srv.seen[0] as Seen).body.toString(), 'data');
});

test('callback order of a successful request: onConnect, onRequestSent, onResponseStarted, onHeaders, onData*, onComplete', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    res.writeHead(201, 'Made It', { 'set-cookie': 'a=1', location: '/there' });
    res.write('part one, ');
    setImmediate(() => res.end('part two'));
  });
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/order' }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Made It');
  assert.equal(r.present, HAS_SET_COOKIE | HAS_LOCATION);
  assert.equal(r.body.toString(), 'part one, part two');
  assertSuccessEvents(r.events, true);
  // nothing arrives for it later
  const next = await send(pool, srv.origin, request({ path: '/order' }));
  assertSuccessEvents(next.events, true);
  assert.equal(r.events.some((e) => e.startsWith('late:')), false, r.events.join(','));
});

// ---------------------------------------------------------------- connections

test('keep-alive: 20 sequential requests use exactly one connection; onConnectTiming is called once', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const timings: number[] = [];
  const pool = newPool(t, { onConnectTiming: (ms) => timings.push(ms) });
  const headers = { 'x-run': 'seq' };
  for (let i = 0; i < 20; i++) {
    const r = await send(pool, srv.origin, request({ path: `/n/${i % 5}`, headers }));
    assert.equal(r.code, null, `${i}: ${String(r.error)}`);
    assert.equal(r.body.toString(), `GET /n/${i % 5}`);
  }
  assert.equal(srv.connections, 1);
  assert.equal(srv.seen.length, 20);
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    Array.from({ length: 20 }, (_, i) => `/n/${i % 5}`),
  );
  assert.ok(srv.seen.every((s) => s.conn === 1 && s.headers['x-run'] === 'seq'));
  assert.equal(timings.length, 1);
  assert.ok(Number.isFinite(timings[0]) && (timings[0] as number) >= 0);
});

test('maxConnectionsPerOrigin 2: 10 concurrent requests use 2 sockets and all complete', LIMIT, async (t) => {
  // answers after 20 ms so that requests are still in flight when the next ones come (the counts below do not depend on it)
  const srv = await startHttp(t, (req, res) => setTimeout(() => echoLine(req, res), 20));
  const timings: number[] = [];
  const pool = newPool(t, { maxConnectionsPerOrigin: 2, onConnectTiming: (ms) => timings.push(ms) });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => send(pool, srv.origin, request({ path: `/c/${i}` }))));
  results.forEach((r, i) => {
    assert.equal(r.code, null, `${i}: ${String(r.error)}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `GET /c/${i}`);
    assertSuccessEvents(r.events, true);
  });
  assert.equal(srv.seen.length, 10);
  assert.equal(srv.connections, 2);
  assert.ok(srv.maxOpen <= 2);
  assert.equal(timings.length, 2);
});

test('no limit (maxConnectionsPerOrigin 0): 5 concurrent requests open 5 connections', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const timings: number[] = [];
  const pool = newPool(t, { onConnectTiming: (ms) => timings.push(ms) });
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => send(pool, srv.origin, request({ path: `/p/${i}` }))));
  assert.deepEqual(
    results.map((r) => r.body.toString()),
    Array.from({ length: 5 }, (_, i) => `GET /p/${i}`),
  );
  assert.equal(srv.connections, 5);
  assert.equal(timings.length, 5);
});

test('a response with Connection: close: the next request opens a new connection and succeeds', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    if (req.url === '/close') res.setHeader('connection', 'close');
    echoLine(req, res);
  });
  const timings: number[] = [];
  const pool = newPool(t, { onConnectTiming: (ms) => timings.push(ms) });
  const paths = ['/a', '/close', '/b', '/c', '/close', '/d'];
  for (const path of paths) {
    const r = await send(pool, srv.origin, request({ path }));
    assert.equal(r.code, null, `${path}: ${String(r.error)}`);
    assert.equal(r.body.toString(), `GET ${path}`);
    assertSuccessEvents(r.events, true);
  }
  assert.deepEqual(
    srv.seen.map((s) => s.conn),
    [1, 1, 2, 2, 2, 3],
  );
  assert.equal(srv.connections, 3);
  assert.equal(timings.length, 3, 'onConnectTiming once per opened connection');
});

test('Connection: close with maxConnectionsPerOrigin 1: queued requests wait for the closed socket and all succeed', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    res.setHeader('connection', 'close');
    echoLine(req, res);
  });
  const pool = newPool(t, { maxConnectionsPerOrigin: 1 });
  const results = await Promise.all(Array.from({ length: 4 }, (_, i) => send(pool, srv.origin, request({ path: `/q/${i}` }))));
  assert.deepEqual(
    results.map((r) => [r.code, r.body.toString()]),
    Array.from({ length: 4 }, (_, i) => [null, `GET /q/${i}`]),
  );
  assert.equal(srv.connections, 4);
  assert.equal(srv.maxOpen, 1);
});

test('a body delimited by the close of the connection completes, and the next request uses a new connection', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, head) => {
    if (head.startsWith('GET /until-close ')) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart1');
      setImmediate(() => socket.end('part2'));
    } else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    }
  });
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/until-close' }));
  assert.equal(r.code, null, String(r.error));
  assert.equal(r.body.toString(), 'part1part2');
  assertSuccessEvents(r.events, true);
  const next = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(next.body.toString(), 'ok');
  assert.equal(srv.connections, 2);
});

test('a server that sends more than one response for one request: the connection is not reused', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, _head, index) => {
    if (index === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\noneHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo');
  });
  const pool = newPool(t);
  const first = await send(pool, srv.origin, request({ path: '/1' }));
  assert.equal(first.body.toString(), 'one');
  const second = await send(pool, srv.origin, request({ path: '/2' }));
  assert.equal(second.code, null, String(second.error));
  assert.equal(second.body.toString(), 'two');
  assert.equal(srv.connections, 2);
});

// ---------------------------------------------------------------- failures

test('the server destroying the socket mid-response: onError with UND_ERR_SOCKET or ECONNRESET, and the pool recovers', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, head) => {
    if (head.startsWith('GET /cut ')) {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc', () => socket.destroy());
    } else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    }
  });
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/cut' }));
  assert.ok(r.code === 'UND_ERR_SOCKET' || r.code === 'ECONNRESET', `code ${String(r.code)}`);
  assert.equal(r.events.at(-1), 'error');
  assert.equal(r.events.includes('complete'), false);
  assert.deepEqual(r.events.slice(0, 3), ['connect', 'sent', 'started']);
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.code, null, String(ok.error));
  assert.equal(ok.body.toString(), 'ok');
  assert.equal(srv.connections, 2);
});

test('a clean close (FIN) mid-body gives UND_ERR_SOCKET; a close before any byte of the response too', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, head) => {
    if (head.startsWith('GET /half ')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
    else if (head.startsWith('GET /nothing ')) socket.end();
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const pool = newPool(t);
  const half = await send(pool, srv.origin, request({ path: '/half' }));
  assert.equal(half.code, 'UND_ERR_SOCKET');
  assert.ok(half.error instanceof H1Error);
  assert.equal(half.status, 200);
  assert.equal(half.body.toString(), 'abc');
  assert.deepEqual(half.events.filter((e) => e !== 'data'), ['connect', 'sent', 'started', 'headers', 'error']);
  const nothing = await send(pool, srv.origin, request({ path: '/nothing' }));
  assert.equal(nothing.code, 'UND_ERR_SOCKET');
  assert.deepEqual(nothing.events, ['connect', 'sent', 'error']);
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.body.toString(), 'ok');
});

test('a reset (RST) connection gives ECONNRESET', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket) => socket.resetAndDestroy());
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/rst' }));
  assert.equal(r.code, 'ECONNRESET');
  assert.deepEqual(r.events, ['connect', 'sent', 'error']);
});

test('a refused port gives ECONNREFUSED to every waiting request, and no onConnect or onConnectTiming', LIMIT, async (t) => {
  const port = await closedPort();
  const timings: number[] = [];
  const pool = newPool(t, { onConnectTiming: (ms) => timings.push(ms) });
  const origin = `http://127.0.0.1:${port}`;
  const results = await Promise.all([send(pool, origin, request()), send(pool, origin, request({ path: '/b' })), send(pool, origin, request({ method: 'POST', body: 'x' }))]);
  for (const r of results) {
    assert.equal(r.code, 'ECONNREFUSED');
    assert.deepEqual(r.events, ['error']);
  }
  assert.equal(timings.length, 0);
  // and again, later
  const again = await send(pool, origin, request());
  assert.equal(again.code, 'ECONNREFUSED');
});

test('a malformed response fails the request with HPE_INVALID_RESPONSE and the pool recovers', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, head) => {
    if (head.startsWith('GET /bad ')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const pool = newPool(t);
  const bad = await send(pool, srv.origin, request({ path: '/bad' }));
  assert.equal(bad.code, 'HPE_INVALID_RESPONSE');
  assert.ok(bad.error instanceof H1ParseError);
  assert.deepEqual(bad.events, ['connect', 'sent', 'started', 'error']);
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.body.toString(), 'ok');
  assert.equal(srv.connections, 2);
});

test('deadline: a server that never answers gives UND_ERR_HEADERS_TIMEOUT, and the pool recovers', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    if (req.url !== '/hang') echoLine(req, res);
  });
  const pool = newPool(t);
  const r = await send(pool, srv.origin, request({ path: '/hang', deadline: performance.now() + 100 }));
  assert.equal(r.code, 'UND_ERR_HEADERS_TIMEOUT');
  assert.ok(r.error instanceof H1Error);
  assert.deepEqual(r.events, ['connect', 'sent', 'error']);
  assert.equal(srv.seen[0]?.url, '/hang');
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.code, null, String(ok.error));
  assert.equal(ok.body.toString(), 'GET /ok');
  assert.equal(srv.connections, 2, 'the timed-out connection is not reused');
});

test('deadline: headers and part of the body, then a stall, gives UND_ERR_BODY_TIMEOUT', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket, head) => {
    if (head.startsWith('GET /stall-length ')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    else if (head.startsWith('GET /stall-chunked ')) socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nde');
    else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const pool = newPool(t);
  for (const path of ['/stall-length', '/stall-chunked']) {
    const r = await send(pool, srv.origin, request({ path, deadline: performance.now() + 1_000 }));
    assert.equal(r.code, 'UND_ERR_BODY_TIMEOUT', path);
    assert.equal(r.status, 200);
    assert.deepEqual(r.events.filter((e) => e !== 'data'), ['connect', 'sent', 'started', 'headers', 'error'], path);
    assert.ok(r.events.includes('data'), path);
  }
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.body.toString(), 'ok');
});

test('an invalid header value (CRLF) fails with UND_ERR_INVALID_ARG, nothing is sent, and the pool serves the next request', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const bad = await send(pool, srv.origin, request({ path: '/bad', headers: { 'x-bad': 'a\r\nInjected: 1' } }));
  assert.equal(bad.code, 'UND_ERR_INVALID_ARG');
  assert.ok(bad.error instanceof H1Error);
  assert.deepEqual(bad.events, ['error']);
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.code, null, String(ok.error));
  assert.equal(ok.body.toString(), 'GET /ok');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/ok'],
  );
  assert.equal(srv.seen[0]?.headers.injected, undefined);
});

test('the connection opened for a request that failed validation is reused by the next request', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  assert.equal((await send(pool, srv.origin, request({ headers: { 'x-bad': '\r\n' } }))).code, 'UND_ERR_INVALID_ARG');
  assert.equal((await send(pool, srv.origin, request({ headers: { 'x-bad': '\n' } }))).code, 'UND_ERR_INVALID_ARG');
  assert.equal((await send(pool, srv.origin, request({ path: '/ok' }))).body.toString(), 'GET /ok');
  assert.equal(srv.connections, 1);
});

test('other invalid requests (bare LF or NUL in a value, bad header name, bad method, bad path) fail with UND_ERR_INVALID_ARG', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const invalid: Partial<H1Request>[] = [
    { headers: { 'x-lf': 'a\nb' } },
    { headers: { 'x-nul': 'a\0b' } },
    { headers: { 'bad name': 'v' } },
    { headers: { 'x-colon:': 'v' } },
    { method: 'POST', headers: { 'x-bad': 'a\r\n' }, body: 'with a body' },
    { method: 'GE T' },
    { method: '' },
    { path: 'no-slash' },
    { path: '/with space' },
    { path: '' },
  ];
  for (const over of invalid) {
    const r = await send(pool, srv.origin, request(over));
    assert.equal(r.code, 'UND_ERR_INVALID_ARG', JSON.stringify(over));
    assert.deepEqual(r.events, ['error'], JSON.stringify(over));
  }
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.body.toString(), 'GET /ok');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/ok'],
  );
});

test('an invalid header on a pool with an idle connection fails synchronously, inside dispatch()', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  await send(pool, srv.origin, request({ path: '/warm' }));
  const sent = dispatch(pool, srv.origin, request({ headers: { 'x-bad': '\r\n' } }));
  assert.equal(sent.settledSync, true);
  assert.equal((await sent.done).code, 'UND_ERR_INVALID_ARG');
});

test('an invalid header fails synchronously also when no connection is open yet (as H1Pool.dispatch documents)', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const sent = dispatch(pool, srv.origin, request({ headers: { 'x-bad': '\r\n' } }));
  const settledSync = sent.settledSync;
  const r = await sent.done;
  assert.equal(r.code, 'UND_ERR_INVALID_ARG');
  assert.equal(settledSync, true);
  assert.equal(srv.connections, 0, 'no connection opened for a request that cannot be written');
});

// ---------------------------------------------------------------- abort

test('abort while waiting for the response: onError gets the given error and the pool still works', LIMIT, async (t) => {
  const srv = await startHttp(t, (req, res) => {
    if (req.url !== '/hang') echoLine(req, res);
  });
  const pool = newPool(t);
  const sent = dispatch(pool, srv.origin, request({ path: '/hang' }));
  await srv.whenSeen(1);
  const reason = new Error('user abort');
  sent.abort(reason);
  const r = await sent.done;
  assert.equal(r.error, reason);
  assert.deepEqual(r.events, ['connect', 'sent', 'error']);
  sent.abort(new Error('twice')); // a second abort does nothing
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.code, null, String(ok.error));
  assert.equal(ok.body.toString(), 'GET /ok');
  assert.deepEqual(r.events, ['connect', 'sent', 'error'], 'no late events');
  assert.equal(srv.connections, 2, 'the aborted connection is closed');
});

test('abort without an error gives UND_ERR_ABORTED', LIMIT, async (t) => {
  const srv = await startHttp(t, () => {});
  const pool = newPool(t);
  const sent = dispatch(pool, srv.origin, request({ path: '/hang' }));
  await srv.whenSeen(1);
  sent.abort();
  const r = await sent.done;
  assert.equal(r.code, 'UND_ERR_ABORTED');
  assert.ok(r.error instanceof H1Error);
});

test('abort inside onConnect: nothing is written, no onRequestSent, onError with the error', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const reason = new Error('early');
  const r = await send(pool, srv.origin, request({ path: '/never' }), { onConnect: (abort) => abort(reason) });
  assert.equal(r.error, reason);
  assert.deepEqual(r.events, ['connect', 'error']);
  const ok = await send(pool, srv.origin, request({ path: '/ok' }));
  assert.equal(ok.body.toString(), 'GET /ok');
  assert.deepEqual(
    srv.seen.map((s) => s.url),
    ['/ok'],
  );
});

test('abort after the request completed does nothing; the connection is reused', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const first = dispatch(pool, srv.origin, request({ path: '/one' }));
  const r = await first.done;
  assertSuccessEvents(r.events, true);
  first.abort(new Error('too late'));
  const second = await send(pool, srv.origin, request({ path: '/two' }));
  assert.equal(second.code, null, String(second.error));
  assert.equal(second.body.toString(), 'GET /two');
  assertSuccessEvents(r.events, true);
  assert.equal(srv.connections, 1);
});

test('abort from onHeaders of a response without a body, or from the last onData, fails the request once and does not crash', LIMIT, async () => {
  // run in a child process: the failure is an uncaught exception
  const poolUrl = new URL('../../src/protocols/http/h1-pool.ts', import.meta.url).href;
  const code = `
    import http from 'node:http';
    const { H1Pool } = await import(${JSON.stringify(poolUrl)});
    const uncaught = [];
    process.on('uncaughtException', (e) => uncaught.push(String(e && e.message)));
    const server = http.createServer((req, res) => {
      if (req.url === '/empty') { res.writeHead(204); res.end(); }
      else { res.writeHead(200, { 'content-length': '2' }); res.end('ok'); }
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const origin = 'http://127.0.0.1:' + server.address().port;
    const pool = new H1Pool();
    const run = (path, abortIn) => new Promise((resolve) => {
      const events = [];
      let abort = () => {};
      const guard = setTimeout(() => { events.push('guard'); resolve(events); }, 3000);
      // late events still land in \`events\` (printed at the very end, after every socket has closed)
      const end = () => { clearTimeout(guard); resolve(events); };
      pool.dispatch(origin, { method: 'GET', path, headers: {}, body: null, deadline: performance.now() + 3000, maxBodyBytes: Infinity }, {
        onConnect(a) { abort = a; events.push('connect'); },
        onRequestSent() { events.push('sent'); },
        onResponseStarted() { events.push('started'); },
        onHeaders(status) { events.push('headers ' + status); if (abortIn === 'headers') abort(new Error('stop')); return true; },
        onData() { events.push('data'); if (abortIn === 'data') abort(new Error('stop')); return true; },
        onComplete() { events.push('complete'); end(); },
        onError(e) { events.push('error ' + e.message); end(); },
      });
    });
    const headers = await run('/empty', 'headers');
    const data = await run('/ok', 'data');
    const after = await run('/ok', null);
    await pool.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify({ headers, data, after, uncaught }));
  `;
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 12_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exitCode = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  assert.equal(exitCode, 0, stderr);
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { headers: string[]; data: string[]; after: string[]; uncaught: string[] };
  assert.deepEqual(result.uncaught, []);
  assert.deepEqual(result.headers, ['connect', 'sent', 'started', 'headers 204', 'error stop']);
  assert.deepEqual(result.data, ['connect', 'sent', 'started', 'headers 200', 'data', 'error stop']);
  assert.deepEqual(result.after, ['connect', 'sent', 'started', 'headers 200', 'data', 'complete']);
});

// ---------------------------------------------------------------- keep-alive timeouts

test('Keep-Alive hint: a server with keepAliveTimeout 1000 (Keep-Alive: timeout=1); a request after the idle socket closed succeeds', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine, 1000);
  const pool = newPool(t);
  const first = await send(pool, srv.origin, request({ path: '/first' }));
  assert.equal(first.code, null, String(first.error));
  assert.match(first.headers, /\r\nKeep-Alive: timeout=1\r\n/);
  // the idle socket goes away (the server's 1 s keep-alive, or the pool, which never reuses a hint of 1 s)
  await srv.whenClosed(1);
  const second = await send(pool, srv.origin, request({ path: '/second' }));
  assert.equal(second.code, null, String(second.error));
  assert.equal(second.body.toString(), 'GET /second');
  assertSuccessEvents(second.events, true);
  assert.equal(srv.connections, 2);
});

/** A clock the pool's keep-alive expiry reads, moved by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('Keep-Alive hint: a socket is reused within the hint - 1 s and not after it, even if the server keeps it open', LIMIT, async (t) => {
  // advertises timeout=2 but never closes: only the hint stops the reuse
  const srv = await startRaw(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=2\r\nContent-Length: 2\r\n\r\nok'));
  const clock = fakeClock();
  const pool = newPool(t, { idleClock: clock.now });
  for (let i = 0; i < 3; i++) assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 1, 'reused right away');
  clock.advance(999);
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 1, 'reused 999 ms later: within hint - 1 s');
  clock.advance(1000);
  const late = await send(pool, srv.origin, request());
  assert.equal(late.code, null, String(late.error));
  assert.equal(srv.connections, 2, 'idle for hint - 1 s: a new connection');
  await srv.whenClosed(1); // the stale socket is closed by the pool
  assert.equal(srv.closed, 1);
});

test('Keep-Alive hint of 1 s or less: the socket is never reused', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok'));
  const pool = newPool(t);
  for (let i = 0; i < 3; i++) assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 3);
});

test('keepAliveTimeoutMs: an idle socket past it is not reused', LIMIT, async (t) => {
  const srv = await startRaw(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const clock = fakeClock();
  const pool = newPool(t, { keepAliveTimeoutMs: 100, idleClock: clock.now });
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  clock.advance(99);
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 1, 'idle 99 ms: reused');
  clock.advance(100);
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 2, 'idle 100 ms: a new connection');
});

test('keepAliveTimeoutMs: an idle socket is closed once it expires, without waiting for another request', LIMIT, async (t) => {
  // the sweeper is a setInterval: on mock timers, with the fake clock, nothing waits in real time
  t.mock.timers.enable({ apis: ['setInterval'] });
  const srv = await startRaw(t, (socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  const clock = fakeClock();
  const pool = newPool(t, { keepAliveTimeoutMs: 100, idleClock: clock.now });
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  t.mock.timers.tick(1000); // sweeps before the socket expires leave it alone: the next request reuses it
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'ok');
  assert.equal(srv.connections, 1);
  clock.advance(100);
  t.mock.timers.tick(400); // an idle sweep runs every fourth tick of 100 ms
  await srv.whenClosed(1);
  assert.equal(srv.closed, 1, 'the pool closed the idle socket');
  assert.equal(srv.connections, 1);
});

// ---------------------------------------------------------------- close()

test('close(): the request in flight and the queued ones fail with UND_ERR_DESTROYED; a later dispatch fails synchronously', LIMIT, async (t) => {
  const srv = await startHttp(t, () => {});
  const pool = newPool(t, { maxConnectionsPerOrigin: 1 });
  const sent = [0, 1, 2].map((i) => dispatch(pool, srv.origin, request({ path: `/hang/${i}` })));
  await srv.whenSeen(1);
  await pool.close();
  const results = await Promise.all(sent.map((s) => s.done));
  for (const r of results) {
    assert.equal(r.code, 'UND_ERR_DESTROYED');
    assert.ok(r.error instanceof H1Error);
  }
  assert.deepEqual(results[0]?.events, ['connect', 'sent', 'error']);
  assert.deepEqual(results[1]?.events, ['error']);
  assert.deepEqual(results[2]?.events, ['error']);
  const later = dispatch(pool, srv.origin, request({ path: '/later' }));
  assert.equal(later.settledSync, true);
  assert.equal((await later.done).code, 'UND_ERR_DESTROYED');
  assert.deepEqual(later.outcome.events, ['error']);
  await srv.whenClosed(1);
  assert.equal(srv.seen.length, 1);
});

test('close() before the connection is established fails the waiting request with UND_ERR_DESTROYED', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  const sent = dispatch(pool, srv.origin, request());
  await pool.close();
  const r = await sent.done;
  assert.equal(r.code, 'UND_ERR_DESTROYED');
  assert.deepEqual(r.events, ['error']);
  assert.equal(srv.seen.length, 0);
});

test('close() closes idle keep-alive sockets', LIMIT, async (t) => {
  const srv = await startHttp(t, echoLine);
  const pool = newPool(t);
  assert.equal((await send(pool, srv.origin, request())).body.toString(), 'GET /');
  assert.equal(srv.connections, 1);
  await pool.close();
  await srv.whenClosed(1);
  const r = await send(pool, srv.origin, request());
  assert.equal(r.code, 'UND_ERR_DESTROYED');
});

// ---------------------------------------------------------------- stale keep-alive connections

test('a reused connection that closes before answering: GET is sent again once on a new connection, POST fails', LIMIT, async (t) => {
  // the server answers the first request of each connection and closes the connection at the second,
  // as a server does when its keep-alive timeout fires just as the request goes out
  const perSocket = new WeakMap<net.Socket, number>();
  const srv = await startRaw(t, (socket) => {
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    if (n === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    else socket.destroy();
  });
  const pool = newPool(t, { maxConnectionsPerOrigin: 1 });
  assert.equal((await send(pool, srv.origin, request({ path: '/a' }))).status, 200);
  const again = await send(pool, srv.origin, request({ path: '/b' }));
  assert.equal(again.status, 200, 'the GET succeeded on its second connection');
  assert.equal(again.body.toString(), 'ok');
  assert.deepEqual(again.events.filter((e) => e === 'connect' || e === 'sent'), ['connect', 'sent', 'connect', 'sent']);
  assert.equal(srv.connections, 2);
  assert.deepEqual(srv.heads.map((h) => h.split(' ')[1]), ['/a', '/b', '/b']);

  // a POST is not replayed: it fails with the socket error
  const post = await send(pool, srv.origin, request({ method: 'POST', path: '/c' }));
  assert.ok(post.code === 'UND_ERR_SOCKET' || post.code === 'ECONNRESET', `code ${post.code ?? 'none'}`);
  assert.equal(srv.heads.filter((h) => h.startsWith('POST')).length, 1);

  // a GET on a fresh connection that closes is not replayed either (nothing proves the server is alive)
  const fresh = await startRaw(t, (socket) => socket.destroy());
  const lost = await send(pool, fresh.origin, request({ path: '/d' }));
  assert.ok(lost.code === 'UND_ERR_SOCKET' || lost.code === 'ECONNRESET', `code ${lost.code ?? 'none'}`);
  assert.equal(fresh.heads.length, 1);
});
