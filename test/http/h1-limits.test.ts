/**
 * agentload's HTTP/1.1 pool under bodies that are too large or never end: maxBodyBytes (exact at the
 * boundary, refused at the headers when Content-Length says so), the whole-request deadline, watch() for
 * other work with a deadline, and the parser's announced contentLength. Against the fault server on loopback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { H1Parser, type H1ParserSink } from '../../src/protocols/http/h1-parser.ts';
import { H1Pool, type Expiring, type H1Handler, type H1Request } from '../../src/protocols/http/h1-pool.ts';
import { startFaultServer, type FaultServer } from '../faults/fault-server.ts';
import { until } from '../protocols/ws-test-scope.ts';

const LIMIT = { timeout: 20_000 };

let server: FaultServer;
before(async () => {
  server = await startFaultServer();
});
after(() => server.close());

interface Result {
  status: number;
  /** Body bytes handed to onData. */
  body: number;
  dataEvents: number;
  code: string | null;
  message: string;
  /** `bytes` of onComplete or onError. */
  bytes: number | undefined;
}

function send(pool: H1Pool, path: string, maxBodyBytes: number, deadlineMs = 5000): Promise<Result> {
  const req: H1Request = { method: 'GET', path, headers: {}, body: null, deadline: performance.now() + deadlineMs, maxBodyBytes };
  return new Promise((resolve) => {
    const r: Result = { status: 0, body: 0, dataEvents: 0, code: null, message: '', bytes: undefined };
    const handler: H1Handler = {
      onConnect() {},
      onRequestSent() {},
      onResponseStarted() {},
      onHeaders(status) {
        r.status = status;
        return true;
      },
      onData(chunk) {
        r.body += chunk.length;
        r.dataEvents++;
        return true;
      },
      onComplete(_t, bytes) {
        r.bytes = bytes;
        resolve(r);
      },
      onError(err, bytes) {
        r.code = (err as { code?: string }).code ?? null;
        r.message = err.message;
        r.bytes = bytes;
        resolve(r);
      },
    };
    pool.dispatch(server.url, req, handler);
  });
}

test('Content-Length: a body of exactly maxBodyBytes passes; one byte more fails at the headers, none of it read, the connection closed', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const ok = await send(pool, '/sized?n=100000', 100_000);
  assert.equal(ok.code, null, ok.message);
  assert.equal(ok.body, 100_000);
  const closedBefore = server.closed;
  const big = await send(pool, '/sized?n=100001', 100_000);
  assert.equal(big.code, 'RESPONSE_TOO_LARGE');
  assert.match(big.message, /announces 100001 bytes \(content-length\), more than maxResponseBytes \(100000\)/);
  assert.equal(big.status, 200, 'the headers were seen');
  assert.equal(big.dataEvents, 0, 'no byte of the body was handed on');
  await until(() => server.closed > closedBefore, 'the refused connection to close');
  const opened = server.connections;
  const next = await send(pool, '/ok', 100_000);
  assert.equal(next.code, null);
  assert.equal(server.connections, opened + 1, 'the next request opens a new connection');
});

test('chunked: a body of exactly maxBodyBytes passes; one byte more fails while reading; the connection is not reused', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const ok = await send(pool, '/sized?n=100000&chunked', 100_000);
  assert.equal(ok.code, null, ok.message);
  assert.equal(ok.body, 100_000);
  const big = await send(pool, '/sized?n=100001&chunked', 100_000);
  assert.equal(big.code, 'RESPONSE_TOO_LARGE');
  assert.match(big.message, /exceeded maxResponseBytes \(100000 bytes\)/);
  assert.ok(big.body <= 100_000, `at most the limit is handed on (${big.body})`);
  assert.ok((big.bytes ?? 0) > 100_000, `onError reports what was read (${String(big.bytes)})`);
  const opened = server.connections;
  const next = await send(pool, '/ok', 100_000);
  assert.equal(next.code, null);
  assert.equal(server.connections, opened + 1, 'the failed connection is not reused');
});

test('an endless chunked body and a 1 GB Content-Length both end with RESPONSE_TOO_LARGE', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const endless = await send(pool, '/endless', 1_000_000);
  assert.equal(endless.code, 'RESPONSE_TOO_LARGE');
  assert.ok(endless.body <= 1_000_000);
  const huge = await send(pool, '/huge', 1_000_000);
  assert.equal(huge.code, 'RESPONSE_TOO_LARGE');
  assert.equal(huge.dataEvents, 0);
  assert.ok((huge.bytes ?? 0) < 1_000_000, 'the body was not read');
});

test('maxBodyBytes Infinity: no limit', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const r = await send(pool, '/sized?n=3000000', Infinity);
  assert.equal(r.code, null, r.message);
  assert.equal(r.body, 3_000_000);
});

test('the deadline bounds the whole exchange: a body that keeps trickling in fails with UND_ERR_BODY_TIMEOUT', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const r = await send(pool, '/trickle?ms=5', Infinity, 400);
  assert.equal(r.code, 'UND_ERR_BODY_TIMEOUT', r.message);
  assert.equal(r.status, 200);
  const hang = await send(pool, '/hang', Infinity, 200);
  assert.equal(hang.code, 'UND_ERR_HEADERS_TIMEOUT');
});

test('watch(): expire() is called once its deadline has passed, never after unwatch()', LIMIT, async (t) => {
  const pool = new H1Pool();
  t.after(() => pool.close());
  const calls: string[] = [];
  const due: Expiring = { deadline: performance.now() - 1, expire: () => calls.push('due') };
  const dropped: Expiring = { deadline: performance.now() - 1, expire: () => calls.push('dropped') };
  const later: Expiring = { deadline: Infinity, expire: () => calls.push('later') };
  pool.watch(due);
  pool.watch(dropped);
  pool.watch(later);
  pool.unwatch(dropped);
  await until(() => calls.length > 0, 'a sweep');
  // a later sweep: `due` is not expired twice, `dropped` never
  pool.watch({ deadline: performance.now() - 1, expire: () => calls.push('marker') });
  await until(() => calls.includes('marker'), 'a second sweep');
  assert.deepEqual(calls, ['due', 'marker']);
  pool.unwatch(later);
});

test('parser: contentLength is the announced length when onHead runs; -1 for chunked, HEAD, 204 and bodies until close', () => {
  const seen: number[] = [];
  let parser: H1Parser | null = null;
  const sink: H1ParserSink = {
    onHead: () => seen.push((parser as H1Parser).contentLength),
    onBody: () => undefined,
    onDone: () => undefined,
  };
  parser = new H1Parser(sink);
  const feed = (head: boolean, text: string): void => {
    (parser as H1Parser).expect(head);
    (parser as H1Parser).execute(Buffer.from(text, 'latin1'));
  };
  feed(false, 'HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n');
  feed(false, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
  feed(true, 'HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n');
  feed(false, 'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n');
  feed(false, 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n');
  feed(false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.deepEqual(seen, [1_000_000_000, -1, -1, -1, -1, 0]);
});

test('a request whose deadline passes while it waits for a connection fails unsent with UND_ERR_HEADERS_TIMEOUT', LIMIT, async (t) => {
  const pool = new H1Pool({ maxConnectionsPerOrigin: 1 });
  t.after(() => pool.close());
  const okBefore = server.hits('/ok');
  const hung = send(pool, '/hang', Infinity, 300);
  const queued = send(pool, '/ok', Infinity, 100);
  const [h, q] = await Promise.all([hung, queued]);
  assert.equal(h.code, 'UND_ERR_HEADERS_TIMEOUT');
  assert.equal(q.code, 'UND_ERR_HEADERS_TIMEOUT');
  assert.match(q.message, /waited for a free connection/);
  assert.equal(server.hits('/ok'), okBefore, 'the expired request was never sent');
  const next = await send(pool, '/ok', Infinity);
  assert.equal(next.code, null, next.message);
});
