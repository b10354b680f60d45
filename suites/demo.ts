/**
 * The demo suite: one scenario per interface of the reference target, at a
 * small load, compressed to about 25 seconds. `agentload demo` starts the
 * target in-process and runs this against it; to run it against a target
 * you started yourself:
 *
 *   agentload target --port 8088 &
 *   agentload run suites/demo.ts --base-url http://127.0.0.1:8088
 *
 * Thresholds are the seeds' baselines: API p95 < 500 ms and p99 < 1 s,
 * AI responses p95 < 2 s, A2A submission p95 < 500 ms and execution p95 < 2 s,
 * analytics p95 < 300 ms, errors < 1 %.
 */
import { defineTest, Rate, type VuContext } from 'agentload';

interface DemoData {
  dagId: string;
  proposalIds: string[];
  recordIds: string[];
}

const cacheHitRate = new Rate('cache_hit_rate');
const tallyConsistent = new Rate('vote_tally_consistent');

const created = (r: { status: number }): boolean => r.status === 201;
const ok = (r: { status: number }): boolean => r.status === 200;

type Ctx = VuContext<DemoData>;

async function runsApi(ctx: Ctx): Promise<void> {
  // Seed 000's operation mix: create 30 %, list 50 %, get 60 %, graft 20 %, delete 10 %.
  const res = await ctx.http.post('/api/runs', { goal: `demo run ${ctx.vu}-${ctx.iteration}`, input: { repo: 'demo' } }, { name: 'create_run' });
  ctx.check(res, { 'run created': created });
  if (res.status !== 201) return;
  const id = res.json<{ id: string }>().id;
  if (ctx.chance(0.5)) ctx.check(await ctx.http.get('/api/runs', { name: 'list_runs', query: { limit: 20, status: 'pending' } }), { 'runs listed': ok });
  if (ctx.chance(0.6)) ctx.check(await ctx.http.get(`/api/runs/${id}`, { name: 'get_run' }), { 'run read': ok });
  if (ctx.chance(0.2)) ctx.check(await ctx.http.post(`/api/runs/${id}/graft`, { name: 'review', agent: 'reviewer' }, { name: 'graft_run' }), { 'step grafted': created });
  if (ctx.chance(0.3)) ctx.check(await ctx.http.patch(`/api/runs/${id}`, { status: 'running' }, { name: 'update_run' }), { 'run updated': ok });
  if (ctx.chance(0.1)) ctx.check(await ctx.http.del(`/api/runs/${id}`, undefined, { name: 'delete_run' }), { 'run deleted': (r) => r.status === 204 });
}

async function collaboration(ctx: Ctx): Promise<void> {
  // The collaboration operations over REST (graft, flag, prune) on one run per VU.
  const run = await ctx.http.post('/api/runs', { name: `collab ${ctx.vu}` }, { name: 'create_run' });
  if (run.status !== 201) return;
  const id = run.json<{ id: string }>().id;
  const a = await ctx.http.post(`/api/runs/${id}/graft`, { name: 'plan' }, { name: 'graft_run' });
  if (!ctx.check(a, { 'step grafted': created })) return;
  const stepId = a.json<{ id: string }>().id;
  ctx.check(await ctx.http.post(`/api/runs/${id}/graft`, { name: 'act', parentId: stepId }, { name: 'graft_run' }), { 'step grafted': created });
  ctx.check(await ctx.http.post(`/api/runs/${id}/steps/${stepId}/flag`, { reason: 'needs review' }, { name: 'flag_step' }), { 'step flagged': ok });
  const pruned = await ctx.http.del(`/api/runs/${id}/steps/${stepId}`, undefined, { name: 'prune_step' });
  ctx.check(pruned, { 'subtree pruned': (r) => r.status === 200 && r.json<{ removed: string[] }>().removed.length === 2 });
}

async function a2a(ctx: Ctx): Promise<void> {
  // Seed 000's A2A mix: submit 70 %, query the queue 20 %, execute 30 %, cancel 5 %.
  const sub = await ctx.http.post('/api/a2a/tasks', { input: 'Summarise the incident report', skill: 'summarize' }, { name: 'a2a_submit' });
  ctx.check(sub, { 'task submitted': (r) => r.status === 202 });
  if (sub.status !== 202) return;
  const id = sub.json<{ id: string }>().id;
  if (ctx.chance(0.2)) ctx.check(await ctx.http.get('/api/a2a/tasks/queue', { name: 'a2a_queue' }), { 'queue read': ok });
  if (ctx.chance(0.05)) {
    ctx.check(await ctx.http.post(`/api/a2a/tasks/${id}/cancel`, undefined, { name: 'a2a_cancel' }), { 'task canceled': ok });
    return;
  }
  if (ctx.chance(0.3)) {
    const done = await ctx.http.post(`/api/a2a/tasks/${id}/execute`, { wait: true }, { name: 'a2a_execute' });
    ctx.check(done, { 'task completed': (r) => r.status === 200 && r.json<{ status: string }>().status === 'completed' });
  }
}

async function endpoints(ctx: Ctx): Promise<void> {
  // Seed 002's endpoints.
  ctx.check(await ctx.http.get('/api/v1/tasks', { name: 'list_tasks', query: { limit: 20 } }), { 'tasks listed': ok });
  ctx.check(await ctx.http.post('/api/v1/tasks', { title: 'classify ticket', priority: 5, max_tokens: 8 }, { name: 'create_task' }), { 'task created': created });
  ctx.check(await ctx.http.get('/api/v1/agents', { name: 'list_agents' }), { 'agents listed': ok });
  ctx.check(await ctx.http.get('/api/v1/dags', { name: 'list_dags' }), { 'dags listed': ok });
  if (ctx.iteration % 3 === 0) {
    ctx.check(await ctx.http.post(`/api/v1/dags/${ctx.data.dagId}/execute`, {}, { name: 'execute_dag' }), { 'dag started': (r) => r.status === 202 });
  }
}

async function orchestration(ctx: Ctx): Promise<void> {
  // Seed 003: voting, cached reads, single and batch inserts.
  const proposal = ctx.data.proposalIds[ctx.randomInt(0, ctx.data.proposalIds.length - 1)] as string;
  const vote = await ctx.http.post(`/api/proposals/${proposal}/votes`, { voterId: `agent-${ctx.vu}-${ctx.iteration}`, choice: ctx.chance(0.7) ? 'approve' : 'reject' }, { name: 'vote' });
  ctx.check(vote, { 'vote counted': created });
  if (vote.status === 201) {
    const t = vote.json<{ counts: Record<string, number>; totalVotes: number }>();
    ctx.record(tallyConsistent, Object.values(t.counts).reduce((a, b) => a + b, 0) === t.totalVotes ? 1 : 0);
  }
  const recordId = ctx.data.recordIds[ctx.randomInt(0, ctx.data.recordIds.length - 1)] as string;
  const read = await ctx.http.get(`/api/records/${recordId}`, { name: 'cached_read' });
  ctx.check(read, { 'record read': ok });
  ctx.record(cacheHitRate, read.headers['x-cache'] === 'HIT' ? 1 : 0);
  if (ctx.chance(0.2)) {
    const records = Array.from({ length: 20 }, (_, i) => ({ kind: 'event', payload: { vu: ctx.vu, i } }));
    ctx.check(await ctx.http.post('/api/records/batch', { records }, { name: 'batch_insert' }), { 'batch inserted': created });
  } else {
    ctx.check(await ctx.http.post('/api/records', { kind: 'event', payload: { vu: ctx.vu } }, { name: 'insert' }), { 'record inserted': created });
  }
}

async function llm(ctx: Ctx): Promise<void> {
  const res = await ctx.http.post(
    '/v1/chat/completions',
    { model: 'agentload-mock', messages: [{ role: 'user', content: 'Say hello' }], max_tokens: 24 },
    { name: 'llm_completion' },
  );
  ctx.check(res, { 'completion answered': (r) => r.status === 200 && r.json<{ choices: unknown[] }>().choices.length === 1 });
}

async function a2aAgent(ctx: Ctx): Promise<void> {
  ctx.check(await ctx.http.get('/.well-known/agent-card.json', { name: 'agent_card' }), { 'agent card served': ok });
  const res = await ctx.http.post(
    '/a2a/jsonrpc',
    {
      jsonrpc: '2.0',
      id: `${ctx.vu}-${ctx.iteration}`,
      method: 'message/send',
      params: { message: { kind: 'message', role: 'user', messageId: `m-${ctx.vu}-${ctx.iteration}`, parts: [{ kind: 'text', text: 'Plan a release' }] } },
    },
    { name: 'a2a_message_send' },
  );
  ctx.check(res, { 'agent answered': (r) => r.status === 200 && r.json<{ result?: unknown }>().result !== undefined });
}

export default defineTest<DemoData>({
  name: 'demo',
  setup: async (ctx) => {
    const dag = await ctx.http.post('/api/v1/dags', {
      name: 'demo pipeline',
      nodes: [
        { id: 'fetch', maxTokens: 8 },
        { id: 'analyze', dependsOn: ['fetch'], maxTokens: 8 },
        { id: 'summarize', dependsOn: ['fetch'], maxTokens: 8 },
        { id: 'report', dependsOn: ['analyze', 'summarize'], maxTokens: 8 },
      ],
    });
    const proposalIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await ctx.http.post('/api/proposals', { title: `proposal ${i}`, quorum: 3 });
      proposalIds.push(p.json<{ id: string }>().id);
    }
    const batch = await ctx.http.post('/api/records/batch', { records: Array.from({ length: 10 }, (_, i) => ({ kind: 'seed', payload: { i } })) });
    return { dagId: dag.json<{ id: string }>().id, proposalIds, recordIds: batch.json<{ ids: string[] }>().ids };
  },
  scenarios: {
    health: {
      executor: 'constant-vus',
      vus: 1,
      duration: '20s',
      waitTime: 0.5,
      exec: async (ctx) => {
        ctx.check(await ctx.http.get('/health', { name: 'health' }), { 'health is UP': ok });
        ctx.check(await ctx.http.get('/actuator/health', { name: 'actuator_health' }), { 'actuator health is UP': ok });
        // A status page polls the analytics too, so the demo reads them however the mix below falls.
        ctx.check(await ctx.http.get('/api/analytics/metrics', { name: 'analytics' }), { 'analytics served': ok });
      },
    },
    runs_api: {
      executor: 'ramping-vus',
      startVUs: 0,
      // Seed 000's shape (ramp, hold, spike, ramp down), compressed.
      stages: [
        { duration: '5s', target: 6 },
        { duration: '10s', target: 6 },
        { duration: '3s', target: 9 },
        { duration: '2s', target: 0 },
      ],
      waitTime: [0.2, 0.6],
      exec: runsApi,
    },
    collaboration: { executor: 'constant-vus', vus: 2, duration: '20s', waitTime: [0.3, 0.8], exec: collaboration },
    ai_responses: {
      executor: 'constant-vus',
      vus: 6,
      duration: '20s',
      waitTime: [0.5, 1],
      // Seed 004's APIUser: chat 3, workflow 2, analytics 1.
      tasks: {
        chat: {
          weight: 3,
          fn: async (ctx) => {
            const res = await ctx.http.post('/api/chat', { message: 'How can I help you?', context: { session_id: `s${ctx.vu}` } }, { name: 'chat' });
            ctx.check(res, { 'chat answered': (r) => r.status === 200 && r.json<{ content: string }>().content.length > 0 });
          },
        },
        workflow: {
          weight: 2,
          fn: async (ctx) => {
            const res = await ctx.http.post('/api/workflows/execute', { workflow_id: 'faq_workflow', parameters: { query: 'test query' }, max_tokens: 8 }, { name: 'workflow' });
            ctx.check(res, { 'workflow completed': (r) => r.status === 200 && r.json<{ status: string }>().status === 'completed' });
          },
        },
        analytics: {
          weight: 1,
          fn: async (ctx) => {
            ctx.check(await ctx.http.get('/api/analytics/metrics', { name: 'analytics' }), { 'analytics served': ok });
          },
        },
      },
    },
    a2a_tasks: { executor: 'constant-vus', vus: 3, duration: '20s', waitTime: [0.2, 0.5], exec: a2a },
    endpoints: { executor: 'constant-vus', vus: 2, duration: '20s', waitTime: [0.2, 0.5], exec: endpoints },
    orchestration: { executor: 'constant-vus', vus: 3, duration: '20s', waitTime: [0.1, 0.3], exec: orchestration },
    mock_llm: { executor: 'constant-vus', vus: 2, duration: '20s', waitTime: [0.2, 0.5], exec: llm },
    a2a_agent: { executor: 'constant-vus', vus: 1, duration: '20s', waitTime: [0.3, 0.6], exec: a2aAgent },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{scenario:runs_api}': ['p(95)<500', 'p(99)<1000'],
    'http_req_duration{scenario:collaboration}': ['p(95)<500'],
    'http_req_duration{scenario:endpoints}': ['p(95)<500'],
    'http_req_duration{scenario:orchestration}': ['p(95)<500'],
    'http_req_duration{name:health}': ['p(95)<100'],
    'http_req_duration{name:chat}': ['p(95)<2000', 'p(99)<5000'],
    'http_req_duration{name:workflow}': ['p(95)<2000', 'p(99)<4000'],
    'http_req_duration{name:analytics}': ['p(95)<300'],
    'http_req_duration{name:a2a_submit}': ['p(95)<500'],
    'http_req_duration{name:a2a_execute}': ['p(95)<2000'],
    'http_req_duration{name:llm_completion}': ['p(95)<2000'],
    vote_tally_consistent: ['rate==1'],
  },
});
