// The agent's bounded task store (eviction, listing) and ListTasks over JSON-RPC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { TaskState } from '@a2a-js/sdk';
import type { ListTasksRequest, Task } from '@a2a-js/sdk';
import { ServerCallContext } from '@a2a-js/sdk/server';
import { BoundedTaskStore } from '../../src/reference-target/a2a/bounded-task-store.ts';
import { MockLlm } from '../../src/reference-target/llm/mock-llm.ts';
import { registerA2aAgent } from '../../src/reference-target/a2a/a2a-agent.ts';

const ctx = new ServerCallContext();
const task = (id: string, state: TaskState, timestamp: string, contextId = 'c1'): Task => ({
  id, contextId, status: { state, message: undefined, timestamp },
  artifacts: [{ artifactId: 'a', name: '', description: '', parts: [], metadata: undefined, extensions: [] }],
  history: [], metadata: {},
});
const list = (over: Partial<ListTasksRequest> = {}): ListTasksRequest => ({
  tenant: '', contextId: '', status: TaskState.TASK_STATE_UNSPECIFIED, pageToken: '', statusTimestampAfter: undefined, ...over,
});

test('keeps at most maxTasks, forgetting the least recently saved', async () => {
  const store = new BoundedTaskStore(3);
  for (const id of ['t1', 't2', 't3']) await store.save(task(id, TaskState.TASK_STATE_WORKING, '2026-01-01T00:00:00Z'), ctx);
  await store.save(task('t1', TaskState.TASK_STATE_COMPLETED, '2026-01-01T00:00:01Z'), ctx); // t1 is now the newest
  await store.save(task('t4', TaskState.TASK_STATE_WORKING, '2026-01-01T00:00:02Z'), ctx);
  assert.equal(store.size, 3);
  assert.equal(store.evicted, 1);
  assert.equal(await store.load('t2', ctx), undefined, 't2 was the least recently saved');
  assert.equal((await store.load('t1', ctx))?.status?.state, TaskState.TASK_STATE_COMPLETED);
  const loaded = await store.load('t4', ctx);
  assert.ok(loaded);
  loaded.id = 'mutated';
  assert.equal((await store.load('t4', ctx))?.id, 't4', 'loads are copies');
  assert.throws(() => new BoundedTaskStore(0), /maxTasks/);
});

test('list: newest first, filters, pages with a cursor, artifacts only on request', async () => {
  const store = new BoundedTaskStore();
  for (let i = 0; i < 5; i++) await store.save(task(`t${i}`, i % 2 ? TaskState.TASK_STATE_COMPLETED : TaskState.TASK_STATE_WORKING, `2026-01-01T00:00:0${i}Z`, i < 3 ? 'a' : 'b'), ctx);
  const all = await store.list(list(), ctx);
  assert.deepEqual(all.tasks.map((t) => t.id), ['t4', 't3', 't2', 't1', 't0']);
  assert.equal(all.totalSize, 5);
  assert.ok(all.tasks.every((t) => t.artifacts.length === 0));
  assert.equal((await store.list(list({ includeArtifacts: true }), ctx)).tasks[0]?.artifacts.length, 1);
  assert.deepEqual((await store.list(list({ contextId: 'a' }), ctx)).tasks.map((t) => t.id), ['t2', 't1', 't0']);
  assert.deepEqual((await store.list(list({ status: TaskState.TASK_STATE_COMPLETED }), ctx)).tasks.map((t) => t.id), ['t3', 't1']);
  assert.deepEqual((await store.list(list({ statusTimestampAfter: '2026-01-01T00:00:03Z' }), ctx)).tasks.map((t) => t.id), ['t4', 't3']);
  const page1 = await store.list(list({ pageSize: 2 }), ctx);
  assert.deepEqual(page1.tasks.map((t) => t.id), ['t4', 't3']);
  const page2 = await store.list(list({ pageSize: 2, pageToken: page1.nextPageToken }), ctx);
  const page3 = await store.list(list({ pageSize: 2, pageToken: page2.nextPageToken }), ctx);
  assert.deepEqual([page2.tasks.map((t) => t.id), page3.tasks.map((t) => t.id), page3.nextPageToken], [['t2', 't1'], ['t0'], '']);
  const other = new ServerCallContext({ tenant: 'other' });
  assert.equal((await store.list(list(), other)).totalSize, 0, 'tenants are apart');
  assert.equal(await store.load('t1', other), undefined);
});

test('ListTasks over JSON-RPC (v1.0) pages through the agent\'s tasks', async () => {
  const app = Fastify();
  let url = '';
  await registerA2aAgent(app, { llm: new MockLlm({ ttftMs: 0, itlMs: 0, ttftSpreadMs: 0, itlSpreadMs: 0 }), publicUrl: () => url });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const call = async (method: string, params: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${url}/a2a/jsonrpc`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
      return (await res.json() as { result: Record<string, unknown> }).result;
    };
    for (let i = 0; i < 3; i++) await call('SendMessage', { message: { messageId: `m${i}`, role: 'ROLE_USER', parts: [{ text: `job ${i}` }] } });
    const first = await call('ListTasks', { pageSize: 2 }) as { tasks: { status: { state: string } }[]; nextPageToken: string; totalSize: number };
    assert.equal(first.totalSize, 3);
    assert.equal(first.tasks.length, 2);
    assert.ok(first.tasks.every((t) => t.status.state === 'TASK_STATE_COMPLETED'));
    const second = await call('ListTasks', { pageSize: 2, pageToken: first.nextPageToken }) as { tasks: unknown[]; nextPageToken: string };
    assert.deepEqual([second.tasks.length, second.nextPageToken], [1, '']);
    const legacyCard = await (await fetch(`${url}/.well-known/agent-card.json`)).json() as { supportedInterfaces?: { protocolVersion: string }[] };
    assert.deepEqual(legacyCard.supportedInterfaces?.map((i) => i.protocolVersion), ['1.0', '0.3'], 'the v0.3 card embeds the v1.0 interfaces');
  } finally {
    await app.close();
  }
});
