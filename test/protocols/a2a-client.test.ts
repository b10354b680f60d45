/** ctx.a2a against an @a2a-js/sdk v1.0 agent and a hand-written v0.3 agent: lifecycle metrics, both versions, errors. */
import { after, before, describe, test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { A2aClient } from '../../src/protocols/a2a/client.ts';
import { resolveA2aPlan, type A2aOptions } from '../../src/protocols/a2a/options.ts';
import type { A2aEvent } from '../../src/protocols/a2a/types.ts';
import { startSdkAgent, startV03Agent, type TestAgent } from '../fixtures/a2a-servers.ts';
import { TestScope } from '../fixtures/llm-scope.ts';

let v1: TestAgent;
let v03: TestAgent;
let scope: TestScope;

before(async () => {
  [v1, v03] = await Promise.all([startSdkAgent(), startV03Agent()]);
  scope = new TestScope({ A2A_TOKEN: 'tok-123' });
});
after(async () => {
  await scope.close();
  await Promise.all([v1.close(), v03.close()]);
});

function client(options: A2aOptions): A2aClient {
  const errors: string[] = [];
  const plan = resolveA2aPlan(options, errors);
  assert.deepEqual(errors, []);
  return new A2aClient(scope, scope.agent.dispatcher, scope.http, plan);
}

/** The lifecycle samples recorded since the last clear(). */
function lifecycle(): { submit: number[]; first: number[]; duration: number[]; completed: number[]; states: string[] } {
  return {
    submit: scope.values('a2a_submit_duration'),
    first: scope.values('a2a_first_status'),
    duration: scope.values('a2a_task_duration'),
    completed: scope.values('a2a_task_completed'),
    states: scope.of('a2a_tasks').map((s) => s.tags.state as string),
  };
}

describe('v1.0 agent (@a2a-js/sdk server)', () => {
  test('agent card: version and JSON-RPC URL read from supportedInterfaces', async () => {
    scope.clear();
    const c = await client({ url: v1.url }).card();
    assert.equal(c.ok, true, c.error ?? '');
    assert.equal(c.version, '1.0');
    assert.equal(c.rpcUrl, `${v1.url}/a2a/jsonrpc`);
    assert.equal(c.card?.name, 'scripted agent');
    assert.equal(scope.values('a2a_request_duration', { method: 'card' }).length, 1);
  });

  test('blocking send: the completed task, with submit = first status = task duration (one response)', async () => {
    scope.clear();
    const r = await client({ url: v1.url }).send('work', { name: 'research' });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.version, '1.0');
    assert.equal(r.state, 'completed');
    assert.equal(r.task?.artifacts[0]?.text, 'done: work');
    assert.equal(r.task?.statusMessage?.text, 'finished');
    const l = lifecycle();
    assert.equal(l.submit.length, 1);
    assert.deepEqual(l.first, l.submit);
    assert.deepEqual(l.duration, l.submit);
    assert.deepEqual(l.completed, [1]);
    assert.deepEqual(l.states, ['completed']);
    assert.equal(scope.of('a2a_tasks')[0]?.tags.name, 'research');
    assert.ok(v1.auth.includes('Bearer tok-123'), 'the A2A_TOKEN variable is sent as a bearer token');
  });

  test('a direct message reply counts as a completed interaction (state message)', async () => {
    scope.clear();
    const r = await client({ url: v1.url }).send('echo');
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.state, 'message');
    assert.equal(r.message?.text, 'echo: hi');
    assert.equal(r.message?.role, 'agent');
    assert.deepEqual(lifecycle().states, ['message']);
    assert.deepEqual(lifecycle().completed, [1]);
  });

  test('non-blocking send then wait(): submitted at once, lifecycle ends when a poll sees completed', async () => {
    scope.clear();
    const a2a = client({ url: v1.url });
    const sent = await a2a.send('work', { blocking: false });
    assert.equal(sent.ok, true, sent.error ?? '');
    assert.equal(sent.state, 'submitted');
    assert.deepEqual(lifecycle().states, [], 'not ended yet');
    const done = await a2a.wait(sent, { interval: '10ms', timeout: '10s' });
    assert.equal(done.ok, true, done.error ?? '');
    assert.equal(done.state, 'completed');
    assert.ok(done.polls >= 1);
    const l = lifecycle();
    assert.equal(l.submit.length, 1);
    assert.equal(l.first.length, 1);
    assert.equal(l.duration.length, 1);
    assert.ok((l.submit[0] as number) <= (l.first[0] as number) && (l.first[0] as number) <= (l.duration[0] as number));
    assert.deepEqual(l.states, ['completed']);
    assert.equal(scope.values('a2a_request_duration', { method: 'get' }).length, done.polls);
  });

  test('stream: task, working, artifact, completed events; lifecycle samples are the events\' arrival times', async () => {
    scope.clear();
    const seen: A2aEvent[] = [];
    const r = await client({ url: v1.url }).stream('work', { onEvent: (e) => seen.push(e) });
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.state, 'completed');
    assert.deepEqual(r.events.map((e) => e.kind), ['task', 'status', 'artifact', 'status']);
    assert.deepEqual(seen, r.events);
    assert.equal(r.task?.artifacts[0]?.text, 'done: work');
    for (let i = 1; i < r.events.length; i++) assert.ok((r.events[i] as A2aEvent).at >= (r.events[i - 1] as A2aEvent).at);
    const l = lifecycle();
    assert.deepEqual(l.submit, [r.events[0]?.at]);
    assert.deepEqual(l.first, [r.events[1]?.at]);
    assert.deepEqual(l.duration, [r.events[3]?.at]);
    assert.deepEqual(l.completed, [1]);
    assert.equal(scope.values('a2a_request_duration', { method: 'stream' }).length, 1);
  });

  test('stream: failed and input-required end the lifecycle; only failed counts against completion', async () => {
    scope.clear();
    const a2a = client({ url: v1.url });
    const failed = await a2a.stream('fail');
    assert.equal(failed.state, 'failed');
    assert.equal(failed.ok, true, 'the stream itself worked');
    const input = await a2a.stream('input');
    assert.equal(input.state, 'input-required');
    assert.equal(input.task?.statusMessage?.text, 'which one?');
    const l = lifecycle();
    assert.deepEqual(l.states, ['failed', 'input-required']);
    assert.deepEqual(l.completed, [0], 'an interrupted task is neither completed nor failed');
    assert.equal(l.duration.length, 2);
  });

  test('cancel: a slow task ends canceled', async () => {
    scope.clear();
    const a2a = client({ url: v1.url });
    const sent = await a2a.send('slow', { blocking: false });
    assert.ok(sent.taskId !== null, sent.error ?? '');
    const c = await a2a.cancel(sent.taskId);
    assert.equal(c.ok, true, c.error ?? '');
    assert.equal(c.state, 'canceled');
    assert.deepEqual(lifecycle().states, ['canceled']);
    assert.deepEqual(lifecycle().completed, [0]);
  });

  test('resubscribe: re-attach to a running task and follow it to the end', async () => {
    scope.clear();
    const a2a = client({ url: v1.url });
    const sent = await a2a.send('work', { blocking: false });
    assert.ok(sent.taskId !== null, sent.error ?? '');
    const r = await a2a.resubscribe(sent.taskId);
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.state, 'completed');
    assert.equal(r.events[0]?.kind, 'task', 'v1.0: the first event is a task snapshot');
    assert.deepEqual(lifecycle().states, ['completed']);
    assert.equal(lifecycle().submit.length, 1);
  });

  test('wait() gives up at its timeout: state timeout, WAIT_TIMEOUT', async () => {
    scope.clear();
    const a2a = client({ url: v1.url });
    const sent = await a2a.send('slow', { blocking: false });
    assert.ok(sent.taskId !== null);
    // the task never ends by itself: the timeout is what ends the wait (long enough for polls to see a state on a loaded machine)
    const w = await a2a.wait(sent.taskId, { interval: '20ms', timeout: '1s' });
    assert.equal(w.ok, false);
    assert.equal(w.errorCode, 'WAIT_TIMEOUT');
    assert.ok(w.state === 'working' || w.state === 'submitted', `last state seen: ${w.state}`);
    assert.deepEqual(lifecycle().states, ['timeout']);
    assert.deepEqual(lifecycle().completed, [0]);
    await a2a.cancel(sent.taskId);
    assert.deepEqual(lifecycle().states, ['timeout'], 'a lifecycle ends once');
  });

  test('errors: unknown task, wrong version asked, unreachable agent', async () => {
    scope.clear();
    const g = await client({ url: v1.url }).getTask('no-such-task');
    assert.equal(g.ok, false);
    assert.equal(g.errorCode, 'TASK_NOT_FOUND');
    assert.deepEqual(scope.values('a2a_errors', { method: 'get', error_code: 'TASK_NOT_FOUND' }), [1]);
    const wrong = await client({ url: v1.url, version: '0.3' }).send('work');
    assert.equal(wrong.ok, false);
    assert.equal(wrong.errorCode, 'INVALID_AGENT_CARD');
    assert.match(wrong.error ?? '', /no JSON-RPC interface for A2A 0\.3/);
    const down = await client({ url: 'http://127.0.0.1:1' }).send('work');
    assert.equal(down.ok, false);
    assert.equal(down.errorCode, 'ECONNREFUSED');
    assert.deepEqual(lifecycle().states, ['error', 'error'], 'a send that never reached the agent is a task that did not complete');
  });
});

describe('v0.3 agent (hand-written JSON-RPC)', () => {
  test('detected from the card; blocking send, non-blocking send + wait, message reply', async () => {
    scope.clear();
    const a2a = client({ url: v03.url });
    const card = await a2a.card();
    assert.equal(card.version, '0.3');
    assert.equal(card.rpcUrl, `${v03.url}/rpc`);
    const r = await a2a.send('work');
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.version, '0.3');
    assert.equal(r.state, 'completed');
    const nb = await a2a.send('work', { blocking: false });
    assert.equal(nb.state, 'submitted');
    const w = await a2a.wait(nb, { interval: '10ms', timeout: '10s' });
    assert.equal(w.state, 'completed');
    const echo = await a2a.send('echo');
    assert.equal(echo.state, 'message');
    assert.deepEqual(lifecycle().states, ['completed', 'completed', 'message']);
    assert.ok((v03.calls.get('message/send') ?? 0) >= 3);
    assert.ok((v03.calls.get('tasks/get') ?? 0) >= 1);
  });

  test('stream with kind-tagged events and final: true; cancel', async () => {
    scope.clear();
    const a2a = client({ url: v03.url });
    const r = await a2a.stream('work');
    assert.equal(r.ok, true, r.error ?? '');
    assert.equal(r.state, 'completed');
    assert.deepEqual(r.events.map((e) => e.kind), ['task', 'status', 'artifact', 'status']);
    assert.equal(r.events.at(-1)?.kind === 'status' && r.events.at(-1)?.kind === 'status' ? (r.events.at(-1) as { final: boolean }).final : false, true);
    assert.equal(r.task?.artifacts[0]?.text, 'done');
    const slow = await a2a.send('slow', { blocking: false });
    assert.ok(slow.taskId !== null);
    const c = await a2a.cancel(slow.taskId);
    assert.equal(c.state, 'canceled');
    assert.deepEqual(lifecycle().states, ['completed', 'canceled']);
  });

  test('a cut stream: an error without reconnect; recovered by resubscribe with reconnect: 1', async () => {
    scope.clear();
    const a2a = client({ url: v03.url, version: '0.3', rpcUrl: `${v03.url}/rpc` });
    const cut = await a2a.stream('cut');
    assert.equal(cut.ok, false);
    assert.ok(['UND_ERR_SOCKET', 'ECONNRESET'].includes(cut.errorCode ?? ''), `${cut.errorCode}`);
    assert.equal(cut.state, 'working', 'the last state seen');
    const healed = await a2a.stream('cut', { reconnect: 1 });
    assert.equal(healed.ok, true, healed.error ?? '');
    assert.equal(healed.reconnects, 1);
    assert.equal(healed.state, 'completed');
    assert.deepEqual(lifecycle().states, ['error', 'completed']);
    assert.deepEqual(lifecycle().completed, [0, 1]);
    assert.equal(scope.values('a2a_request_duration', { method: 'resubscribe' }).length, 1);
  });
});

test('option errors name the option', () => {
  const errors: string[] = [];
  resolveA2aPlan({ url: 'nope', version: '2.0', tokenEnv: 'A B', timeout: 'x', rest: { tasksPath: 'tasks', cancelMethod: 'PUT' }, token: 's' } as never, errors);
  assert.equal(errors.length, 7, errors.join('\n'));
  for (const part of ['a2a.url', 'a2a.version', 'a2a.tokenEnv', 'a2a.timeout', 'a2a.rest.tasksPath', 'a2a.rest.cancelMethod', 'a2a.token:']) {
    assert.ok(errors.some((e) => e.includes(part)), part);
  }
});

test('wait(): a last poll cut short by the deadline does not erase the state seen before it', async () => {
  // an agent whose timing is known exactly: the first tasks/get answers "working", every later one never answers
  let gets = 0;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/agent-card.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'stalling agent', protocolVersion: '0.3.0', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`, preferredTransport: 'JSONRPC', capabilities: {}, skills: [] }));
      return;
    }
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const rpc = JSON.parse(raw) as { id: number; method: string };
      const task = { kind: 'task', id: 't-1', contextId: 'c-1', status: { state: 'working' } };
      if (rpc.method === 'tasks/get' && ++gets > 1) return void held.push(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: rpc.id, result: task }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    scope.clear();
    const a2a = client({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const sent = await a2a.send('slow', { blocking: false });
    assert.equal(sent.taskId, 't-1', sent.error ?? '');
    const w = await a2a.wait(sent.taskId, { interval: '5ms', timeout: '300ms' });
    assert.equal(w.errorCode, 'WAIT_TIMEOUT');
    assert.equal(w.polls, 2, 'one answered poll, one held past the deadline');
    assert.equal(w.state, 'working', 'the state of the answered poll');
    assert.equal(w.status, 200);
    assert.deepEqual(lifecycle().states, ['timeout']);
  } finally {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
