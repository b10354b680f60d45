/**
 * smoke — seed 001's smoke test (smoke-test.js): 1 VU for 1 minute, every
 * interface of the platform once per iteration, each in its own group:
 *
 *   health · runs (create, list, get, graft, delete) · chat (JSON) ·
 *   chat_stream (SSE) · workflow · analytics · llm (OpenAI-compatible
 *   stream) · a2a_rpc (agent card, blocking send) · a2a_rest (submit,
 *   execute, result) · ws_collaboration (join, heartbeat, graft, cursor) ·
 *   ws_chat (message, ping) · tasks · agents · dags · proposals · records
 *
 * Thresholds: every group's checks pass (> 99%: a group that never ran has
 * no passing checks and fails too), errors < 1%.
 *
 *   agentload run --suite smoke
 *
 * Options: docs/suites.md#smoke.
 */
import { defineTest, type ThresholdInput, type VuContext } from 'agentload';
import { chatMessage, heartbeat, openChat } from './lib/chat-socket.ts';
import { authHeaders, fieldOf, jsonOf, ok } from './lib/requests.ts';
import { analytics, chat, createRun, deleteRun, getRun, graftRun, listRuns, requireHealthy, targetHttp, workflow } from './lib/runs-api.ts';
import { jsonSetting, pathSetting, setting } from './lib/settings.ts';

interface Data {
  dagId: string | null;
}

const GROUPS = [
  'health',
  'runs',
  'chat',
  'chat_stream',
  'workflow',
  'analytics',
  'llm',
  'a2a_rpc',
  'a2a_rest',
  'ws_collaboration',
  'ws_chat',
  'tasks',
  'agents',
  'dags',
  'proposals',
  'records',
] as const;

type Group = (typeof GROUPS)[number];

const get = async (ctx: VuContext<Data>, path: string, name: string): Promise<void> => {
  const res = await ctx.http.get(path, { name, headers: authHeaders(ctx) });
  ctx.check(res, { [`${name}: 200`]: (r) => r.status === 200 });
};

const post = async (ctx: VuContext<Data>, path: string, body: Record<string, unknown>, name: string): Promise<string | null> => {
  const res = await ctx.http.post(path, body, { name, headers: authHeaders(ctx) });
  const id = fieldOf(jsonOf(res));
  ctx.check(res, { [`${name}: 2xx with an id`]: (r) => ok(r) && id !== null });
  return id;
};

const STEPS: Readonly<Record<Group, (ctx: VuContext<Data>) => Promise<unknown>>> = {
  health: (ctx) => get(ctx, pathSetting('HEALTH_PATH', '/health', ctx), 'health'),
  runs: async (ctx) => {
    const id = await createRun(ctx);
    await listRuns(ctx);
    if (id === null) return;
    await getRun(ctx, id);
    await graftRun(ctx, id);
    await deleteRun(ctx, id);
  },
  chat: (ctx) => chat(ctx),
  chat_stream: async (ctx) => {
    const body = { ...jsonSetting('CHAT_BODY', { message: 'How can I help you?', context: { session_id: `agentload-${ctx.vu}` } }, ctx), stream: true };
    const stream = ctx.sse.open(pathSetting('CHAT_PATH', '/api/chat', ctx), { method: 'POST', body, name: 'chat_stream', headers: authHeaders(ctx), timeout: '30s' });
    let final = false;
    let tokens = 0;
    for await (const e of stream) {
      const f = e.json<{ type?: string; content?: unknown }>();
      if (f?.type === 'token') tokens++;
      if (f?.type === 'final' && typeof f.content === 'string' && f.content !== '') final = true;
    }
    const result = await stream.done;
    ctx.check(result, { 'chat stream: tokens then the final answer': (r) => r.ok && tokens > 0 && final });
  },
  workflow: (ctx) => workflow(ctx),
  analytics: (ctx) => analytics(ctx),
  llm: async (ctx) => {
    const r = await ctx.llm.chat({ model: setting('LLM_MODEL', 'agentload-mock', ctx), messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 16, name: 'llm_chat' });
    ctx.check(r, { 'llm: streamed answer': (x) => x.ok && x.text !== '' && x.chunks > 0 });
  },
  a2a_rpc: async (ctx) => {
    const card = await ctx.a2a.card({ name: 'a2a_card' });
    ctx.check(card, { 'a2a: agent card with a JSON-RPC endpoint': (c) => c.ok && c.rpcUrl !== null });
    const r = await ctx.a2a.send('Summarise the smoke test.', { name: 'a2a_send', blocking: true, timeout: '30s' });
    ctx.check(r, { 'a2a: blocking send completes': (x) => x.ok && (x.state === 'completed' || x.state === 'message') });
  },
  a2a_rest: async (ctx) => {
    const s = await ctx.a2a.rest.submit(jsonSetting('A2A_TASK_BODY', { input: 'Summarise the smoke test', skill: 'summarize' }, ctx), { name: 'a2a_task' });
    if (!ctx.check(s, { 'a2a rest: submitted': (x) => x.ok && x.id !== null }) || s.id === null) return;
    const res = await ctx.http.post(pathSetting('A2A_EXECUTE_PATH', '/api/a2a/tasks/{id}/execute', ctx, { id: s.id }), { wait: true }, { name: 'a2a_execute', headers: authHeaders(ctx, 'A2A_TOKEN') });
    ctx.check(res, { 'a2a rest: executed': ok });
    const done = await ctx.a2a.rest.poll(s.id, { name: 'a2a_task', timeout: '30s' });
    ctx.check(done, { 'a2a rest: completed': (x) => x.state === 'completed' });
  },
  ws_collaboration: async (ctx) => {
    const runId = await createRun(ctx);
    if (runId === null) return;
    const path = pathSetting('WS_COLLAB_PATH', '/ws/runs/{runId}/collaboration', ctx, { runId });
    const session = await ctx.ws.connect(`${path}?user=agentload-smoke`, { name: 'collaboration', headers: authHeaders(ctx), timeout: '10s', requestTimeout: '10s' }).catch(() => null);
    if (!ctx.check(session, { 'collaboration: connected': (x) => x !== null }) || session === null) return;
    const acked = (r: { ok: boolean; message: { json<T>(): T | undefined } | null }): boolean => r.ok && r.message?.json<{ ok?: boolean }>()?.ok === true;
    ctx.check(await session.request({ type: 'heartbeat', status: 'active' }, { name: 'presence' }), { 'collaboration: heartbeat acknowledged': acked });
    ctx.check(await session.request({ type: 'graft', name: 'smoke step' }, { name: 'graft' }), { 'collaboration: graft acknowledged': acked });
    ctx.check(await session.request({ type: 'cursor', x: 10, y: 20 }, { name: 'cursor' }), { 'collaboration: cursor acknowledged': acked });
    const info = await session.close();
    ctx.check(info, { 'collaboration: closed cleanly': (i) => !i.unexpected });
    await deleteRun(ctx, runId);
  },
  ws_chat: async (ctx) => {
    const session = await openChat(ctx);
    if (session === null) return;
    await chatMessage(ctx, session);
    await heartbeat(ctx, session);
    await session.close();
  },
  tasks: async (ctx) => {
    const tasks = pathSetting('TASKS_PATH', '/api/v1/tasks', ctx);
    const id = await post(ctx, tasks, jsonSetting('TASK_BODY', { title: 'agentload smoke task', type: 'smoke', max_tokens: 4 }, ctx), 'create_task');
    await get(ctx, tasks, 'list_tasks');
    if (id !== null) await get(ctx, pathSetting('TASK_PATH', '/api/v1/tasks/{id}', ctx, { id }), 'get_task');
  },
  agents: (ctx) => get(ctx, pathSetting('AGENTS_PATH', '/api/v1/agents', ctx), 'list_agents'),
  dags: async (ctx) => {
    await get(ctx, pathSetting('DAGS_PATH', '/api/v1/dags', ctx), 'list_dags');
    const id = ctx.data.dagId;
    if (id === null) return;
    const res = await ctx.http.post(pathSetting('DAG_EXECUTE_PATH', '/api/v1/dags/{id}/execute', ctx, { id }), {}, { name: 'execute_dag', headers: authHeaders(ctx) });
    ctx.check(res, { 'execute_dag: 202': (r) => r.status === 202 });
  },
  proposals: async (ctx) => {
    const id = await post(ctx, pathSetting('PROPOSALS_PATH', '/api/proposals', ctx), { title: 'agentload smoke proposal' }, 'create_proposal');
    if (id === null) return;
    const res = await ctx.http.post(pathSetting('VOTES_PATH', '/api/proposals/{id}/votes', ctx, { id }), { voterId: `smoke-${ctx.vu}-${ctx.iteration}`, choice: 'approve' }, { name: 'vote', headers: authHeaders(ctx) });
    ctx.check(res, { 'vote: counted': (r) => ok(r) && jsonOf<{ totalVotes?: unknown }>(r)?.totalVotes === 1 });
  },
  records: async (ctx) => {
    const id = await post(ctx, pathSetting('RECORDS_PATH', '/api/records', ctx), { kind: 'agentload-smoke', payload: { iteration: ctx.iteration } }, 'insert_record');
    if (id !== null) await get(ctx, pathSetting('RECORD_PATH', '/api/records/{id}', ctx, { id }), 'get_record');
  },
};

const thresholds: Record<string, ThresholdInput[]> = { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] };
for (const g of GROUPS) thresholds[`checks{group:::${g}}`] = ['rate>0.99'];

export default defineTest<Data>({
  name: 'smoke',
  http: targetHttp(),
  setup: async (ctx) => {
    await requireHealthy(ctx);
    const res = await ctx.http.post(
      pathSetting('DAGS_PATH', '/api/v1/dags', ctx),
      jsonSetting('DAG_BODY', { name: 'agentload smoke DAG', nodes: [{ id: 'only', prompt: 'Say hello', maxTokens: 4 }] }),
      { name: 'setup_dag', tags: { type: 'setup' }, headers: authHeaders(ctx) },
    );
    return { dagId: fieldOf(jsonOf(res)) };
  },
  scenarios: {
    smoke: {
      executor: 'constant-vus',
      vus: 1,
      duration: '1m',
      // an iteration calls a model several times (about 10 s): it always finishes, even under --time-scale
      gracefulStop: '10m',
      exec: async (ctx) => {
        let firstError: unknown = null;
        for (const g of GROUPS) {
          await ctx.group(g, async () => {
            try {
              await STEPS[g](ctx);
            } catch (e) {
              if ((e as Error).name === 'InterruptedError') throw e;
              // one broken interface must not hide the others: fail this group's check and go on
              ctx.check(e, { [`${g}: no error`]: () => false });
              firstError ??= e;
            }
          });
        }
        // reported as the iteration's error, with its message
        if (firstError !== null) throw firstError;
        await ctx.sleep(1);
      },
    },
  },
  thresholds,
});
