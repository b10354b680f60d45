/** The WebSocket client against local servers that behave and misbehave, recording into a real SampleStore. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WsClient } from '../../src/protocols/ws/client.ts';
import { backoffDelay } from '../../src/protocols/ws/dial.ts';
import { WsConnectError } from '../../src/protocols/ws/session-options.ts';
import type { WsSession } from '../../src/protocols/ws/session.ts';
import { InterruptedError } from '../../src/protocols/vu-scope.ts';
import { closedPort } from '../helpers/servers.ts';
import { TestScope, until } from './ws-test-scope.ts';
import { startWsServer, type WsTestServer } from './ws-test-server.ts';

let server: WsTestServer;
before(async () => {
  server = await startWsServer();
});
after(() => server.close());

function client(scope: TestScope, timeoutMs = 5000): WsClient {
  return new WsClient(scope, { httpBaseUrl: server.httpUrl, timeoutMs, headers: { 'user-agent': 'agentload-test' } });
}

test('URLs: relative to WS_URL, else to the HTTP base URL turned into ws://; http(s) URLs become ws(s)', () => {
  const s = new TestScope();
  const byHttp = new WsClient(s, { httpBaseUrl: 'https://api.example.test/', timeoutMs: 1000, headers: {} });
  assert.equal(byHttp.resolveUrl('/ws/chat'), 'wss://api.example.test/ws/chat');
  assert.equal(byHttp.resolveUrl('http://h:1/x'), 'ws://h:1/x');
  assert.equal(byHttp.resolveUrl('wss://other/x'), 'wss://other/x');
  const byEnv = new WsClient(new TestScope({ WS_URL: 'ws://collab.test:9000/' }), { httpBaseUrl: 'http://api.test', timeoutMs: 1000, headers: {} });
  assert.equal(byEnv.resolveUrl('/ws/runs/1/collaboration'), 'ws://collab.test:9000/ws/runs/1/collaboration');
  const none = new WsClient(s, { httpBaseUrl: '', timeoutMs: 1000, headers: {} });
  assert.throws(() => none.resolveUrl('/ws'), /relative URL needs a base/);
});

test('backoff doubles from the base, is capped, and equal jitter stays within [d/2, d]', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, 100, 1000, false)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelay(3, 100, 1000, true, () => 0), 200);
  assert.equal(backoffDelay(3, 100, 1000, true, () => 1), 400);
});

test('connect, echo, close: sessions, connecting, messages, duration and stability are recorded', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo', { tags: { room: 'a' } });
  assert.equal(s.state, 'open');
  const got: string[] = [];
  s.on('message', (m) => got.push(m.text));
  assert.equal(s.send('one'), true);
  assert.equal(s.send({ two: 2 }), true);
  await until(() => got.length === 2, 'two echoes');
  assert.deepEqual(got, ['one', '{"two":2}']);
  const info = await s.close();
  assert.deepEqual(info, { code: 1000, reason: '', unexpected: false, drops: 0, reconnects: 0 });
  const name = `${server.url}/echo`;
  assert.equal(scope.count('ws_sessions', { name, room: 'a' }), 1);
  assert.equal(scope.count('ws_connecting', { name, status: '101' }), 1);
  assert.equal(scope.sum('ws_msgs_sent', { name }), 2);
  assert.equal(scope.sum('ws_msgs_received', { name }), 2);
  assert.equal(scope.count('ws_buffered_bytes'), 2);
  assert.equal(scope.count('ws_session_duration'), 1);
  assert.deepEqual(scope.values('ws_stability'), [1]);
  assert.equal(scope.count('ws_errors'), 0);
  assert.equal(scope.inflight.size, 0, 'the session untracked itself');
  assert.equal(s.send('late'), false, 'send on a closed session fails');
  assert.equal(scope.count('ws_errors', { error_code: 'WS_NOT_OPEN' }), 1);
});

test('data_sent / data_received are the exact wire bytes, handshake and close frames included', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/bytes');
  let echoes = 0;
  s.on('message', () => echoes++);
  s.rapidFire(5, (i) => `message ${i} ${'y'.repeat(i * 50)}`);
  await until(() => echoes === 5, 'five echoes');
  await s.close();
  await until(() => server.stats.bytes.length === 1, 'the server saw the close');
  const wire = server.stats.bytes[0] as { read: number; written: number };
  assert.equal(scope.sum('data_sent'), wire.read);
  assert.equal(scope.sum('data_received'), wire.written);
});

test('request(): replies matched by id (out of order), ack and reply_to; rtt tagged with the request name', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/ack');
  const [a, b, c] = await Promise.all([
    s.request({ type: 'graft', delay: 60 }, { name: 'graft' }),
    s.request({ type: 'prune', delay: 30, style: 'ack' }, { name: 'prune' }),
    s.request({ type: 'flag', style: 'reply_to', id: 'mine-1' }, { name: 'flag' }),
  ]);
  assert.equal(a.ok && b.ok && c.ok, true);
  assert.equal(a.id, '7-1', 'generated ids are <vu>-<n>');
  assert.equal(a.message?.json<{ id: string; echo: { type: string } }>()?.echo.type, 'graft');
  assert.equal(b.message?.json<{ ack: string }>()?.ack, b.id);
  assert.equal(c.id, 'mine-1');
  assert.equal(c.message?.json<{ reply_to: string }>()?.reply_to, 'mine-1');
  for (const name of ['graft', 'prune', 'flag']) {
    assert.equal(scope.count('ws_msg_rtt', { name }), 1, name);
    assert.deepEqual(scope.values('ws_msg_failed', { name }), [0], name);
  }
  const custom = await s.request({ type: 'own' }, { match: (r, _m, id) => r?.id === id && r?.ok === true, name: 'own' });
  assert.equal(custom.ok, true, 'a custom matcher gets the request id');
  assert.equal(custom.id, '7-3', 'generated ids count per VU (the one given by the script is not counted)');
  assert.throws(() => s.request('plain text'), /give a text or binary message a `match` function/);
  await s.close();
});

test('request(): a custom matcher for text messages', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo');
  const r = await s.request('hello there', { match: (_json, m) => m.text === 'hello there', name: 'text' });
  assert.equal(r.ok, true);
  assert.equal(r.id, undefined);
  assert.equal(scope.count('ws_msg_rtt', { name: 'text' }), 1);
  await s.close();
});

test('request(): no reply within the timeout is a failure with WS_REPLY_TIMEOUT; the session stays up', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/silent', { requestTimeout: 50 });
  const [r1, r2] = await Promise.all([s.request({ type: 'x' }, { name: 'lost' }), s.request({ type: 'y' }, { name: 'lost', timeout: '30ms' })]);
  assert.equal(r1.ok, false);
  assert.equal(r1.errorCode, 'WS_REPLY_TIMEOUT');
  assert.equal(r2.errorCode, 'WS_REPLY_TIMEOUT');
  assert.deepEqual(scope.values('ws_msg_failed', { name: 'lost', error_code: 'WS_REPLY_TIMEOUT' }), [1, 1]);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_REPLY_TIMEOUT' }), 2);
  assert.equal(scope.count('ws_msg_rtt'), 0);
  assert.equal(s.state, 'open');
  await s.close();
  assert.deepEqual(scope.values('ws_stability'), [1]);
});

test('an abrupt close without reconnect: pending requests fail, the session ends unstable with WS_CLOSE_1006', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/die');
  const pending = s.request({ type: 'never answered' }, { match: () => false, name: 'cut' });
  s.send('die');
  const [r, info] = await Promise.all([pending, s.closed]);
  assert.equal(r.errorCode, 'WS_CLOSED_BEFORE_REPLY');
  assert.equal(info.unexpected, true);
  assert.equal(info.code, 1006);
  assert.equal(info.drops, 1);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_CLOSE_1006' }), 1);
  assert.deepEqual(scope.values('ws_stability'), [0]);
  assert.equal(scope.count('ws_session_duration'), 1);
});

test('reconnect after an abrupt close: counted with its duration; the session goes on and ends unstable', async () => {
  const scope = new TestScope();
  const before = server.stats.connections['/die'] ?? 0;
  const s = await client(scope).connect('/die', { reconnect: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 } });
  const events: string[] = [];
  s.on('drop', (d) => events.push(`drop:${d.errorCode}`));
  s.on('reconnect', (r) => events.push(`reconnect:${r.attempt}`));
  s.send('die');
  await until(() => events.length === 2, 'drop and reconnect');
  assert.deepEqual(events, ['drop:WS_CLOSE_1006', 'reconnect:1']);
  assert.equal(s.state, 'open');
  const echo = await s.request('after', { match: (_j, m) => m.text === 'after' });
  assert.equal(echo.ok, true);
  const info = await s.close();
  assert.deepEqual(info, { code: 1000, reason: '', unexpected: false, drops: 1, reconnects: 1 });
  assert.equal((server.stats.connections['/die'] ?? 0) - before, 2);
  assert.equal(scope.sum('ws_sessions'), 1);
  assert.equal(scope.count('ws_connecting'), 2);
  assert.equal(scope.sum('ws_reconnects'), 1);
  assert.equal(scope.count('ws_reconnect_duration'), 1);
  assert.deepEqual(scope.values('ws_stability'), [0], 'a session that dropped is not stable, even when it recovered');
});

test('reconnect gives up after its retries: each failed attempt and the give-up are errors', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/once', { reconnect: { retries: 2, baseDelayMs: 1, maxDelayMs: 2, jitter: false } });
  s.send('die');
  const info = await s.closed;
  assert.equal(info.unexpected, true);
  assert.equal(info.reconnects, 0);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_CLOSE_1006' }), 1);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_UNEXPECTED_RESPONSE', status: '503' }), 2);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_RECONNECT_FAILED' }), 1);
  assert.deepEqual(scope.values('ws_stability'), [0]);
});

test('connect failures throw WsConnectError after recording ws_errors: refused, 403, handshake timeout', async () => {
  const scope = new TestScope();
  const port = await closedPort();
  await assert.rejects(client(scope).connect(`ws://127.0.0.1:${port}/x`), (e: unknown) => e instanceof WsConnectError && e.code === 'ECONNREFUSED');
  await assert.rejects(client(scope).connect('/forbidden'), (e: unknown) => e instanceof WsConnectError && e.code === 'WS_UNEXPECTED_RESPONSE' && e.status === 403);
  const mute = net.createServer((sock) => sock.resume()); // reads (so it sees the client leave) but never answers
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  try {
    const url = `ws://127.0.0.1:${(mute.address() as AddressInfo).port}/`;
    await assert.rejects(client(scope).connect(url, { timeout: 100 }), (e: unknown) => e instanceof WsConnectError && e.code === 'WS_HANDSHAKE_TIMEOUT');
  } finally {
    await new Promise<void>((r) => mute.close(() => r()));
  }
  assert.equal(scope.count('ws_errors', { error_code: 'ECONNREFUSED' }), 1);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_UNEXPECTED_RESPONSE', status: '403' }), 1);
  assert.equal(scope.count('ws_errors', { error_code: 'WS_HANDSHAKE_TIMEOUT' }), 1);
  assert.equal(scope.count('ws_sessions'), 0);
  assert.equal(scope.count('ws_connecting'), 0, 'failed handshakes are not in ws_connecting');
  await assert.rejects(client(scope).connect('ftp://127.0.0.1/x'), (e: unknown) => e instanceof WsConnectError && e.code === 'INVALID_URL');
});

test('subprotocols and headers reach the server', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/hdr', { protocols: ['v1', 'v2'], headers: { 'X-Test': 'yes' } });
  const welcome = await s.waitFor((r) => r?.type === 'welcome', { timeout: 2000 });
  assert.deepEqual(welcome?.json(), { type: 'welcome', protocol: 'v2', xtest: 'yes' });
  assert.equal(s.protocol, 'v2');
  await s.close();
});

test('messages as an async iterator; breaking out stops buffering', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo');
  const it = s.messages();
  for (const m of ['a', 'b', 'c']) s.send(m);
  const seen: string[] = [];
  for await (const m of it) {
    seen.push(m.text);
    if (seen.length === 3) break;
  }
  assert.deepEqual(seen, ['a', 'b', 'c']);
  const after = s.messages();
  s.send('d');
  await s.close();
  const rest: string[] = [];
  for await (const m of after) rest.push(m.text);
  assert.deepEqual(rest, ['d'], 'the iterator ends when the session closes');
});

test('heartbeat: presence on an interval, optionally as requests with a round trip', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/ack');
  const base = server.stats.received['/ack'] ?? 0;
  const stop = s.heartbeat(10, (n) => ({ type: 'presence', n }), { reply: { name: 'presence' } });
  await until(() => scope.count('ws_msg_rtt', { name: 'presence' }) >= 3, 'three acknowledged heartbeats');
  stop();
  const sent = scope.sum('ws_msgs_sent');
  await until(() => scope.count('ws_msg_failed', { name: 'presence' }) === sent, 'every heartbeat answered');
  assert.ok(sent >= 3);
  assert.equal((server.stats.received['/ack'] ?? 0) - base, sent, 'the server got every heartbeat');
  assert.deepEqual(new Set(scope.values('ws_msg_failed', { name: 'presence' })), new Set([0]));
  assert.equal(scope.count('ws_msg_rtt', { name: 'presence' }), sent);
  await s.close();
  assert.equal(scope.sum('ws_msgs_sent'), sent, 'nothing sent after stop()');
  assert.throws(() => s.heartbeat(0, () => 'x'), /interval must be more than 0/);
});

test('backpressure reports: drops recorded as increases (a lower value restarts the count), queue sizes as a trend', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/report');
  const done = s.waitFor((r) => r?.type === 'report-done', { timeout: 2000 });
  s.send({ type: 'report', reports: [{ drops: 2, queue_size: 10 }, { drops: 5, queue_size: 20 }, { drops: 5, queue_size: 0 }, { drops: 1 }, { queue_size: 7 }] });
  await done;
  await s.close();
  assert.deepEqual(scope.values('ws_backpressure_drops'), [2, 3, 0, 1]);
  assert.deepEqual(scope.values('ws_server_queue_size'), [10, 20, 0, 7]);
});

test('slow consumer: pauseReading backs the server up until it drops; every drop it reports is counted', async () => {
  const scope = new TestScope();
  const s = await client(scope, 10_000).connect('/flood');
  const flooded = s.waitFor((r) => r?.type === 'flood-done', { timeout: 10_000 });
  s.send({ type: 'flood', size: 32 * 1024, minDrops: 5, cap: 20_000 });
  const { drained } = await s.pauseReading(1000);
  const done = await flooded;
  const final = server.stats.floodDone;
  assert.ok(done !== null && final !== null);
  assert.ok(drained > 0, 'messages queued while paused were drained after the resume');
  assert.equal(scope.sum('ws_backpressure_drops'), final.drops, 'the client counted exactly the drops the server reported');
  assert.equal(final.drops, 5, 'the paused reader made the server drop');
  assert.equal(scope.sum('ws_msgs_received'), final.sent, 'everything the server sent arrived');
  assert.equal(scope.count('ws_server_queue_size'), final.sent);
  await s.close();
});

test('rapidFire: n messages back to back, each sampled for bufferedAmount', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo');
  const r = s.rapidFire(200, (i) => ({ i, pad: 'z'.repeat(1000) }));
  assert.equal(r.sent, 200);
  await until(() => scope.sum('ws_msgs_received') === 200, '200 echoes');
  assert.equal(scope.sum('ws_msgs_sent'), 200);
  assert.equal(scope.count('ws_buffered_bytes'), 200);
  assert.throws(() => s.rapidFire(0, () => 'x'), /positive integer/);
  await s.close();
});

test('ping: the pong round trip is ws_ping', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo');
  const rtt = await s.ping();
  assert.equal(typeof rtt, 'number');
  assert.equal(scope.count('ws_ping'), 1);
  await s.close();
  assert.equal(await s.ping(), null);
});

test('a VU interrupt closes the session: pending work rejects with the interrupt, the server sees 1001', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/silent');
  const codes = server.stats.closeCodes.length;
  const pending = s.request({ type: 'x' }, { name: 'cut' });
  const it = s.messages()[Symbol.asyncIterator]();
  const next = it.next();
  scope.interrupt();
  await assert.rejects(pending, InterruptedError);
  await assert.rejects(next, InterruptedError);
  await assert.rejects(s.closed, InterruptedError);
  assert.equal(s.state, 'closed');
  await until(() => server.stats.closeCodes.length > codes, 'server close');
  assert.equal(server.stats.closeCodes.at(-1), 1001);
  assert.equal(scope.count('ws_msg_failed'), 0, 'interrupted requests are not failures');
  assert.deepEqual(scope.values('ws_stability'), [1]);
  await assert.rejects(client(scope).connect('/echo'), InterruptedError);
});

test('a session outlives its iteration: it stays open until close() (the VU does not close it)', async () => {
  const scope = new TestScope();
  const c = client(scope);
  let kept: WsSession | null = null;
  const iteration = async (): Promise<void> => {
    kept = await c.connect('/echo', { name: 'presence' });
  };
  await iteration();
  const session = kept as WsSession | null;
  assert.ok(session !== null);
  assert.equal(session.state, 'open');
  assert.ok(scope.inflight.has(session), 'still tracked by the VU after the iteration returned');
  await session.close();
  assert.equal(scope.inflight.size, 0);
});

test('bad input is named: close codes, unknown events, reconnect options', async () => {
  const scope = new TestScope();
  const s = await client(scope).connect('/echo');
  assert.throws(() => s.close(1006), /code 1006 is not allowed/);
  assert.throws(() => s.on('mesage' as 'message', () => undefined), /unknown WebSocket session event "mesage"/);
  await s.close();
  await assert.rejects(client(scope).connect('/echo', { reconnect: { retries: -1 } }), /reconnect.retries must be a non-negative integer \(got -1\)/);
  await assert.rejects(client(scope).connect('/echo', { reconnect: { baseDelayMs: 100, maxDelayMs: 10 } }), /maxDelayMs \(10\) is less than baseDelayMs \(100\)/);
});
