/**
 * endpoints — seed 002's per-endpoint performance targets.
 *
 * After a 30 s warm-up (not measured), one open-model scenario per endpoint
 * offers that endpoint's throughput target (GET /health 5000 req/s, GET
 * tasks 1000, POST tasks 500, GET agents 1000, GET dags 800, POST dag
 * execute 200) for 5 minutes, and holds it to its p50/p95/p99 targets. An
 * endpoint meets its throughput target when every offered request was sent
 * (no dropped iterations: the target kept up with the schedule) and errors
 * stay under 1%.
 *
 * Profiles: seed 002's load, stress and soak stage tables, where 100 VUs is
 * one times every endpoint's target rate (stress climbs to three times).
 *
 *   agentload run --suite endpoints
 *   agentload run --suite endpoints --profile stress --time-scale 26
 *
 * Options: docs/suites.md#endpoints.
 */
import { defineTest, type ProfileDefinition, type ScenarioDefinition, type Stage, type ThresholdInput, type VuContext } from 'agentload';
import { authHeaders, fieldOf, jsonOf } from './lib/requests.ts';
import { requireHealthy, targetHttp } from './lib/runs-api.ts';
import { jsonSetting, pathSetting, SCALE, setting } from './lib/settings.ts';

interface Data {
  dagId: string;
}

interface Endpoint {
  /** The `name` tag and scenario name. */
  name: string;
  method: 'GET' | 'POST';
  /** Option holding the path, and its default. */
  pathOption: string;
  path: string;
  /** Targets, milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  /** Throughput target, requests per second. */
  rate: number;
  /** Status the endpoint answers with. */
  status: number;
  body?: (ctx: VuContext<Data>) => Record<string, unknown>;
}

const ENDPOINTS: readonly Endpoint[] = [
  { name: 'health', method: 'GET', pathOption: 'HEALTH_PATH', path: '/health', p50: 5, p95: 10, p99: 20, rate: 5000, status: 200 },
  { name: 'list_tasks', method: 'GET', pathOption: 'TASKS_PATH', path: '/api/v1/tasks', p50: 20, p95: 50, p99: 100, rate: 1000, status: 200 },
  {
    name: 'create_task',
    method: 'POST',
    pathOption: 'TASKS_PATH',
    path: '/api/v1/tasks',
    p50: 50,
    p95: 100,
    p99: 200,
    rate: 500,
    status: 201,
    body: (ctx) => jsonSetting('TASK_BODY', { title: 'agentload task', description: 'Classify the ticket', type: 'classify', priority: 5, max_tokens: 8 }, ctx),
  },
  { name: 'list_agents', method: 'GET', pathOption: 'AGENTS_PATH', path: '/api/v1/agents', p50: 20, p95: 50, p99: 100, rate: 1000, status: 200 },
  { name: 'list_dags', method: 'GET', pathOption: 'DAGS_PATH', path: '/api/v1/dags', p50: 30, p95: 75, p99: 150, rate: 800, status: 200 },
  {
    name: 'execute_dag',
    method: 'POST',
    pathOption: 'DAG_EXECUTE_PATH',
    path: '/api/v1/dags/{id}/execute',
    p50: 100,
    p95: 200,
    p99: 500,
    rate: 200,
    status: 202,
    body: (ctx) => jsonSetting('DAG_EXECUTE_BODY', { input: { ticket: `agentload-${ctx.vu}` } }, ctx),
  },
];

/** Offered rate of an endpoint: its target, scaled by SUITE_SCALE (at least 1 per second). */
const offered = (e: Endpoint): number => Math.max(1, Math.round(e.rate * SCALE * 1000) / 1000);
const TOTAL = ENDPOINTS.reduce((a, e) => a + offered(e), 0);

function call(e: Endpoint, name = e.name) {
  return async (ctx: VuContext<Data>): Promise<void> => {
    const path = pathSetting(e.pathOption, e.path, ctx, { id: ctx.data.dagId });
    const params = { name, headers: authHeaders(ctx) };
    const res = e.method === 'GET' ? await ctx.http.get(path, params) : await ctx.http.post(path, e.body?.(ctx) ?? {}, params);
    ctx.check(res, { [`${name}: ${e.status}`]: (r) => r.status === e.status });
  };
}

/** Seed 002's VU tables as shares of the targets: 100 VUs = every endpoint at its target rate. */
function shape(stages: readonly [string, number][]): { stages: Stage[]; rateStages: Stage[] } {
  return {
    stages: stages.map(([duration, vus]) => ({ duration, target: vus === 0 ? 0 : Math.max(1, Math.round(vus * SCALE)) })),
    rateStages: stages.map(([duration, vus]) => ({ duration, target: Math.round(((TOTAL * vus) / 100) * 1000) / 1000 })),
  };
}

const LOAD_THRESHOLDS: Readonly<Record<string, readonly ThresholdInput[]>> = {
  http_req_duration: ['p(95)<500', 'p(99)<1000'],
  http_req_failed: ['rate<0.01'],
};

const profiles: Record<string, ProfileDefinition> = {
  load: {
    description: 'seed 002 load test: 1m→50, 3m@50, 1m→100, 3m@100, 2m→0 (100 = every endpoint at its target rate)',
    ...shape([['1m', 50], ['3m', 50], ['1m', 100], ['3m', 100], ['2m', 0]]),
    thresholds: LOAD_THRESHOLDS,
  },
  stress: {
    description: 'seed 002 stress test: steps of 100 up to 300 (three times every target), then recovery; 26 minutes',
    ...shape([['2m', 100], ['5m', 100], ['2m', 200], ['5m', 200], ['2m', 300], ['5m', 300], ['5m', 0]]),
    thresholds: { http_req_duration: ['p(95)<2000'], http_req_failed: ['rate<0.1'] },
  },
  soak: {
    description: 'seed 002 soak test: 5m→100, 4h@100, 5m→0 (memory leaks, exhaustion)',
    ...shape([['5m', 100], ['4h', 100], ['5m', 0]]),
    thresholds: LOAD_THRESHOLDS,
  },
};

const WARMUP = setting('ENDPOINTS_WARMUP', '30s');
const scenarios: Record<string, ScenarioDefinition<Data>> = {
  // seed 003's advice, "warm up the system before measuring": every endpoint at a tenth of its rate, under its own names
  warmup: {
    executor: 'constant-arrival-rate',
    rate: Math.max(1, Math.round(TOTAL / 10)),
    timeUnit: '1s',
    duration: WARMUP,
    preAllocatedVUs: 5,
    maxVUs: Math.max(20, Math.ceil(TOTAL / 10)),
    // no share of a profile's rate: a profile's own ramp warms the system up
    weight: 0,
    gracefulStop: '1m',
    exec: async (ctx) => {
      const e = ENDPOINTS[ctx.randomInt(0, ENDPOINTS.length - 1)] as Endpoint;
      await call(e, `warmup_${e.name}`)(ctx);
    },
  },
};
for (const e of ENDPOINTS) {
  const rate = offered(e);
  scenarios[e.name] = {
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    startTime: WARMUP,
    duration: setting('ENDPOINTS_DURATION', '5m'),
    // VUs for the rate at four times the p99 target; more would hide a target that cannot keep up
    preAllocatedVUs: Math.max(5, Math.ceil((rate * e.p99) / 1000)),
    maxVUs: Math.max(20, Math.ceil((rate * 4 * e.p99) / 1000)),
    weight: rate,
    gracefulStop: '1m',
    exec: call(e),
  };
}

const thresholds: Record<string, ThresholdInput[]> = { http_req_failed: ['rate<0.01'], checks: ['rate>0.99'] };
for (const e of ENDPOINTS) {
  thresholds[`http_req_duration{name:${e.name}}`] = [`p(50)<${e.p50}`, `p(95)<${e.p95}`, `p(99)<${e.p99}`];
  thresholds[`dropped_iterations{scenario:${e.name}}`] = ['count==0'];
}

export default defineTest<Data>({
  name: 'endpoints',
  http: targetHttp(),
  setup: async (ctx) => {
    await requireHealthy(ctx);
    const body = jsonSetting('DAG_BODY', {
      name: 'agentload endpoints DAG',
      nodes: [
        { id: 'plan', prompt: 'Plan the work', maxTokens: 8 },
        { id: 'act', prompt: 'Do the work', dependsOn: ['plan'], maxTokens: 8 },
      ],
    });
    const explicit = setting('DAG_ID', '', ctx);
    if (explicit !== '') return { dagId: explicit };
    const res = await ctx.http.post(pathSetting('DAGS_PATH', '/api/v1/dags', ctx), body, { name: 'setup_dag', tags: { type: 'setup' }, headers: authHeaders(ctx) });
    const id = fieldOf(jsonOf(res));
    if (id === null) throw new Error(`could not create the DAG to execute: POST ${res.url} answered ${res.status} ${res.error}; set DAG_ID to use an existing one`);
    return { dagId: id };
  },
  scenarios,
  profiles,
  thresholds,
});
