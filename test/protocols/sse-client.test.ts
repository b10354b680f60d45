/** The SSE client against local servers that behave and misbehave, recording into a real SampleStore. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpAgent } from '../../src/protocols/http/agent.ts';
import { SseClient } from '../../src/protocols/sse/client.ts';
import type { SseEvent } from '../../src/protocols/sse/event.ts';
import { InterruptedError } from '../../src/protocols/vu-scope.ts';
import { closedPort } from '../helpers/servers.ts';
import { TestScope, until } from './ws-test-scope.ts';
import { startSseServer, type SseTestServer } from './sse-test-server.ts';

let server: SseTestServer;
const agent = new HttpAgent();
before(async () => {
  server = await startSseServer();
});
after(async () => {
  await agent.close();
  await server.close();
});

function client(scope: TestScope, timeoutMs = 5000): SseClient {
  return new SseClient(scope, agent.dispatcher, { baseUrl: server.url, timeoutMs, headers: { 'user-agent': 'agentload-test' } });
}

async function collect(stream: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

test('events as an async iterator: type, data (multi-line), id; metrics per stream and per event type', async () => {
  const scope = new TestScope();
  const stream = client(scope).open('/events', { tags: { flow: 'chat' } });
  const events = await collect(stream);
  assert.deepEqual(
    events.map((e) => [e.event, e.data, e.id]),
    [
      ['greet', 'hi', '1'],
      ['message', 'line1\nline2', undefined],
      ['message', '{"n":3}', '3'],
    ],
  );
  assert.deepEqual(events[2]?.json(), { n: 3 });
  const r = await stream.done;
  assert.deepEqual({ ...r }, { ok: true, status: 200, events: 3, reconnects: 0, lastEventId: '3', endedBy: 'server', errorCode: '', error: '' });
  const name = `${server.url}/events`;
  assert.equal(scope.sum('sse_streams', { name, method: 'GET', flow: 'chat' }), 1);
  assert.equal(scope.sum('sse_events', { name, event: 'greet' }), 1);
  assert.equal(scope.sum('sse_events', { name, event: 'message' }), 2);
  assert.equal(scope.count('sse_time_to_first_event', { name }), 1);
  assert.equal(scope.count('sse_stream_duration', { name }), 1);
  assert.equal(scope.count('sse_errors'), 0);
  assert.ok(scope.sum('data_received') > 60);
  assert.ok(scope.sum('data_sent') > 0);
  assert.equal(scope.inflight.size, 0);
});

test('callbacks: open, event and end', async () => {
  const scope = new TestScope();
  const seen: string[] = [];
  const stream = client(scope).open('/events');
  stream.on('open', (o) => seen.push(`open:${o.status}`));
  stream.on('event', (e) => seen.push(`event:${e.data}`));
  stream.on('end', (r) => seen.push(`end:${r.endedBy}`));
  await stream.done;
  assert.deepEqual(seen, ['open:200', 'event:hi', 'event:line1\nline2', 'event:{"n":3}', 'end:server']);
});

test('malformed lines, comments, unknown fields and empty events are ignored', async () => {
  const scope = new TestScope();
  const events = await collect(client(scope).open('/malformed'));
  assert.deepEqual(
    events.map((e) => e.data),
    ['ok', 'no-space'],
  );
  assert.equal(scope.sum('sse_events'), 2);
  assert.equal(scope.count('sse_errors'), 0);
});

test('events split across TCP writes, inside a UTF-8 character and with CRLF line ends', async () => {
  const scope = new TestScope();
  const events = await collect(client(scope).open('/split'));
  assert.deepEqual(
    events.map((e) => [e.event, e.data]),
    [
      ['message', 'hello world'],
      ['message', 'café'],
      ['done', '1'],
    ],
  );
});

test('a stream cut mid-way resumes with Last-Event-ID: every event once, the drop and the reconnection counted', async () => {
  const scope = new TestScope();
  const before = server.stats.lastEventIds.length;
  const stream = client(scope).open('/cut', { reconnect: { retries: 2, delayMs: 5000 } });
  const events = await collect(stream);
  assert.deepEqual(
    events.map((e) => e.id),
    ['1', '2', '3', '4', '5'],
  );
  assert.deepEqual(server.stats.lastEventIds.slice(before), [null, '3'], 'the reconnection sent Last-Event-ID: 3 (after the retry: 10 the server set)');
  const r = await stream.done;
  assert.equal(r.ok, true);
  assert.equal(r.reconnects, 1);
  assert.equal(scope.sum('sse_reconnects'), 1);
  const errors = scope.of('sse_errors');
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.tags.error_code ?? '', /^(UND_ERR_SOCKET|ECONNRESET)$/);
  assert.equal(scope.sum('sse_streams'), 1, 'a reconnection is the same stream');
  assert.equal(scope.count('sse_time_to_first_event'), 1);
});

test('a cut stream without reconnect fails with the socket error after the events it got', async () => {
  const scope = new TestScope();
  const stream = client(scope).open('/cut');
  const events = await collect(stream);
  assert.equal(events.length, 3);
  const r = await stream.done;
  assert.equal(r.ok, false);
  assert.equal(r.endedBy, 'error');
  assert.match(r.errorCode, /^(UND_ERR_SOCKET|ECONNRESET)$/);
  assert.equal(scope.count('sse_errors', { error_code: r.errorCode }), 1);
});

test('a server that never answers: the timeout fails the stream with UND_ERR_HEADERS_TIMEOUT', async () => {
  const scope = new TestScope();
  const stream = client(scope).open('/hang', { timeout: 100 });
  const r = await stream.done;
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, 'UND_ERR_HEADERS_TIMEOUT');
  assert.equal(r.status, 0);
  assert.equal(scope.count('sse_errors', { error_code: 'UND_ERR_HEADERS_TIMEOUT' }), 1);
  assert.equal(scope.count('sse_time_to_first_event'), 0);
});

test('a stream that stalls: the same timeout bounds the silence between chunks', async () => {
  const scope = new TestScope();
  const stream = client(scope, 100).open('/stall');
  const events = await collect(stream);
  assert.equal(events.length, 1);
  assert.equal((await stream.done).errorCode, 'UND_ERR_BODY_TIMEOUT');
});

test('a failed attempt is retried, and giving up is counted', async () => {
  const scope = new TestScope();
  const port = await closedPort();
  const stream = client(scope).open(`http://127.0.0.1:${port}/events`, { reconnect: { retries: 2, delayMs: 1 } });
  const r = await stream.done;
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, 'ECONNREFUSED');
  assert.equal(scope.count('sse_errors', { error_code: 'ECONNREFUSED' }), 3);
  assert.equal(scope.count('sse_errors', { error_code: 'SSE_RECONNECT_FAILED' }), 1);
});

test('POST with a JSON body, extra headers', async () => {
  const scope = new TestScope();
  const events = await collect(client(scope).open('/post', { method: 'POST', body: { prompt: 'hi' }, name: 'chat' }));
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]?.json(), { method: 'POST', body: '{"prompt":"hi"}', contentType: 'application/json' });
  assert.equal(scope.sum('sse_events', { name: 'chat', method: 'POST', event: 'echo' }), 1);
});

test('a non-2xx answer or a wrong content type fails at once, without reconnection', async () => {
  const scope = new TestScope();
  const bad = await client(scope).open('/status500', { reconnect: true }).done;
  assert.equal(bad.errorCode, 'SSE_BAD_STATUS');
  assert.equal(bad.status, 500);
  assert.match(bad.error, /status 500: \{"error":"boom"\}/);
  assert.equal(scope.count('sse_errors', { error_code: 'SSE_BAD_STATUS', status: '500' }), 1);
  const html = await client(scope).open('/html', { reconnect: true }).done;
  assert.equal(html.errorCode, 'SSE_BAD_CONTENT_TYPE');
  assert.equal(scope.sum('sse_reconnects'), 0);
  assert.equal(server.stats.requests['/status500'], 1);
  assert.equal(server.stats.requests['/html'], 1);
});

test('breaking out of the loop closes an endless stream from the client side', async () => {
  const scope = new TestScope();
  const gone = server.stats.clientGone;
  const stream = client(scope).open('/forever');
  let n = 0;
  for await (const e of stream) {
    assert.equal(e.data, 'tick');
    if (++n === 3) break;
  }
  const r = await stream.done;
  assert.equal(r.ok, true);
  assert.equal(r.endedBy, 'client');
  assert.ok(r.events >= 3);
  await until(() => server.stats.clientGone === gone + 1, 'the server to see the client leave');
  assert.equal(scope.count('sse_errors'), 0);
});

test('a VU interrupt: the iterator and done reject with the interrupt, nothing is recorded as an error', async () => {
  const scope = new TestScope();
  const stream = client(scope).open('/forever');
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  scope.interrupt();
  await assert.rejects(stream.done, InterruptedError);
  await assert.rejects(
    (async () => {
      for (;;) if ((await it.next()).done === true) return;
    })(),
    InterruptedError,
  );
  assert.equal(scope.count('sse_errors'), 0);
});

test('lastEventId sends Last-Event-ID on the first request', async () => {
  const scope = new TestScope();
  const events = await collect(client(scope).open('/cut', { lastEventId: '4' }));
  assert.deepEqual(
    events.map((e) => e.id),
    ['5'],
  );
  assert.equal(server.stats.lastEventIds.at(-1), '4');
});

test('bad input is named', () => {
  const scope = new TestScope();
  const c = client(scope);
  assert.throws(() => c.open('/events', { body: 'x' }), /a GET stream cannot have a body/);
  assert.throws(() => c.open('/events', { method: 'PUT' as 'POST' }), /method must be "GET" or "POST" \(got "PUT"\)/);
  assert.throws(() => c.open('ftp://x/y'), /unsupported protocol "ftp:" in "ftp:\/\/x\/y"/);
  assert.throws(() => c.open('/events', { reconnect: { retries: 1.5 } }), /reconnect.retries must be a non-negative integer \(got 1.5\)/);
  const noBase = new SseClient(scope, agent.dispatcher, { baseUrl: '', timeoutMs: 1000, headers: {} });
  assert.throws(() => noBase.open('/events'), /invalid URL "\/events" \(a relative URL needs http.baseUrl or --base-url\)/);
  assert.throws(() => c.open('/events').on('evnt' as 'event', () => undefined), /unknown SSE stream event "evnt"/);
});
