// The reference A2A agent, driven through @a2a-js/sdk's own client (v1.0 and
// v0.3 transports) and through raw JSON-RPC calls with both generations of
// method names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SendMessageRequest, TaskState } from '@a2a-js/sdk';
import type { AgentCard, StreamResponse, Task } from '@a2a-js/sdk';
import { ClientFactory, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import { MockLlm } from '../../src/reference-target/llm/mock-llm.ts';
import type { MockLlmOptions } from '../../src/reference-target/llm/mock-llm.ts';
import { registerA2aAgent } from '../../src/reference-target/a2a/a2a-agent.ts';

interface Agent { app: FastifyInstance; llm: MockLlm; url: string }
const apps: FastifyInstance[] = [];

async function startAgent(options: Partial<MockLlmOptions>): Promise<Agent> {
  const app = Fastify();
  const llm = new MockLlm(options);
  let url = '';
  await registerA2aAgent(app, { llm, publicUrl: () => url });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return { app, llm, url };
}

// quick: ~5 + 40 × 2 ms per task; steady: ~40 × 10 ms; slow: long enough to cancel mid-answer.
let quick: Agent;
let steady: Agent;
before(async () => {
  quick = await startAgent({ ttftMs: 5, ttftSpreadMs: 0, itlMs: 2, itlSpreadMs: 0, seed: 2 });
  steady = await startAgent({ ttftMs: 20, ttftSpreadMs: 0, itlMs: 10, itlSpreadMs: 0, outputTokensMean: 40, outputTokensSpread: 0 });
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

const send = (text: string, extra: Record<string, unknown> = {}): SendMessageRequest => SendMessageRequest.fromJSON({
  message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts: [{ text }], ...extra },
});
const terminal = new Set([TaskState.TASK_STATE_COMPLETED, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_CANCELED, TaskState.TASK_STATE_REJECTED]);
const asTask = (r: unknown): Task => {
  assert.ok(r && typeof r === 'object' && 'status' in r && 'artifacts' in r, 'a Task, not a Message');
  return r as Task;
};
const artifactText = (task: Task): string => task.artifacts.flatMap((a) => a.parts).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');

async function rpc(url: string, method: string, params: unknown, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${url}/a2a/jsonrpc`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function pollUntil(client: Client, id: string, done: (t: Task) => boolean): Promise<Task> {
  for (let i = 0; i < 400; i++) {
    const task = await client.getTask({ id, tenant: '', historyLength: undefined });
    if (done(task)) return task;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`task ${id} did not reach the expected state`);
}

test('agent card: v1.0 for A2A-Version 1.0, v0.3 shape without it, same at the older agent.json path', async () => {
  const v1 = await (await fetch(`${quick.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })).json() as AgentCard;
  assert.equal(v1.name, 'agentload reference agent');
  assert.deepEqual(v1.supportedInterfaces.map((i) => [i.url, i.protocolBinding, i.protocolVersion]), [
    [`${quick.url}/a2a/jsonrpc`, 'JSONRPC', '1.0'],
    [`${quick.url}/a2a/jsonrpc`, 'JSONRPC', '0.3'],
  ]);
  assert.equal(v1.capabilities?.streaming, true);
  assert.equal(v1.skills[0]?.id, 'complete');
  const legacyRes = await fetch(`${quick.url}/.well-known/agent-card.json`);
  const legacy = await legacyRes.json() as { protocolVersion: string; url: string; preferredTransport: string; capabilities: { streaming: boolean } };
  assert.deepEqual([legacy.protocolVersion, legacy.url, legacy.preferredTransport, legacy.capabilities.streaming], ['0.3', `${quick.url}/a2a/jsonrpc`, 'JSONRPC', true]);
  const alias = await (await fetch(`${quick.url}/.well-known/agent.json`)).json();
  assert.deepEqual(alias, legacy);
});

test('v1.0 SDK client: blocking send returns the completed task with the whole answer as artifact chunks', async () => {
  const client = await new ClientFactory().createFromUrl(quick.url);
  assert.equal(client.protocolVersion, '1.0');
  const task = asTask(await client.sendMessage(send('Summarise the last run')));
  assert.equal(task.status?.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(task.artifacts.length, 1);
  assert.equal(task.artifacts[0]?.artifactId, 'answer');
  assert.ok((task.artifacts[0]?.parts.length ?? 0) >= 2, 'streamed in several chunks');
  const text = artifactText(task);
  assert.match(text, /^[A-Z][a-z]+(,? [A-Za-z]+[.,]?)+$/);
  assert.equal(task.metadata?.outputTokens, text.split(' ').length, 'one LLM token per word');
  assert.equal(task.metadata?.model, 'agentload-mock');
  assert.equal(task.history[0]?.parts[0]?.content?.$case === 'text' && task.history[0].parts[0].content.value, 'Summarise the last run');
});

test('v1.0 SDK client: non-blocking send returns at once; getTask then sees it finish', async () => {
  const client = await new ClientFactory().createFromUrl(steady.url);
  const request = send('background job');
  request.configuration = { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true };
  const first = asTask(await client.sendMessage(request));
  assert.ok(!terminal.has(first.status?.state as TaskState), `not finished yet: ${first.status?.state}`);
  const done = await pollUntil(client, first.id, (t) => terminal.has(t.status?.state as TaskState));
  assert.equal(done.status?.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(done.metadata?.outputTokens, 40);
  assert.equal(artifactText(done).split(' ').length, 40);
});

test('v1.0 SDK client: stream = task, working, artifact chunks (append, lastChunk), completed', async () => {
  const client = await new ClientFactory().createFromUrl(steady.url);
  const events: StreamResponse[] = [];
  for await (const e of client.sendMessageStream(send('stream it'))) events.push(e);
  const kinds = events.map((e) => e.payload?.$case);
  assert.equal(kinds[0], 'task');
  assert.equal(kinds[1], 'statusUpdate');
  assert.equal(kinds.at(-1), 'statusUpdate');
  const statuses = events.flatMap((e) => (e.payload?.$case === 'statusUpdate' ? [e.payload.value.status?.state] : []));
  assert.deepEqual(statuses, [TaskState.TASK_STATE_WORKING, TaskState.TASK_STATE_COMPLETED]);
  const chunks = events.flatMap((e) => (e.payload?.$case === 'artifactUpdate' ? [e.payload.value] : []));
  assert.ok(chunks.length >= 3, `several chunks: ${chunks.length}`);
  assert.deepEqual(chunks.map((c) => c.append), chunks.map((_, i) => i > 0));
  assert.deepEqual(chunks.map((c) => c.lastChunk), chunks.map((_, i) => i === chunks.length - 1));
  const first = events[0]?.payload?.$case === 'task' ? events[0].payload.value : undefined;
  assert.ok(first);
  const streamed = chunks.map((c) => (c.artifact?.parts[0]?.content?.$case === 'text' ? c.artifact.parts[0].content.value : '')).join('');
  const stored = await client.getTask({ id: first.id, tenant: '', historyLength: undefined });
  assert.equal(artifactText(stored), streamed);
  assert.equal(streamed.split(' ').length, 40);
});

test('v1.0 SDK client: cancel stops the LLM generation and frees its slot; a finished task is not cancelable', async () => {
  const slow = await startAgent({ ttftMs: 5, ttftSpreadMs: 0, itlMs: 40, itlSpreadMs: 0, outputTokensMean: 200, outputTokensSpread: 0, maxOutputTokens: 400, concurrency: 1 });
  const client = await new ClientFactory().createFromUrl(slow.url);
  const request = send('a long essay');
  request.configuration = { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true };
  const started = asTask(await client.sendMessage(request));
  await pollUntil(client, started.id, (t) => t.artifacts.length > 0);
  assert.equal(slow.llm.stats().active, 1);
  const canceled = await client.cancelTask({ id: started.id, tenant: '', metadata: undefined });
  assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED);
  assert.deepEqual([slow.llm.stats().active, slow.llm.stats().failed], [0, 1], 'generation stopped, slot freed');
  const tokensAtCancel = slow.llm.stats().outputTokens;
  assert.ok(tokensAtCancel < 200);
  // a window of 2.5 inter-token intervals is the behaviour checked: a token generated after the cancel would
  // land in it (a slow machine can hide such a token, never invent one, so this cannot fail spuriously)
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(slow.llm.stats().outputTokens, tokensAtCancel, 'no token after the cancel');
  assert.equal((await client.getTask({ id: started.id, tenant: '', historyLength: undefined })).status?.state, TaskState.TASK_STATE_CANCELED);

  const finished = asTask(await (await new ClientFactory().createFromUrl(quick.url)).sendMessage(send('quick one')));
  const quickClient = await new ClientFactory().createFromUrl(quick.url);
  await assert.rejects(quickClient.cancelTask({ id: finished.id, tenant: '', metadata: undefined }), /not cancelable/i);
  await assert.rejects(quickClient.getTask({ id: 'no-such-task', tenant: '', historyLength: undefined }), /not found/i);
});

test('v1.0 SDK client: resubscribe after a dropped stream starts with a snapshot and ends completed', async () => {
  const client = await new ClientFactory().createFromUrl(steady.url);
  let taskId = '';
  for await (const e of client.sendMessageStream(send('drop me'))) {
    if (e.payload?.$case === 'task') taskId = e.payload.value.id;
    if (e.payload?.$case === 'artifactUpdate') break; // the client goes away mid-answer
  }
  assert.ok(taskId);
  const events: StreamResponse[] = [];
  for await (const e of client.resubscribeTask({ id: taskId, tenant: '' })) events.push(e);
  assert.equal(events[0]?.payload?.$case, 'task', 'first event is a full task snapshot');
  const last = events.at(-1)?.payload;
  assert.ok(last?.$case === 'statusUpdate');
  assert.equal(last.value.status?.state, TaskState.TASK_STATE_COMPLETED);
  const stored = await client.getTask({ id: taskId, tenant: '', historyLength: undefined });
  assert.equal(artifactText(stored).split(' ').length, 40, 'the task ran to the end although the first stream was dropped');
});

test('LLM errors and bad metadata end the task as failed with the reason', async () => {
  const broken = await startAgent({ ttftMs: 0, itlMs: 0, errorRate: 1 });
  const client = await new ClientFactory().createFromUrl(broken.url);
  const failed = asTask(await client.sendMessage(send('anything')));
  assert.equal(failed.status?.state, TaskState.TASK_STATE_FAILED);
  const reason = failed.status?.message?.parts[0]?.content;
  assert.ok(reason?.$case === 'text');
  assert.match(reason.value, /^LLM error (429 rate_limit_exceeded|500 server_error)/);

  const quickClient = await new ClientFactory().createFromUrl(quick.url);
  const badModel = asTask(await quickClient.sendMessage(send('x', { metadata: { model: 'gpt-none' } })));
  assert.equal(badModel.status?.state, TaskState.TASK_STATE_FAILED);
  assert.match(JSON.stringify(badModel.status?.message?.parts), /LLM error 404 model_not_found/);
  const badMax = asTask(await quickClient.sendMessage(send('x', { metadata: { maxTokens: -1 } })));
  assert.match(JSON.stringify(badMax.status?.message?.parts), /metadata \\"maxTokens\\" must be an integer/);
  const mini = asTask(await quickClient.sendMessage(send('x', { metadata: { model: 'agentload-mock-mini', maxTokens: 3 } })));
  assert.deepEqual([mini.metadata?.model, mini.metadata?.outputTokens, mini.metadata?.finishReason], ['agentload-mock-mini', 3, 'length']);
});

test('v0.3 through the SDK client: the legacy transport speaks message/send, message/stream, tasks/get, tasks/cancel', async () => {
  const seen: { method: string; version: string | null }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    if (typeof init?.body === 'string') {
      const headers = new Headers(init.headers);
      seen.push({ method: (JSON.parse(init.body) as { method: string }).method, version: headers.get('A2A-Version') });
    }
    return fetch(input, init);
  };
  const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl: recordingFetch, legacyCompat: { enabled: true } })] });
  const card = await (await fetch(`${steady.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })).json() as AgentCard;
  const client = await factory.createFromAgentCard({ ...card, supportedInterfaces: card.supportedInterfaces.filter((i) => i.protocolVersion === '0.3') });
  assert.equal(client.protocolVersion, '0.3');

  const task = asTask(await client.sendMessage(send('legacy hello')));
  const done = terminal.has(task.status?.state as TaskState) ? task : await pollUntil(client, task.id, (t) => terminal.has(t.status?.state as TaskState));
  assert.equal(done.status?.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(artifactText(done).split(' ').length, 40);

  const kinds: string[] = [];
  let streamedId = '';
  for await (const e of client.sendMessageStream(send('legacy stream'))) {
    kinds.push(e.payload?.$case ?? 'none');
    if (e.payload?.$case === 'task') streamedId = e.payload.value.id;
  }
  assert.equal(kinds[0], 'task');
  assert.ok(kinds.includes('artifactUpdate'));

  const long = await startAgent({ ttftMs: 5, itlMs: 40, itlSpreadMs: 0, outputTokensMean: 200, outputTokensSpread: 0, maxOutputTokens: 400 });
  const longCard = await (await fetch(`${long.url}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })).json() as AgentCard;
  const longClient = await factory.createFromAgentCard({ ...longCard, supportedInterfaces: longCard.supportedInterfaces.filter((i) => i.protocolVersion === '0.3') });
  const pending = send('legacy long');
  pending.configuration = { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately: true };
  const started = asTask(await longClient.sendMessage(pending));
  const canceled = await longClient.cancelTask({ id: started.id, tenant: '', metadata: undefined });
  assert.equal(canceled.status?.state, TaskState.TASK_STATE_CANCELED);
  assert.equal(long.llm.stats().active, 0);
  assert.equal((await client.getTask({ id: streamedId, tenant: '', historyLength: undefined })).status?.state, TaskState.TASK_STATE_COMPLETED);

  const methods = new Set(seen.map((s) => s.method));
  assert.deepEqual([...methods].sort(), ['message/send', 'message/stream', 'tasks/cancel', 'tasks/get']);
  assert.ok(seen.every((s) => s.version !== '1.0'), 'no v1.0 version header on the legacy wire');
});

test('raw JSON-RPC, v0.3 names: blocking message/send, SSE message/stream with kinds and final flag, tasks/get, errors', async () => {
  const message = { kind: 'message', messageId: 'raw-1', role: 'user', parts: [{ kind: 'text', text: 'raw hello' }] };
  const sent = await rpc(steady.url, 'message/send', { message, configuration: { blocking: true } });
  assert.equal(sent.status, 200);
  const result = (JSON.parse(sent.text) as { result: { kind: string; id: string; status: { state: string }; artifacts: { parts: { kind: string; text: string }[] }[] } }).result;
  assert.deepEqual([result.kind, result.status.state], ['task', 'completed']);
  assert.equal(result.artifacts[0]?.parts.map((p) => p.text).join('').split(' ').length, 40);
  assert.ok(result.artifacts[0]?.parts.every((p) => p.kind === 'text'));

  const got = JSON.parse((await rpc(steady.url, 'tasks/get', { id: result.id, historyLength: 1 })).text) as { result: { id: string; status: { state: string } } };
  assert.deepEqual([got.result.id, got.result.status.state], [result.id, 'completed']);

  const streamed = await rpc(steady.url, 'message/stream', { message: { ...message, messageId: 'raw-2' } });
  assert.match(streamed.type, /^text\/event-stream/);
  const events = streamed.text.trim().split('\n\n').map((e) => {
    assert.match(e, /^data: /);
    return (JSON.parse(e.slice(6)) as { jsonrpc: string; id: number; result: { kind: string; final?: boolean; status?: { state: string }; append?: boolean; lastChunk?: boolean } });
  });
  assert.ok(events.every((e) => e.jsonrpc === '2.0' && e.id === 7));
  const kinds = events.map((e) => e.result.kind);
  assert.equal(kinds[0], 'task');
  assert.equal(kinds[1], 'status-update');
  assert.ok(kinds.filter((k) => k === 'artifact-update').length >= 3);
  const lastEvent = events.at(-1)?.result;
  assert.deepEqual([lastEvent?.kind, lastEvent?.status?.state, lastEvent?.final], ['status-update', 'completed', true]);
  assert.equal(events.filter((e) => e.result.final === true).length, 1, 'only the last event is final');
  assert.equal(events.filter((e) => e.result.lastChunk === true).length, 1);

  const missing = JSON.parse((await rpc(steady.url, 'tasks/get', { id: 'nope' })).text) as { error: { code: number } };
  assert.equal(missing.error.code, -32001);
  const unknown = JSON.parse((await rpc(steady.url, 'tasks/frobnicate', {})).text) as { error: { code: number } };
  assert.equal(unknown.error.code, -32601);
});

test('raw JSON-RPC, v1.0 names: accepted with A2A-Version 1.0 or with no version header; v0.3 names need v0.3', async () => {
  const params = { message: { messageId: 'v1-raw', role: 'ROLE_USER', parts: [{ text: 'v1 hello' }] } };
  for (const headers of [{ 'A2A-Version': '1.0' }, {}] as Record<string, string>[]) {
    const res = await rpc(quick.url, 'SendMessage', { ...params, message: { ...params.message, messageId: crypto.randomUUID() } }, headers);
    const body = JSON.parse(res.text) as { result: { task: { id: string; status: { state: string } } } };
    assert.equal(body.result.task.status.state, 'TASK_STATE_COMPLETED', JSON.stringify(headers));
    const got = JSON.parse((await rpc(quick.url, 'GetTask', { id: body.result.task.id })).text) as { result: { status: { state: string } } };
    assert.equal(got.result.status.state, 'TASK_STATE_COMPLETED');
  }
  const wrongGeneration = JSON.parse((await rpc(quick.url, 'message/send', params, { 'A2A-Version': '1.0' })).text) as { error: { code: number } };
  assert.equal(wrongGeneration.error.code, -32601, 'a v0.3 name with a v1.0 header is an unknown method');
  const unsupported = JSON.parse((await rpc(quick.url, 'SendMessage', params, { 'A2A-Version': '2.0' })).text) as { error: { code: number } };
  assert.equal(unsupported.error.code, -32009, 'VersionNotSupported');
});

test('raw JSON-RPC body errors: bad JSON is a -32700 parse error, a non-JSON content type -32005', async () => {
  const bad = await fetch(`${quick.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc": "2.0", ' });
  assert.equal(bad.status, 200);
  assert.deepEqual(((await bad.json()) as { error: { code: number } }).error.code, -32700);
  const text = await fetch(`${quick.url}/a2a/jsonrpc`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  assert.equal(((await text.json()) as { error: { code: number } }).error.code, -32005);
});
