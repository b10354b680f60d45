import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TestDefinition } from '../../src/config/definition.ts';
import { resolvePlan } from '../../src/config/resolve.ts';
import { listSuites, suitesDir } from '../../src/cli/commands/run.ts';
import { peakTarget } from '../../src/engine/stages.ts';
import type { RampingVusPlan, ScenarioPlan } from '../../src/engine/plan.ts';

const SUITES = ['a2a', 'api', 'backpressure', 'endpoints', 'orchestration', 'platform', 'smoke', 'websocket'];

async function load(name: string): Promise<TestDefinition> {
  const mod = (await import(pathToFileURL(join(suitesDir(), `${name}.ts`)).href)) as { default: TestDefinition };
  return mod.default;
}

const peak = (s: ScenarioPlan): number => {
  if (s.executor === 'ramping-vus') return peakTarget(s.startVUs, s.stages);
  if (s.executor === 'ramping-arrival-rate') return peakTarget(s.startRate, s.stages);
  if (s.executor === 'constant-arrival-rate') return s.rate;
  return 'vus' in s ? s.vus : 0;
};

test('--suite lists the shipped suites, not their helper modules in suites/lib', () => {
  const listed = listSuites();
  for (const s of SUITES) assert.ok(listed.includes(s), s);
  assert.ok(!listed.includes('lib') && !listed.some((n) => n.includes('/')));
});

test('every suite resolves with its defaults and under each of its own profiles, without errors', async () => {
  for (const name of SUITES) {
    const def = await load(name);
    assert.equal(def.name, name);
    const plain = resolvePlan(def, {}, name);
    assert.deepEqual(plain.errors, [], name);
    assert.ok(plain.plan.thresholds.length > 0, `${name} has thresholds`);
    for (const profile of Object.keys(def.profiles ?? {})) {
      const r = resolvePlan(def, { profile }, name);
      assert.deepEqual(r.errors, [], `${name} --profile ${profile}`);
    }
  }
});

test('the seeds\' load shapes at full size', async () => {
  const vus = async (name: string, profile?: string): Promise<number[]> =>
    resolvePlan(await load(name), profile === undefined ? {} : { profile }, name)
      .plan.scenarios.filter((s) => s.name !== 'warmup')
      .map(peak);
  assert.deepEqual(await vus('api'), [150]); // seed 000: 0 → 100 → 150
  assert.deepEqual(await vus('a2a'), [120]); // seed 000: 0 → 100 → 120
  assert.deepEqual(await vus('websocket'), [100]); // seed 000: 0 → 75 → 100
  assert.deepEqual(await vus('smoke'), [1]); // seed 001
  // seed 004: users split evenly between the REST and WebSocket users
  assert.deepEqual(await vus('platform', 'baseline'), [50, 50]);
  assert.deepEqual(await vus('platform', 'stress'), [250, 250]);
  assert.deepEqual(await vus('platform', 'spike'), [500, 500]);
  assert.deepEqual(await vus('platform', 'soak'), [100, 100]);
  // seed 002: every endpoint offered its throughput target; stress triples it
  assert.deepEqual(await vus('endpoints'), [5000, 1000, 500, 1000, 800, 200]);
  assert.deepEqual(await vus('endpoints', 'stress'), [15000, 3000, 1500, 3000, 2400, 600]);
  const api = resolvePlan(await load('api'), {}, 'api').plan.scenarios[0] as RampingVusPlan;
  assert.equal(api.stages.reduce((a, s) => a + s.durationMs, 0), 20 * 60_000);
  const a2a = resolvePlan(await load('a2a'), {}, 'a2a').plan.scenarios[0] as RampingVusPlan;
  assert.equal(a2a.stages.reduce((a, s) => a + s.durationMs, 0), 18 * 60_000);
});

test('the seeds\' thresholds are the defaults', async () => {
  const thresholds = async (name: string, profile?: string): Promise<string[]> =>
    resolvePlan(await load(name), profile === undefined ? {} : { profile }, name).plan.thresholds.map((t) => `${t.key} ${t.expression}`);
  const api = await thresholds('api');
  for (const t of ['http_req_duration{type:api} p(95)<500', 'http_req_duration{type:api} p(99)<1000', 'http_reqs{type:api} rate>100', 'http_req_duration{type:ai} p(95)<2000', 'http_req_duration{type:ai} p(99)<5000', 'http_req_failed{type:ai} rate<0.01']) {
    assert.ok(api.includes(t), t);
  }
  const a2a = await thresholds('a2a');
  for (const t of ['a2a_submit_duration p(95)<500', 'http_req_duration{name:a2a_execute} p(95)<2000', 'a2a_tasks_submitted rate>50', 'a2a_task_completed rate>0.95']) assert.ok(a2a.includes(t), t);
  const ws = await thresholds('websocket');
  for (const t of ['ws_connecting p(95)<1000', 'ws_msg_rtt p(95)<100', 'ws_stability rate>0.99', 'ws_reconnect_duration p(95)<3000']) assert.ok(ws.includes(t), t);
  const orch = await thresholds('orchestration');
  for (const t of ['http_req_duration p(50)<100', 'http_req_duration max<5000', 'votes_cast count==5000', 'http_req_duration{name:enqueue_task} p(95)<100', 'task_processing_latency p(95)<500', 'insert_per_record{mode:single} p(95)<50']) {
    assert.ok(orch.includes(t), t);
  }
  const spike = await thresholds('platform', 'spike');
  for (const t of ['http_req_duration{type:api} p(95)<1500', 'ws_msg_rtt{name:heartbeat} p(95)<300', 'http_req_failed rate<0.05', 'llm_cost_usd avg<0.01']) assert.ok(spike.includes(t), t);
  const bp = await thresholds('backpressure');
  for (const t of ['ws_backpressure_drops count<=10', 'ws_server_queue_size max<1000']) assert.ok(bp.includes(t), t);
});
