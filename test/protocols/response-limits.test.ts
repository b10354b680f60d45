/**
 * The response-size limit (http.maxResponseBytes) in the protocols that buffer or parse what they receive:
 * SSE events and their unread queue, WebSocket messages, LLM responses and streams, A2A JSON-RPC bodies and
 * streams; and the bounded reads of bodies nobody keeps. Against the fault server on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { A2aClient } from '../../src/protocols/a2a/client.ts';
import { resolveA2aPlan } from '../../src/protocols/a2a/options.ts';
import { LlmClient } from '../../src/protocols/llm/client.ts';
import { resolveLlmPlan } from '../../src/protocols/llm/options.ts';
import { SseClient } from '../../src/protocols/sse/client.ts';
import { AsyncQueue } from '../../src/protocols/ws/async-queue.ts';
import { WsClient } from '../../src/protocols/ws/client.ts';
import type { WsMessage } from '../../src/protocols/ws/message.ts';
import { TestScope as HttpScope } from '../fixtures/llm-scope.ts';
import { startFaultServer, type FaultServer } from '../faults/fault-server.ts';
import { TestScope } from './ws-test-scope.ts';

const LIMIT = { timeout: 20_000 };
const MAX = 100_000;

let server: FaultServer;
let scope: HttpScope;
before(async () => {
  server = await startFaultServer();
  scope = new HttpScope();
});
after(async () => {
  await scope.close();
  await server.close();
});

describe('SSE', () => {
  const sse = (s: TestScope, maxEventBytes?: number): SseClient =>
    new SseClient(s, scope.agent.dispatcher, { baseUrl: server.url, timeoutMs: 5000, headers: {}, ...(maxEventBytes === undefined ? {} : { maxEventBytes }) });

  test('an event under the limit passes; a line that never ends fails with SSE_EVENT_TOO_LARGE, naming the limit', LIMIT, async () => {
    const s = new TestScope();
    const ok = await sse(s, MAX).open('/sse-event?n=90000', { name: 'big_event' }).done;
    assert.equal(ok.ok, true, ok.error);
    assert.equal(ok.events, 1);
    const r = await sse(s, MAX).open('/sse-endless-line', { name: 'endless' }).done;
    assert.equal(r.errorCode, 'SSE_EVENT_TOO_LARGE');
    assert.match(r.error, /past 100000 characters \(maxEventBytes\)/);
    assert.equal(s.count('sse_errors', { name: 'endless', error_code: 'SSE_EVENT_TOO_LARGE' }), 1);
    // per stream: raised
    const raised = await sse(s, MAX).open('/sse-event?n=150000', { maxEventBytes: 200_000 }).done;
    assert.equal(raised.ok, true, raised.error);
    assert.throws(() => sse(s).open('/ok', { maxEventBytes: 1.5 }), /maxEventBytes must be a whole number >= 0 \(0 = no limit\), got 1.5/);
  });

  test('broken JSON in events: the events arrive, json() is undefined for the broken ones, the stream ends ok', LIMIT, async () => {
    const s = new TestScope();
    const stream = sse(s).open('/sse-broken');
    const parsed: unknown[] = [];
    for await (const e of stream) parsed.push(e.json());
    const r = await stream.done;
    assert.equal(r.ok, true);
    assert.deepEqual(parsed, [{ n: 1 }, undefined, { n: 3 }, undefined, undefined, { n: 6 }]);
  });

  test('the body of a failed response is read only so far: an error page that trickles forever ends within the timeout', LIMIT, async () => {
    const s = new TestScope();
    const client = new SseClient(s, scope.agent.dispatcher, { baseUrl: server.url, timeoutMs: 300, headers: {} });
    const r = await client.open('/trickle?ms=5&status=503').done;
    assert.equal(r.errorCode, 'SSE_BAD_STATUS');
    assert.equal(r.status, 503);
    const endless = await client.open('/endless?status=500').done;
    assert.equal(endless.errorCode, 'SSE_BAD_STATUS');
    assert.ok(endless.error.length < 600, 'a prefix of the body only');
  });
});

test('AsyncQueue: unread values past the weight budget drop the oldest, counted; the newest is always kept', () => {
  const q = new AsyncQueue<string>(100, () => undefined, (v) => v.length, 10);
  for (const v of ['aaaa', 'bbbb', 'cccc']) q.push(v);
  assert.equal(q.size, 2, '12 > 10: the oldest is dropped');
  assert.equal(q.dropped, 1);
  q.push('x'.repeat(50));
  assert.equal(q.size, 1, 'one value larger than the budget stays, alone');
  assert.equal(q.dropped, 3);
  const byCount = new AsyncQueue<string>(2);
  for (const v of ['a', 'b', 'c']) byCount.push(v);
  assert.equal(byCount.size, 2);
});

test('AsyncQueue: values taken by the reader leave the budget', async () => {
  const q = new AsyncQueue<string>(100, () => undefined, (v) => v.length, 10);
  q.push('aaaaaaaa');
  assert.equal((await q.next()).value, 'aaaaaaaa');
  q.push('bbbbbbbb');
  assert.equal(q.size, 1);
  assert.equal(q.dropped, 0);
});

describe('WebSocket', () => {
  const ws = (s: TestScope, maxMessageBytes?: number): WsClient =>
    new WsClient(s, { httpBaseUrl: server.url, timeoutMs: 5000, headers: {}, ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }) });

  test('a message of exactly maxMessageBytes arrives; one byte more closes the connection with WS_MESSAGE_TOO_LARGE', LIMIT, async () => {
    const s = new TestScope();
    const at = await ws(s, MAX).connect(`/ws-big?n=${MAX}`, { name: 'at_limit', closeTimeout: '100ms' });
    const got = await new Promise<WsMessage>((resolve) => at.on('message', resolve));
    assert.equal(got.size, MAX);
    await at.close();
    const past = await ws(s, MAX).connect(`/ws-big?n=${MAX + 1}`, { name: 'past_limit' });
    const info = await past.closed;
    assert.equal(info.unexpected, true);
    assert.equal(s.count('ws_errors', { name: 'past_limit', error_code: 'WS_MESSAGE_TOO_LARGE' }), 1);
    assert.equal(s.count('ws_msgs_received', { name: 'past_limit' }), 0);
    await assert.rejects(ws(s).connect('/ws-big', { maxMessageBytes: -5 }), /maxMessageBytes must be a whole number of bytes >= 0 \(0 = no limit\), got -5/);
  });

  test('garbage frames after the upgrade end the session with the ws library code', LIMIT, async () => {
    const s = new TestScope();
    const session = await ws(s).connect('/ws-garbage', { name: 'garbage' });
    const info = await session.closed;
    assert.equal(info.unexpected, true);
    assert.equal(s.count('ws_errors', { name: 'garbage', error_code: 'WS_ERR_INVALID_OPCODE' }), 1);
  });
});

describe('LLM', () => {
  const llm = (max = MAX): LlmClient => {
    const errors: string[] = [];
    const plan = resolveLlmPlan({ baseUrl: `${server.url}/v1`, timeout: '5s' }, errors);
    assert.deepEqual(errors, []);
    return new LlmClient(scope, scope.agent.dispatcher, plan, '', max);
  };
  const messages = [{ role: 'user' as const, content: 'hi' }];

  test('a stream that never ends, and a JSON answer announcing 1 GB, fail with RESPONSE_TOO_LARGE', LIMIT, async () => {
    scope.clear();
    const endless = await llm().chat({ model: 'endless', messages, name: 'endless' });
    assert.equal(endless.ok, false);
    assert.equal(endless.errorCode, 'RESPONSE_TOO_LARGE');
    assert.ok(endless.chunks > 0, 'what came before the limit is measured');
    const huge = await llm().chat({ model: 'huge-json', messages, stream: false, name: 'huge' });
    assert.equal(huge.errorCode, 'RESPONSE_TOO_LARGE');
    assert.match(huge.error ?? '', /announces 1000000000 bytes/);
    assert.equal(scope.values('llm_errors', { name: 'endless', error_code: 'RESPONSE_TOO_LARGE' }).length, 1);
    assert.equal(scope.values('llm_errors', { name: 'huge', error_code: 'RESPONSE_TOO_LARGE' }).length, 1);
    await assert.rejects(llm().chat({ model: 'endless', messages, maxResponseBytes: -1 }), /maxResponseBytes must be a whole number of bytes >= 0/);
  });

  test('without stream, the timeout bounds the whole answer: one that trickles in forever fails with UND_ERR_BODY_TIMEOUT', LIMIT, async () => {
    const r = await llm().chat({ model: 'trickle', messages, stream: false, timeout: '400ms' });
    assert.equal(r.errorCode, 'UND_ERR_BODY_TIMEOUT', r.error ?? '');
  });

  test('broken JSON chunks give INVALID_CHUNK; a stream without [DONE] gives STREAM_INCOMPLETE', LIMIT, async () => {
    const broken = await llm().chat({ model: 'broken-json', messages });
    assert.equal(broken.errorCode, 'INVALID_CHUNK');
    const cut = await llm().chat({ model: 'no-done', messages });
    assert.equal(cut.errorCode, 'STREAM_INCOMPLETE');
    assert.equal(cut.text, 'Hello there');
  });
});

describe('A2A', () => {
  const a2a = (): A2aClient => {
    const errors: string[] = [];
    const plan = resolveA2aPlan({ url: server.url, rpcUrl: `${server.url}/a2a`, version: '1.0', timeout: '5s' }, errors);
    assert.deepEqual(errors, []);
    return new A2aClient(scope, scope.agent.dispatcher, scope.http, plan, '', MAX);
  };

  test('a JSON-RPC body that never ends, and a stream that never ends, fail with RESPONSE_TOO_LARGE', LIMIT, async () => {
    scope.clear();
    const sent = await a2a().send('hello', { name: 'send' });
    assert.equal(sent.ok, false);
    assert.equal(sent.errorCode, 'RESPONSE_TOO_LARGE');
    const streamed = await a2a().stream('hello', { name: 'stream' });
    assert.equal(streamed.ok, false);
    assert.equal(streamed.errorCode, 'RESPONSE_TOO_LARGE');
    assert.ok(streamed.events.length > 0, 'the events before the limit are kept');
    assert.equal(scope.values('a2a_errors', { name: 'send', method: 'send', error_code: 'RESPONSE_TOO_LARGE' }).length, 1);
    assert.equal(scope.values('a2a_errors', { name: 'stream', method: 'stream', error_code: 'RESPONSE_TOO_LARGE' }).length, 1);
    const raised = await a2a().send('hello', { maxResponseBytes: 2 * MAX });
    assert.equal(raised.errorCode, 'RESPONSE_TOO_LARGE');
    await assert.rejects(a2a().send('hello', { maxResponseBytes: 'big' as unknown as number }), /maxResponseBytes must be a whole number of bytes >= 0/);
  });
});
