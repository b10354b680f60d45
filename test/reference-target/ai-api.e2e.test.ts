/**
 * The AI side of the reference target end to end: chat (JSON and SSE),
 * workflows, analytics, the A2A REST facade, seed 002's tasks/agents/DAGs,
 * seed 003's voting and inserts, and the mounted mock LLM and A2A agent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetHandle } from '../../src/reference-target/index.ts';
import { api, fastTarget } from './target-fixture.ts';

interface Page<T> {
  items: T[];
  total: number;
}
interface A2aTask {
  id: string;
  status: string;
  output: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
}
interface Task {
  id: string;
  status: string;
  agentId: string | null;
  result: string | null;
}
interface NodeState {
  status: string;
  startSeq: number | null;
  endSeq: number | null;
  output: string | null;
}
interface Execution {
  id: string;
  status: string;
  nodes: Record<string, NodeState>;
}

const until = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, tries = 400): Promise<T> => {
  for (let i = 0; i < tries; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${what} did not happen`);
};

let t: TargetHandle;
before(async () => {
  t = await fastTarget();
});
after(() => t.close());

describe('chat', () => {
  test('JSON answer with usage from the mock LLM', async () => {
    const r = await api<{ content: string; usage: { output_tokens: number; input_tokens: number }; session_id: string; model: string }>(t.url, 'POST', '/api/chat', {
      message: 'How can I help you?',
      context: { session_id: 'sess-1' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.session_id, 'sess-1');
    assert.equal(r.body.usage.output_tokens, 12);
    assert.ok(r.body.usage.input_tokens > 0);
    assert.ok(r.body.content.length > 0);
    assert.equal(r.body.model, 'agentload-mock');
  });

  test('stream: true answers server-sent events: tokens, then a final message with the whole content, then [DONE]', async () => {
    const res = await fetch(`${t.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi', stream: true, max_tokens: 5 }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter((e) => e !== '');
    assert.equal(events.at(-1), 'data: [DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; content: string; index?: number; usage?: { output_tokens: number }; finish_reason?: string });
    const tokens = parsed.filter((e) => e.type === 'token');
    assert.equal(tokens.length, 5);
    assert.deepEqual(tokens.map((e) => e.index), [0, 1, 2, 3, 4]);
    const final = parsed.at(-1);
    assert.equal(final?.type, 'final');
    assert.equal(final?.content, tokens.map((e) => e.content).join(''));
    assert.equal(final?.usage?.output_tokens, 5);
    assert.equal(final?.finish_reason, 'length');
  });

  test('an unknown model is a 404 naming the model', async () => {
    const r = await api<{ field: string }>(t.url, 'POST', '/api/chat', { message: 'hi', model: 'gpt-nothing' });
    assert.equal(r.status, 404);
    assert.equal(r.body.field, 'model');
  });
});

test('injected LLM errors reach the client as 429 (with retry-after) and 500', async () => {
  const failing = await fastTarget({ llm: { errorRate: 1, seed: 7 } });
  try {
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const r = await api<{ error: string }>(failing.url, 'POST', '/api/chat', { message: `q${i}`, stream: i % 2 === 0 });
      statuses.add(r.status);
      if (r.status === 429) assert.equal(r.headers.get('retry-after'), '1');
      assert.ok(r.status === 429 || r.status === 500, String(r.status));
    }
    assert.deepEqual([...statuses].sort(), [429, 500]);
    const wf = await api<{ error: string; execution_id: string; status: string }>(failing.url, 'POST', '/api/workflows/execute', { workflow_id: 'faq_workflow' });
    assert.ok(wf.status === 429 || wf.status === 500);
    assert.equal(wf.body.status, 'failed');
    const stored = await api<{ status: string }>(failing.url, 'GET', `/api/runs/${wf.body.execution_id}`);
    assert.equal(stored.body.status, 'failed');
  } finally {
    await failing.close();
  }
});

test('workflows: listed; executing one runs its steps and stores it as a run with one step per workflow step', async () => {
  const list = await api<{ items: { id: string }[] }>(t.url, 'GET', '/api/workflows');
  assert.ok(list.body.items.some((w) => w.id === 'research_workflow'));
  const r = await api<{ execution_id: string; status: string; steps: { id: string; status: string; started_at: string; completed_at: string }[]; usage: { output_tokens: number }; output: string }>(
    t.url,
    'POST',
    '/api/workflows/execute',
    { workflow_id: 'research_workflow', parameters: { topic: 'load testing' }, max_tokens: 4 },
  );
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'completed');
  assert.deepEqual(r.body.steps.map((s) => s.id), ['plan', 'search_web', 'search_docs', 'synthesize']);
  assert.ok(r.body.steps.every((s) => s.status === 'completed'));
  assert.equal(r.body.usage.output_tokens, 16, 'four steps capped at 4 tokens each');
  const step = (id: string) => r.body.steps.find((s) => s.id === id)!;
  assert.ok(step('synthesize').started_at >= step('search_web').completed_at);
  assert.ok(step('synthesize').started_at >= step('search_docs').completed_at);
  const run = await api<{ workflow: string; status: string; stepCount: number; steps: { name: string; children: { name: string }[] }[] }>(t.url, 'GET', `/api/runs/${r.body.execution_id}`);
  assert.equal(run.body.workflow, 'research_workflow');
  assert.equal(run.body.status, 'completed');
  assert.equal(run.body.stepCount, 4);
  assert.equal(run.body.steps[0]?.name, 'plan');
  assert.deepEqual(run.body.steps[0]?.children.map((c) => c.name), ['search_web', 'search_docs']);
});

describe('A2A REST facade', () => {
  test('submit answers at once as submitted; the queue counts it; execute with wait completes it', async () => {
    const sub = await api<A2aTask>(t.url, 'POST', '/api/a2a/tasks', { input: 'Summarise this', skill: 'summarize', priority: 8 });
    assert.equal(sub.status, 202);
    assert.equal(sub.body.status, 'submitted');
    const queue = await api<{ waiting: number; depth: number }>(t.url, 'GET', '/api/a2a/tasks/queue');
    assert.ok(queue.body.waiting >= 1);
    const listed = await api<Page<A2aTask>>(t.url, 'GET', '/api/a2a/tasks?status=submitted');
    assert.ok(listed.body.items.some((x) => x.id === sub.body.id));
    const done = await api<A2aTask>(t.url, 'POST', `/api/a2a/tasks/${sub.body.id}/execute`, { wait: true });
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.usage?.outputTokens, 12);
    assert.ok((done.body.output ?? '').length > 0);
    const again = await api<A2aTask>(t.url, 'POST', `/api/a2a/tasks/${sub.body.id}/execute`);
    assert.equal(again.status, 200, 'executing a completed task returns it');
    const cancel = await api<{ error: string }>(t.url, 'POST', `/api/a2a/tasks/${sub.body.id}/cancel`);
    assert.equal(cancel.status, 409);
  });

  test('execute without wait returns 202 and the work finishes in the background; submit with execute: true starts at once', async () => {
    const sub = await api<A2aTask>(t.url, 'POST', '/api/a2a/tasks', { input: { question: 'why?' } });
    const started = await api<A2aTask>(t.url, 'POST', `/api/a2a/tasks/${sub.body.id}/execute`);
    assert.equal(started.status, 202);
    assert.equal(started.body.status, 'working');
    await until('the task to complete', () => api<A2aTask>(t.url, 'GET', `/api/a2a/tasks/${sub.body.id}`), (r) => r.body.status === 'completed');
    const auto = await api<A2aTask>(t.url, 'POST', '/api/a2a/tasks', { input: 'go', execute: true });
    assert.equal(auto.body.status, 'working');
  });

  test('cancel stops a working task; a canceled task cannot be executed', async () => {
    const slow = await fastTarget({ llm: { ttftMs: 30_000 } });
    try {
      const sub = await api<A2aTask>(slow.url, 'POST', '/api/a2a/tasks', { input: 'long job', execute: true });
      assert.equal(sub.body.status, 'working');
      const canceled = await api<A2aTask>(slow.url, 'POST', `/api/a2a/tasks/${sub.body.id}/cancel`);
      assert.equal(canceled.status, 200);
      assert.equal(canceled.body.status, 'canceled');
      const stats = await until('the LLM request to be aborted', () => api<{ llm: { active: number; failed: number } }>(slow.url, 'GET', '/api/analytics/metrics'), (r) => r.body.llm.active === 0);
      assert.equal(stats.body.llm.failed, 1);
      assert.equal((await api<A2aTask>(slow.url, 'GET', `/api/a2a/tasks/${sub.body.id}`)).body.status, 'canceled');
      assert.equal((await api(slow.url, 'POST', `/api/a2a/tasks/${sub.body.id}/execute`)).status, 409);
      const waiting = await api<A2aTask>(slow.url, 'POST', '/api/a2a/tasks', { input: 'never run' });
      assert.equal((await api<A2aTask>(slow.url, 'POST', `/api/a2a/tasks/${waiting.body.id}/cancel`)).body.status, 'canceled');
    } finally {
      await slow.close();
    }
  });
});

describe('seed 002 API', () => {
  test('tasks are distributed to the agent workers and completed', async () => {
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => api<Task>(t.url, 'POST', '/api/v1/tasks', { title: `task ${i}`, priority: i % 10, max_tokens: 3 })));
    assert.ok(created.every((c) => c.status === 201 && c.body.status === 'queued'));
    for (const c of created) {
      const done = await until(`task ${c.body.id}`, () => api<Task>(t.url, 'GET', `/api/v1/tasks/${c.body.id}`), (r) => r.body.status === 'completed');
      assert.match(done.body.agentId ?? '', /^worker-\d+$/);
      assert.ok((done.body.result ?? '').length > 0);
    }
    const page = await api<Page<Task>>(t.url, 'GET', '/api/v1/tasks?status=completed&limit=100');
    assert.ok(page.body.total >= 24);
    const agents = await api<Page<{ id: string; kind: string; status: string; completed: number }> & { workers: { total: number } }>(t.url, 'GET', '/api/v1/agents?kind=worker&limit=100');
    assert.equal(agents.body.workers.total, 8);
    assert.equal(agents.body.items.length, 8);
    assert.equal(
      agents.body.items.reduce((n, a) => n + a.completed, 0),
      page.body.total,
      'every completed task was done by exactly one worker',
    );
    assert.ok(agents.body.items.filter((a) => a.completed > 0).length > 1, 'work spreads over several workers');
  });

  test('agents: register, read, remove; the built-in workers cannot be removed', async () => {
    const a = await api<{ id: string; status: string; kind: string }>(t.url, 'POST', '/api/v1/agents', { name: 'external planner', capabilities: ['plan'] });
    assert.equal(a.status, 201);
    assert.equal(a.body.kind, 'external');
    assert.equal(a.body.status, 'registered');
    assert.equal((await api(t.url, 'GET', `/api/v1/agents/${a.body.id}`)).status, 200);
    assert.equal((await api(t.url, 'DELETE', `/api/v1/agents/${a.body.id}`)).status, 204);
    assert.equal((await api(t.url, 'GET', `/api/v1/agents/${a.body.id}`)).status, 404);
    assert.equal((await api(t.url, 'DELETE', '/api/v1/agents/worker-1')).status, 409);
  });

  test('DAG execution respects dependencies: each node starts after every node it depends on has ended', async () => {
    const nodes = [
      { id: 'fetch' },
      { id: 'parse', dependsOn: ['fetch'] },
      { id: 'lint', dependsOn: ['fetch'] },
      { id: 'test', dependsOn: ['parse'] },
      { id: 'report', dependsOn: ['lint', 'test'] },
      { id: 'notify', dependsOn: ['report'] },
      { id: 'audit' },
    ];
    const dag = await api<{ id: string }>(t.url, 'POST', '/api/v1/dags', { name: 'pipeline', nodes });
    assert.equal(dag.status, 201);
    assert.equal((await api(t.url, 'GET', '/api/v1/dags')).status, 200);
    const started = await api<Execution & { statusUrl: string }>(t.url, 'POST', `/api/v1/dags/${dag.body.id}/execute`, { input: { repo: 'x' } });
    assert.equal(started.status, 202);
    assert.equal(started.headers.get('location'), started.body.statusUrl);
    const done = await until('the execution to finish', () => api<Execution>(t.url, 'GET', started.body.statusUrl), (r) => r.body.status !== 'running');
    assert.equal(done.body.status, 'completed');
    for (const n of nodes) {
      const s = done.body.nodes[n.id]!;
      assert.equal(s.status, 'completed', n.id);
      for (const d of n.dependsOn ?? []) assert.ok(s.startSeq! > done.body.nodes[d]!.endSeq!, `${n.id} started after ${d} ended`);
    }
    assert.ok(done.body.nodes.audit!.startSeq! < done.body.nodes.parse!.startSeq!, 'independent nodes start at once');
    const list = await api<Page<Execution>>(t.url, 'GET', `/api/v1/dags/${dag.body.id}/executions`);
    assert.equal(list.body.total, 1);
    assert.equal((await api(t.url, 'GET', `/api/v1/dags/${dag.body.id}/executions/nope`)).status, 404);
  });

  test('a failing node skips everything downstream and fails the execution', async () => {
    const failing = await fastTarget({ llm: { errorRate: 1 } });
    try {
      const dag = await api<{ id: string }>(failing.url, 'POST', '/api/v1/dags', { name: 'f', nodes: [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }] });
      const e = await api<Execution & { statusUrl: string }>(failing.url, 'POST', `/api/v1/dags/${dag.body.id}/execute`);
      const done = await until('the execution to fail', () => api<Execution & { error: string }>(failing.url, 'GET', e.body.statusUrl), (r) => r.body.status !== 'running');
      assert.equal(done.body.status, 'failed');
      assert.equal(done.body.nodes.a?.status, 'failed');
      assert.equal(done.body.nodes.b?.status, 'skipped');
      assert.equal(done.body.nodes.c?.status, 'skipped');
      assert.match(done.body.error, /node "a"/);
    } finally {
      await failing.close();
    }
  });
});

describe('seed 003: voting and inserts', () => {
  test('300 concurrent votes from 200 voters: tallies exact, repeats refused, consensus reported', async () => {
    const p = await api<{ id: string }>(t.url, 'POST', '/api/proposals', { title: 'adopt plan B?', options: ['yes', 'no'], quorum: 100, threshold: 0.6 });
    assert.equal(p.status, 201);
    const votes = await Promise.all(
      Array.from({ length: 300 }, (_, i) => api(t.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: `agent-${i % 200}`, choice: i % 200 < 150 ? 'yes' : 'no' })),
    );
    assert.equal(votes.filter((v) => v.status === 201).length, 200);
    assert.equal(votes.filter((v) => v.status === 409).length, 100);
    const r = await api<{ counts: Record<string, number>; totalVotes: number; consensus: { reached: boolean; leader: string; share: number } }>(t.url, 'GET', `/api/proposals/${p.body.id}`);
    assert.deepEqual(r.body.counts, { yes: 150, no: 50 });
    assert.equal(r.body.totalVotes, 200);
    assert.deepEqual(r.body.consensus, { reached: true, leader: 'yes', share: 0.75 });
    assert.equal((await api(t.url, 'GET', `/api/proposals/${p.body.id}`)).headers.get('x-cache'), 'HIT');
    await api(t.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: 'late', choice: 'no' });
    const after = await api<{ totalVotes: number }>(t.url, 'GET', `/api/proposals/${p.body.id}`);
    assert.equal(after.body.totalVotes, 201, 'a vote invalidates the cached tally');
  });

  test('no consensus below the quorum or on a tie', async () => {
    const p = await api<{ id: string }>(t.url, 'POST', '/api/proposals', { title: 'tie', quorum: 2 });
    await api(t.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: 'a', choice: 'approve' });
    const one = await api<{ consensus: { reached: boolean } }>(t.url, 'GET', `/api/proposals/${p.body.id}`);
    assert.equal(one.body.consensus.reached, false);
    await api(t.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: 'b', choice: 'reject' });
    const tie = await api<{ consensus: { reached: boolean; leader: string | null } }>(t.url, 'GET', `/api/proposals/${p.body.id}`);
    assert.deepEqual([tie.body.consensus.reached, tie.body.consensus.leader], [false, null]);
  });

  test('records: single and batch inserts, cached reads, listing by kind, delete', async () => {
    const one = await api<{ id: string }>(t.url, 'POST', '/api/records', { kind: 'metric', payload: { v: 1 } });
    assert.equal(one.status, 201);
    const batch = await api<{ inserted: number; ids: string[] }>(t.url, 'POST', '/api/records/batch', { records: Array.from({ length: 500 }, (_, i) => ({ kind: 'bulk', payload: { i } })) });
    assert.equal(batch.status, 201);
    assert.equal(batch.body.inserted, 500);
    const list = await api<Page<unknown>>(t.url, 'GET', '/api/records?kind=bulk&limit=5');
    assert.equal(list.body.total, 500);
    const id = batch.body.ids[42]!;
    const first = await api<{ payload: { i: number } }>(t.url, 'GET', `/api/records/${id}`);
    assert.deepEqual(first.body.payload, { i: 42 });
    assert.equal(first.headers.get('x-cache'), 'MISS');
    assert.equal((await api(t.url, 'GET', `/api/records/${id}`)).headers.get('x-cache'), 'HIT');
    assert.equal((await api(t.url, 'DELETE', `/api/records/${id}`)).status, 204);
    assert.equal((await api(t.url, 'GET', `/api/records/${id}`)).status, 404, 'a deleted record is not served from the cache');
  });
});

test('analytics aggregates what is stored and what happened', async () => {
  const r = await api<{
    runs: { total: number; byStatus: Record<string, number> };
    tasks: { byStatus: Record<string, number> };
    a2aTasks: { total: number };
    votes: number;
    records: number;
    chat: { requests: number; streamed: number };
    workflows: { executions: number };
    llm: { completed: number };
    cache: { hits: number };
  }>(t.url, 'GET', '/api/analytics/metrics');
  assert.equal(r.status, 200);
  const runs = await api<Page<unknown>>(t.url, 'GET', '/api/runs?limit=1');
  assert.equal(r.body.runs.total, runs.body.total);
  assert.ok((r.body.tasks.byStatus.completed ?? 0) >= 24);
  assert.ok(r.body.a2aTasks.total >= 3);
  assert.ok(r.body.votes >= 203);
  assert.ok(r.body.chat.requests >= 3 && r.body.chat.streamed >= 1);
  assert.ok(r.body.workflows.executions >= 1);
  assert.ok(r.body.llm.completed > 0);
});

test('the mock LLM (/v1) and the A2A agent (card and JSON-RPC) are mounted on the target', async () => {
  const models = await api<{ data: { id: string }[] }>(t.url, 'GET', '/v1/models');
  assert.equal(models.status, 200);
  const completion = await api<{ choices: { message: { content: string } }[] }>(t.url, 'POST', '/v1/chat/completions', { model: models.body.data[0]!.id, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(completion.status, 200);
  assert.ok(completion.body.choices[0]!.message.content.length > 0);
  const card = await api<{ url: string }>(t.url, 'GET', '/.well-known/agent-card.json');
  assert.equal(card.status, 200);
  assert.ok(card.body.url.startsWith(t.url), 'the card points at the target');
  const rpc = await api<{ result?: { kind: string } }>(t.url, 'POST', '/a2a/jsonrpc', {
    jsonrpc: '2.0',
    id: 1,
    method: 'message/send',
    params: { message: { kind: 'message', role: 'user', messageId: 'm1', parts: [{ kind: 'text', text: 'hello' }] } },
  });
  assert.equal(rpc.status, 200);
  assert.ok(rpc.body.result !== undefined, rpc.text);
});
