/**
 * The reference target's HTTP API end to end: health, the runs API with its
 * tree of steps, the read cache, bad input (400 naming the field, 404, 413,
 * 415), bearer-token auth and the Prometheus metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetHandle } from '../../src/reference-target/index.ts';
import { api, fastTarget, SocketClient, upgradeStatus } from './target-fixture.ts';

interface Run {
  id: string;
  name: string;
  goal: string | null;
  status: string;
  steps: StepNode[];
  stepCount: number;
}
interface StepNode {
  id: string;
  name: string;
  parentId: string | null;
  flag: string | null;
  children: StepNode[];
}
interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

let t: TargetHandle;
before(async () => {
  t = await fastTarget();
});
after(() => t.close());

test('health and its Spring alias answer UP with the backends in use', async () => {
  for (const path of ['/health', '/actuator/health']) {
    const r = await api<{ status: string; components: Record<string, { backend?: string; kind?: string }> }>(t.url, 'GET', path);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'UP');
    assert.equal(r.body.components.db?.kind, 'sqlite');
    assert.equal(r.body.components.cache?.backend, 'memory');
    assert.equal(r.body.components.queue?.backend, 'memory');
  }
});

describe('runs', () => {
  test('create (name or goal), read, update, delete', async () => {
    const a = await api<Run>(t.url, 'POST', '/api/runs', { name: 'alpha', input: { repo: 'x' }, metadata: { team: 'a' } });
    assert.equal(a.status, 201);
    assert.equal(a.body.status, 'pending');
    const g = await api<Run>(t.url, 'POST', '/api/runs', { goal: 'Summarise the incident report' });
    assert.equal(g.status, 201);
    assert.equal(g.body.name, 'Summarise the incident report');
    assert.equal(g.body.goal, 'Summarise the incident report');
    const read = await api<Run>(t.url, 'GET', `/api/runs/${a.body.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.name, 'alpha');
    assert.deepEqual(read.body.steps, []);
    const patched = await api<Run>(t.url, 'PATCH', `/api/runs/${a.body.id}`, { status: 'completed', output: { summary: 'ok' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.status, 'completed');
    assert.equal((await api<Run>(t.url, 'GET', `/api/runs/${a.body.id}`)).body.status, 'completed', 'the read after a write sees the write');
    assert.equal((await api(t.url, 'DELETE', `/api/runs/${a.body.id}`)).status, 204);
    assert.equal((await api(t.url, 'GET', `/api/runs/${a.body.id}`)).status, 404);
    assert.equal((await api(t.url, 'DELETE', `/api/runs/${a.body.id}`)).status, 404);
    assert.equal((await api(t.url, 'PATCH', `/api/runs/${a.body.id}`, { status: 'failed' })).status, 404);
  });

  test('list: filter by status, pagination with total', async () => {
    for (let i = 0; i < 7; i++) assert.equal((await api(t.url, 'POST', '/api/runs', { name: `page-${i}`, status: 'running' })).status, 201);
    const p1 = await api<Page<Run>>(t.url, 'GET', '/api/runs?status=running&limit=3');
    assert.equal(p1.status, 200);
    assert.equal(p1.body.total, 7);
    assert.equal(p1.body.items.length, 3);
    assert.ok(p1.body.items.every((r) => r.status === 'running'));
    const p3 = await api<Page<Run>>(t.url, 'GET', '/api/runs?status=running&limit=3&offset=6');
    assert.equal(p3.body.items.length, 1);
    const all = new Set([...(await api<Page<Run>>(t.url, 'GET', '/api/runs?status=running&limit=100')).body.items.map((r) => r.id)]);
    assert.equal(all.size, 7);
  });

  test('graft builds a tree; flag and prune over REST; unknown run, parent or step are 404', async () => {
    const run = (await api<Run>(t.url, 'POST', '/api/runs', { name: 'tree' })).body;
    const root = await api<StepNode>(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'plan', agent: 'planner' });
    assert.equal(root.status, 201);
    const child = await api<StepNode>(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'act', parentId: root.body.id });
    assert.equal(child.status, 201);
    await api(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'check', parentId: child.body.id });
    await api(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'other' });
    const tree = (await api<Run>(t.url, 'GET', `/api/runs/${run.id}`)).body;
    assert.equal(tree.stepCount, 4);
    assert.deepEqual(tree.steps.map((s) => s.name), ['plan', 'other']);
    assert.equal(tree.steps[0]?.children[0]?.children[0]?.name, 'check');

    const flagged = await api<StepNode>(t.url, 'POST', `/api/runs/${run.id}/steps/${child.body.id}/flag`, { reason: 'risky' });
    assert.equal(flagged.body.flag, 'risky');
    const pruned = await api<{ removed: string[] }>(t.url, 'DELETE', `/api/runs/${run.id}/steps/${root.body.id}`);
    assert.equal(pruned.status, 200);
    assert.equal(pruned.body.removed.length, 3);
    assert.deepEqual((await api<Run>(t.url, 'GET', `/api/runs/${run.id}`)).body.steps.map((s) => s.name), ['other']);

    const noRun = await api<ErrorBody>(t.url, 'POST', '/api/runs/missing/graft', { name: 'x' });
    assert.equal(noRun.status, 404);
    const noParent = await api<ErrorBody>(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'x', parentId: 'missing' });
    assert.equal(noParent.status, 404);
    assert.equal(noParent.body.field, 'parentId');
    const noStep = await api<ErrorBody>(t.url, 'DELETE', `/api/runs/${run.id}/steps/${root.body.id}`);
    assert.equal(noStep.status, 404);
    assert.equal(noStep.body.field, 'stepId');
  });

  test('reads go through the cache: MISS, then HIT, then MISS after a write', async () => {
    const run = (await api<Run>(t.url, 'POST', '/api/runs', { name: 'cached' })).body;
    assert.equal((await api(t.url, 'GET', `/api/runs/${run.id}`)).headers.get('x-cache'), 'MISS');
    assert.equal((await api(t.url, 'GET', `/api/runs/${run.id}`)).headers.get('x-cache'), 'HIT');
    await api(t.url, 'POST', `/api/runs/${run.id}/graft`, { name: 'new step' });
    const after = await api<Run>(t.url, 'GET', `/api/runs/${run.id}`);
    assert.equal(after.headers.get('x-cache'), 'MISS');
    assert.equal(after.body.stepCount, 1);
    const stats = await api<{ hits: number; misses: number; backend: string }>(t.url, 'GET', '/api/cache/stats');
    assert.equal(stats.body.backend, 'memory');
    assert.ok(stats.body.hits >= 1 && stats.body.misses >= 2);
  });
});

describe('bad input', () => {
  const cases: [string, string, string, unknown, number, string][] = [
    ['missing name', 'POST', '/api/runs', {}, 400, 'name'],
    ['wrong type', 'POST', '/api/runs', { name: 42 }, 400, 'name'],
    ['unknown status', 'POST', '/api/runs', { name: 'x', status: 'sleeping' }, 400, 'status'],
    ['empty patch', 'PATCH', '/api/runs/x', {}, 400, 'body'],
    ['limit out of range', 'GET', '/api/runs?limit=1000', undefined, 400, 'limit'],
    ['offset not a number', 'GET', '/api/runs?offset=abc', undefined, 400, 'offset'],
    ['chat without message', 'POST', '/api/chat', { stream: true }, 400, 'message'],
    ['max_tokens too big', 'POST', '/api/chat', { message: 'hi', max_tokens: 100000 }, 400, 'max_tokens'],
    ['dag node id invalid', 'POST', '/api/v1/dags', { name: 'd', nodes: [{ id: 'a b' }] }, 400, 'nodes[0].id'],
    ['dag unknown dependency', 'POST', '/api/v1/dags', { name: 'd', nodes: [{ id: 'a', dependsOn: ['b'] }] }, 400, 'nodes[0].dependsOn[0]'],
    ['dag cycle', 'POST', '/api/v1/dags', { name: 'd', nodes: [{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }] }, 400, 'nodes'],
    ['dag duplicate node', 'POST', '/api/v1/dags', { name: 'd', nodes: [{ id: 'a' }, { id: 'a' }] }, 400, 'nodes[1].id'],
    ['proposal with one option', 'POST', '/api/proposals', { title: 't', options: ['only'] }, 400, 'options'],
    ['batch too large', 'POST', '/api/records/batch', { records: Array.from({ length: 1001 }, () => ({ kind: 'k' })) }, 400, 'records'],
    ['a2a without input', 'POST', '/api/a2a/tasks', { skill: 'x' }, 400, 'input'],
    ['a2a unknown status filter', 'GET', '/api/a2a/tasks?status=lost', undefined, 400, 'status'],
    ['unknown workflow', 'POST', '/api/workflows/execute', { workflow_id: 'nope' }, 404, 'workflow_id'],
  ];
  for (const [what, method, path, body, status, field] of cases) {
    test(`${what}: ${status} naming ${field}`, async () => {
      const r = await api<ErrorBody>(t.url, method, path, body);
      assert.equal(r.status, status, r.text);
      assert.equal(r.body.field, field, r.text);
      assert.match(r.body.message, new RegExp(field.replace(/[[\].]/g, '\\$&')));
      assert.equal(typeof r.body.error, 'string');
    });
  }

  test('invalid JSON is a 400 about the body', async () => {
    const r = await api<ErrorBody>(t.url, 'POST', '/api/runs', '{"name": ', { raw: true });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'body');
  });

  test('an unsupported content type is 415', async () => {
    const r = await api<ErrorBody>(t.url, 'POST', '/api/runs', 'name=x', { raw: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 415);
  });

  test('an oversized body is 413 and the server keeps serving', async () => {
    const r = await api<ErrorBody>(t.url, 'POST', '/api/records', { kind: 'big', payload: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(r.status, 413);
    assert.equal(r.body.error, 'payload_too_large');
    assert.equal((await api(t.url, 'GET', '/health')).status, 200);
  });

  test('unknown routes and ids are 404 with a JSON error', async () => {
    const route = await api<ErrorBody>(t.url, 'GET', '/api/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(route.body.error, 'not_found');
    for (const path of ['/api/runs/x', '/api/v1/tasks/x', '/api/v1/agents/x', '/api/v1/dags/x', '/api/a2a/tasks/x', '/api/proposals/x', '/api/records/x']) {
      const r = await api<ErrorBody>(t.url, 'GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error, 'not_found', path);
    }
  });
});

describe('bearer token', () => {
  const TOKEN = 's3cret-token-value';
  let secured: TargetHandle;
  before(async () => {
    secured = await fastTarget({ token: TOKEN });
  });
  after(() => secured.close());

  test('/api without the token or with a wrong one is 401, and the token is never echoed', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const r = await api<ErrorBody>(secured.url, 'GET', '/api/runs', undefined, { headers });
      assert.equal(r.status, 401);
      assert.equal(r.body.field, 'authorization');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="agentload-target"');
      assert.doesNotMatch(r.text, new RegExp(TOKEN));
    }
  });

  test('with the token /api works; health, metrics, /v1 and the agent card stay open', async () => {
    const ok = await api(secured.url, 'POST', '/api/runs', { name: 'authed' }, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 201);
    for (const path of ['/health', '/metrics', '/v1/models', '/.well-known/agent-card.json']) assert.equal((await fetch(secured.url + path)).status, 200, path);
  });

  test('/ws without the token is refused with 401 before the upgrade; with it the socket opens', async () => {
    assert.equal(await upgradeStatus(`${secured.wsUrl}/ws/chat`), 401);
    assert.equal(await upgradeStatus(`${secured.wsUrl}/ws/chat`, { authorization: 'Bearer nope' }), 401);
    const c = await SocketClient.open(`${secured.wsUrl}/ws/chat`, { authorization: `Bearer ${TOKEN}` });
    c.send({ type: 'ping', id: 1 });
    assert.equal((await c.waitFor((m) => m.type === 'pong')).id, 1);
    await c.close();
  });
});

test('/metrics: request histogram by route pattern, cache counters, queue depth, DB pool, process metrics', async () => {
  const run = (await api<Run>(t.url, 'POST', '/api/runs', { name: 'metrics' })).body;
  await api(t.url, 'GET', `/api/runs/${run.id}`);
  await api(t.url, 'GET', `/api/runs/${run.id}`);
  const res = await fetch(`${t.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.match(text, /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/api\/runs\/:id",status="200"\} \d+$/m);
  assert.doesNotMatch(text, new RegExp(`route="/api/runs/${run.id}"`), 'routes are patterns, not URLs');
  assert.match(text, /^http_requests_total\{method="POST",route="\/api\/runs",status="201"\} \d+$/m);
  assert.match(text, /^cache_hits_total [1-9]\d*$/m);
  assert.match(text, /^cache_misses_total [1-9]\d*$/m);
  for (const name of ['agent_task_queue_depth', 'a2a_task_queue_size', 'db_pool_in_use', 'db_pool_size', 'mock_llm_active_requests', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes']) {
    assert.match(text, new RegExp(`^${name} \\d+(\\.\\d+)?(e[+-]?\\d+)?$`, 'm'), name);
  }
  assert.match(text, /^# TYPE websocket_active_connections gauge$/m);
});
