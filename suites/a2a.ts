/**
 * a2a — seed 000's A2A protocol load test (a2a-load-test.js): agents
 * submitting, querying, executing and cancelling tasks on the REST task API
 * (/api/a2a/tasks) under 0 → 100 → 120 (spike) → 0 agents over 18 minutes.
 *
 * Each iteration draws every operation independently: submit 70%, query the
 * queue 20%, execute 30% (the oldest task this agent submitted; one is
 * submitted first if it has none), cancel 5% (its newest waiting task), then
 * thinks 0.25–0.75 s.
 *
 * Thresholds (seed 000): submission p95 < 500 ms (a2a_submit_duration: submit
 * until the server acknowledges), execution p95 < 2 s (execute until the
 * task has finished), > 50 tasks submitted per second, completion > 95% of
 * the executed tasks (a2a_task_completed; tasks the agent cancels on purpose
 * are not counted against it).
 *
 *   agentload run --suite a2a
 *   A2A_TOKEN=… agentload run --suite a2a --env staging
 *
 * Options: docs/suites.md#a2a.
 */
import { Counter, defineTest, Gauge, type VuContext } from 'agentload';
import { authHeaders, jsonOf, ok, perVu } from './lib/requests.ts';
import { requireHealthy, targetHttp } from './lib/runs-api.ts';
import { chanceSetting, jsonSetting, numberSetting, pathSetting, scaledFloor, scaledStages, secondsRange } from './lib/settings.ts';

const tasksSubmitted = new Counter('a2a_tasks_submitted');
const queueDepth = new Gauge('a2a_queue_depth');

/** Tasks this agent submitted and has not executed or cancelled yet (the newest 100). */
const pendingOf = perVu<string[]>(() => []);

const headers = (ctx: VuContext): Record<string, string> => authHeaders(ctx, 'A2A_TOKEN');

async function submit(ctx: VuContext, pending: string[]): Promise<void> {
  const body = jsonSetting('A2A_TASK_BODY', { input: 'Summarise the open incidents and propose next steps', skill: 'summarize', agent: `agentload-agent-${ctx.vu}`, priority: 5 }, ctx);
  const r = await ctx.a2a.rest.submit(body, { name: 'a2a_task' });
  if (ctx.check(r, { 'submit: acknowledged with a task id': (x) => x.ok && x.id !== null }) && r.id !== null) {
    ctx.record(tasksSubmitted, 1);
    pending.push(r.id);
    if (pending.length > 100) pending.shift();
  }
}

async function query(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get(pathSetting('A2A_QUEUE_PATH', '/api/a2a/tasks/queue'), { name: 'a2a_queue', headers: headers(ctx) });
  const depth = jsonOf<{ depth?: unknown }>(res)?.depth;
  if (ctx.check(res, { 'query: 200': (r) => r.status === 200 }) && typeof depth === 'number') ctx.record(queueDepth, depth);
}

async function execute(ctx: VuContext, pending: string[]): Promise<void> {
  if (pending.length === 0) await submit(ctx, pending);
  const id = pending.shift();
  if (id === undefined) return;
  const timeoutMs = numberSetting('A2A_EXECUTE_TIMEOUT_MS', 60_000, ctx, { min: 1, integer: true });
  const res = await ctx.http.post(pathSetting('A2A_EXECUTE_PATH', '/api/a2a/tasks/{id}/execute', undefined, { id }), { wait: true, timeout_ms: timeoutMs }, { name: 'a2a_execute', headers: headers(ctx), timeout: timeoutMs + 5000 });
  ctx.check(res, { 'execute: 2xx': ok });
  // the task's end as the agent sees it: a2a_task_completed and a2a_task_duration
  const done = await ctx.a2a.rest.poll(id, { name: 'a2a_task', timeout: '30s' });
  ctx.check(done, { 'execute: task completed': (x) => x.state === 'completed' });
}

async function cancel(ctx: VuContext, pending: string[]): Promise<void> {
  const id = pending.pop();
  if (id === undefined) return;
  // through ctx.http, not ctx.a2a.rest: a task cancelled on purpose is not a task that failed to complete
  const res = await ctx.http.post(pathSetting('A2A_CANCEL_PATH', '/api/a2a/tasks/{id}/cancel', undefined, { id }), null, { name: 'a2a_cancel', headers: headers(ctx) });
  ctx.check(res, { 'cancel: 2xx': ok });
}

export default defineTest({
  name: 'a2a',
  http: targetHttp(),
  a2a: {
    rest: {
      tasksPath: pathSetting('A2A_TASKS_PATH', '/api/a2a/tasks'),
      taskPath: process.env.A2A_TASK_PATH ?? '/api/a2a/tasks/{id}',
      cancelPath: process.env.A2A_CANCEL_PATH ?? '/api/a2a/tasks/{id}/cancel',
    },
    pollInterval: '100ms',
  },
  setup: requireHealthy,
  scenarios: {
    agents: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: scaledStages([
        { duration: '2m', target: 50 },
        { duration: '3m', target: 100 },
        { duration: '5m', target: 100 },
        { duration: '1m', target: 120 }, // spike
        { duration: '3m', target: 120 },
        { duration: '1m', target: 100 },
        { duration: '3m', target: 0 },
      ]),
      // Generous: an agent ramping down finishes its iteration (an execution takes seconds), even under a strong --time-scale.
      gracefulRampDown: '10m',
      gracefulStop: '10m',
      exec: async (ctx) => {
        const pending = pendingOf(ctx);
        if (ctx.chance(chanceSetting('P_SUBMIT', 0.7, ctx))) await submit(ctx, pending);
        if (ctx.chance(chanceSetting('P_QUERY', 0.2, ctx))) await query(ctx);
        if (ctx.chance(chanceSetting('P_EXECUTE', 0.3, ctx))) await execute(ctx, pending);
        if (ctx.chance(chanceSetting('P_CANCEL', 0.05, ctx))) await cancel(ctx, pending);
        const [lo, hi] = secondsRange('THINK_TIME', [0.25, 0.75], ctx);
        await ctx.sleepBetween(lo, hi);
      },
    },
  },
  thresholds: {
    a2a_submit_duration: ['p(95)<500'],
    'http_req_duration{name:a2a_execute}': ['p(95)<2000'],
    a2a_tasks_submitted: [`rate>${scaledFloor(50)}`],
    a2a_task_completed: ['rate>0.95'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
});
