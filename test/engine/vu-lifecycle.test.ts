/**
 * What a VU's life does to the counts: interrupted iterations and the samples
 * recorded after an interrupt, VUs reused across ramps (vus_max), the first
 * vus samples, env precedence, task tags and synchronous checks. Counts and
 * invariants only, through the real engine (worker threads).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runScript, total } from '../helpers/run-script.ts';
import { startTestServer, type TestServer } from '../helpers/servers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('an iteration interrupted at gracefulStop is not counted, nor are its aborted requests, even when the script carries on', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const afterAbort = new Counter('after_abort');
export default defineTest({
  http: { baseUrl: ${JSON.stringify(server.url)} },
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '100ms', gracefulStop: '200ms',
    exec: async (ctx) => {
      const res = await ctx.http.get('/slow?ms=1500');
      // the script ignores the failure and goes on: the iteration must still not count
      ctx.record(afterAbort, 1, { code: res.error_code });
      ctx.check(res, { 'got a response': (r) => r.status === 200 });
    } } },
});`,
    { workers: 1 },
  );
  assert.equal(total(o, 'iterations'), 0, 'interrupted iterations are not counted');
  assert.equal(total(o, 'http_reqs'), 0, 'requests aborted by the stop are not counted');
  assert.equal(total(o, 'http_req_failed'), 0, 'requests aborted by the stop are not failed requests');
  assert.equal(total(o, 'after_abort'), 0, 'samples recorded after the interrupt are dropped');
  assert.equal(total(o, 'checks'), 0);
  assert.equal(total(o, 'iteration_errors'), 0);
});

test('ramping-vus reuses its VUs when it ramps down then up: vus_max is the peak (k6), not the ramp-ups', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const seen = new Counter('seen');
export default defineTest({
  scenarios: { s: { executor: 'ramping-vus', startVUs: 0, gracefulRampDown: '100ms',
    stages: [{ duration: '200ms', target: 4 }, { duration: '300ms', target: 4 }, { duration: '150ms', target: 0 }, { duration: '250ms', target: 0 },
             { duration: '200ms', target: 4 }, { duration: '300ms', target: 4 }],
    exec: async (ctx) => { ctx.record(seen, 1, { vu_id: String(ctx.vu), iter: String(ctx.iteration) }); await ctx.sleep(0.04); } } },
});`,
    { workers: 2 },
  );
  const vusMax = o.metrics.get('vus_max')?.total;
  assert.equal(vusMax?.max, 4);
  assert.equal(vusMax?.last, 4);
  const ids = new Set<string>();
  for (const s of o.metrics.get('seen')?.series.values() ?? []) {
    ids.add(s.tags.get('vu_id') as string);
    // a VU made anew would start again at iteration 0: each (VU, iteration) happens once
    assert.equal(s.acc.sum, 1, `VU ${s.tags.get('vu_id')} ran iteration ${s.tags.get('iter')} ${s.acc.sum} times`);
  }
  assert.deepEqual([...ids].sort(), ['1', '2', '3', '4']);
});

test('scenarios one after the other: vus_max counts the VUs held at once, not their sum', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({
  scenarios: {
    first: { executor: 'per-vu-iterations', vus: 3, iterations: 1, exec: async (ctx) => { await ctx.sleep(0.05); } },
    second: { executor: 'per-vu-iterations', vus: 3, iterations: 1, startTime: '600ms', exec: async (ctx) => { await ctx.sleep(0.05); } },
  },
});`,
    { workers: 1 },
  );
  assert.equal(total(o, 'iterations'), 6);
  assert.equal(o.metrics.get('vus_max')?.total.max, 3);
});

test('constant-vus: vus and vus_max never show 0 (the first sample waits for the workers to report)', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({
  scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '2500ms', exec: async (ctx) => { await ctx.sleep(0.05); } } },
});`,
    { workers: 2 },
  );
  const vus = o.metrics.get('vus')?.total;
  const vusMax = o.metrics.get('vus_max')?.total;
  assert.ok((vus?.count ?? 0) >= 1, 'vus was sampled');
  assert.equal(vus?.min, 3);
  assert.equal(vus?.max, 3);
  assert.equal(vusMax?.min, 3);
  assert.equal(vusMax?.max, 3);
});

test('a run shorter than a second still gets a vus sample with its VUs', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({ scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2, exec: async (ctx) => { await ctx.sleep(0.05); } } } });`,
    { workers: 1 },
  );
  assert.equal(o.metrics.get('vus')?.total.max, 2);
  assert.equal(o.metrics.get('vus_max')?.total.last, 2);
});

test('ctx.env: the script env, then the scenario env, then -e (the command line wins, as in k6)', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const env = new Counter('env_seen');
export default defineTest({
  env: { A: 'script', B: 'script', C: 'script' },
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1, env: { A: 'scenario', B: 'scenario' },
    exec: (ctx) => ctx.record(env, 1, { a: ctx.env.A ?? '', b: ctx.env.B ?? '', c: ctx.env.C ?? '' }) } },
});`,
    { workers: 1, cli: { env: { A: 'cli' } } },
  );
  const series = [...(o.metrics.get('env_seen')?.series.values() ?? [])];
  assert.equal(series.length, 1);
  assert.deepEqual(
    ['a', 'b', 'c'].map((k) => series[0]?.tags.get(k)),
    ['cli', 'scenario', 'script'],
  );
});

test('samples recorded inside a weighted task carry its name in the task tag; iteration metrics do not', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const work = new Counter('work');
export default defineTest({
  scenarios: { api: { executor: 'shared-iterations', vus: 2, iterations: 60,
    tasks: { chat: { weight: 1, fn: (ctx) => ctx.record(work, 1) }, analytics: { weight: 1, fn: async (ctx) => { await ctx.group('report', () => ctx.record(work, 1)); } } } } },
});`,
    { workers: 1 },
  );
  const chat = total(o, 'work', [['task', 'chat']]);
  const analytics = total(o, 'work', [['task', 'analytics']]);
  assert.equal(chat + analytics, 60, 'every sample is tagged with its task');
  assert.ok(chat > 0 && analytics > 0);
  assert.equal(total(o, 'work', [['task', 'analytics'], ['group', '::report']]), analytics);
  assert.equal(total(o, 'iterations'), 60);
  assert.equal(total(o, 'iterations', [['task', 'chat']]), 0, 'the tag does not outlive the task');
});

test('a check returning a Promise is an iteration error that says checks are synchronous', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({ scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 2,
  exec: (ctx) => { ctx.check(1, { 'later': async () => true }); } } } });`,
    { workers: 1 },
  );
  assert.equal(total(o, 'iteration_errors'), 2);
  assert.match(o.errors[0]?.message ?? '', /check "later" returned a Promise: checks are synchronous/);
  assert.equal(total(o, 'checks'), 0);
});

test('ctx.sleep() refuses what it cannot do instead of not sleeping: a string, NaN, more than 24.8 days (each rejected with an error naming it)', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1,
    exec: async (ctx) => {
      for (const v of ['1s', NaN, 3_000_000]) {
        try { await ctx.sleep(v as number); } catch (e) { ctx.check((e as Error).message, { [(e as Error).name + ': ' + (e as Error).message]: () => true }); }
      }
      await ctx.sleep(0);
      await ctx.sleep(-1);
    } } },
});`,
    { workers: 1 },
  );
  assert.equal(total(o, 'iterations'), 1);
  assert.equal(total(o, 'iteration_errors'), 0);
  const names = [...(o.metrics.get('checks')?.series.values() ?? [])].map((s) => s.tags.get('check')).sort();
  assert.deepEqual(names, [
    'RangeError: ctx.sleep(3000000): longer than 596h31m23.6s (about 24 days), the longest a timer waits',
    'TypeError: ctx.sleep("1s"): expected a number of seconds',
    'TypeError: ctx.sleep(NaN): expected a number of seconds',
  ]);
});
