/**
 * The conformance suite every executor runs through the real engine: iteration
 * and VU counts, stage shapes, graceful stop and segment splits adding up.
 * Counts and invariants only; no wall-clock assertions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, total } from '../helpers/run-script.ts';

function script(scenario: string, body = ''): string {
  return `import { defineTest, Counter } from 'agentload';
const perVu = new Counter('per_vu');
export default defineTest({
  scenarios: { s: { ...${scenario}, exec: async (ctx) => { ctx.record(perVu, 1, { vu_id: String(ctx.vu) }); ${body} } } },
});
`;
}

function perVuCounts(o: Awaited<ReturnType<typeof runScript>>): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of o.metrics.get('per_vu')?.series.values() ?? []) {
    const id = s.tags.get('vu_id') as string;
    m.set(id, (m.get(id) ?? 0) + s.acc.sum);
  }
  return m;
}

for (const workers of [1, 2]) {
  test(`shared-iterations runs exactly the iterations, on at most vus VUs (workers=${workers})`, async () => {
    const o = await runScript(script(`{ executor: 'shared-iterations', vus: 3, iterations: 20 }`), { workers });
    assert.equal(total(o, 'iterations'), 20);
    const vus = perVuCounts(o);
    assert.ok(vus.size >= 1 && vus.size <= 3, `VUs used: ${vus.size}`);
    assert.equal([...vus.values()].reduce((a, b) => a + b, 0), 20);
    assert.equal(o.meta.status, 'passed');
  });

  test(`per-vu-iterations gives every VU exactly its iterations (workers=${workers})`, async () => {
    const o = await runScript(script(`{ executor: 'per-vu-iterations', vus: 4, iterations: 5 }`), { workers });
    assert.equal(total(o, 'iterations'), 20);
    const vus = perVuCounts(o);
    assert.deepEqual([...vus.keys()].sort(), ['1', '2', '3', '4']);
    for (const n of vus.values()) assert.equal(n, 5);
  });
}

test('constant-vus keeps exactly vus VUs looping for the duration', async () => {
  const o = await runScript(script(`{ executor: 'constant-vus', vus: 3, duration: '600ms' }`, 'await ctx.sleep(0.05);'), { workers: 2 });
  const vus = perVuCounts(o);
  assert.deepEqual([...vus.keys()].sort(), ['1', '2', '3']);
  for (const n of vus.values()) assert.ok(n >= 2, `each VU looped (${n})`);
  assert.equal(o.metrics.get('vus_max')?.total.max, 3);
});

test('ramping-vus follows the stages: peak VUs, distinct VUs, ramp down to 0', async () => {
  const o = await runScript(
    script(`{ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '800ms', target: 4 }, { duration: '400ms', target: 4 }, { duration: '400ms', target: 0 }], gracefulRampDown: '100ms' }`, 'await ctx.sleep(0.05);'),
    { workers: 2 },
  );
  const vus = perVuCounts(o);
  assert.deepEqual([...vus.keys()].sort(), ['1', '2', '3', '4']);
  assert.equal(o.metrics.get('vus_max')?.total.max, 4);
  assert.ok((o.metrics.get('vus')?.total.max ?? 0) <= 4);
});

test('constant-arrival-rate starts exactly rate × duration iterations when VUs suffice', async () => {
  const o = await runScript(script(`{ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '1s', preAllocatedVUs: 5, maxVUs: 20 }`), { workers: 2 });
  assert.equal(total(o, 'iterations') + total(o, 'dropped_iterations'), 50);
  assert.equal(total(o, 'dropped_iterations'), 0);
  assert.equal(o.metrics.get('iteration_lag')?.total.count, 50);
});

test('constant-arrival-rate drops (never queues) iterations that find no free VU', async () => {
  const o = await runScript(
    script(`{ executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '500ms', preAllocatedVUs: 2, maxVUs: 3, gracefulStop: '2s' }`, 'await ctx.sleep(1);'),
    { workers: 1 },
  );
  assert.equal(total(o, 'iterations'), 3, 'only maxVUs iterations could start');
  assert.equal(total(o, 'dropped_iterations'), 17);
});

test('ramping-arrival-rate starts the integral of its rate', async () => {
  const o = await runScript(
    script(`{ executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ duration: '1s', target: 20 }, { duration: '1s', target: 20 }], preAllocatedVUs: 4, maxVUs: 10 }`),
    { workers: 2 },
  );
  assert.equal(total(o, 'iterations') + total(o, 'dropped_iterations'), 30);
});

test('gracefulStop interrupts iterations that outlive it; they are not counted', async () => {
  // each VU notes how its 30 s sleep ended: interrupted (InterruptedError) when the graceful stop runs out,
  // "completed" if the run waited for it; nothing if the run ended without settling its iterations
  const marks = join(mkdtempSync(join(tmpdir(), 'agentload-marks-')), 'sleeps.txt');
  const o = await runScript(
    `import { appendFileSync } from 'node:fs';
import { defineTest, Counter } from 'agentload';
const started = new Counter('started');
export default defineTest({
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '200ms', gracefulStop: '100ms', exec: async (ctx) => {
    ctx.record(started, 1);
    try {
      await ctx.sleep(30);
      appendFileSync(ctx.env.MARKS, 'completed\\n');
    } catch (e) {
      appendFileSync(ctx.env.MARKS, e.name + '\\n');
      throw e;
    }
  } } },
});`,
    { workers: 1, cli: { env: { MARKS: marks } } },
  );
  assert.equal(total(o, 'started'), 2, 'each VU started one iteration');
  assert.equal(total(o, 'iterations'), 0, 'interrupted iterations are not counted');
  assert.equal(total(o, 'iteration_errors'), 0, 'an interrupt is not an iteration error');
  assert.deepEqual(readFileSync(marks, 'utf8').trim().split('\n'), ['InterruptedError', 'InterruptedError'], 'both sleeps were cut short');
  assert.equal(o.meta.status, 'passed');
  assert.equal(o.meta.stopReason, null);
});

test('gracefulStop lets iterations that finish in time complete', async () => {
  const o = await runScript(script(`{ executor: 'constant-vus', vus: 2, duration: '100ms', gracefulStop: '5s' }`, 'await ctx.sleep(0.4);'), { workers: 1 });
  assert.equal(total(o, 'iterations'), 2);
});

test('segments of a test add up exactly to the whole', async () => {
  const cases = [
    [`{ executor: 'shared-iterations', vus: 5, iterations: 17 }`, 17],
    [`{ executor: 'per-vu-iterations', vus: 5, iterations: 3 }`, 15],
    [`{ executor: 'constant-arrival-rate', rate: 30, timeUnit: '1s', duration: '1s', preAllocatedVUs: 6, maxVUs: 6 }`, 30],
  ] as const;
  for (const [scenario, expected] of cases) {
    let sum = 0;
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const o = await runScript(script(scenario), { workers: 2, cli: { segment: { index: i, count: 3 } } });
      sum += total(o, 'iterations') + total(o, 'dropped_iterations');
      for (const id of perVuCounts(o).keys()) {
        assert.equal(ids.has(id), false, `VU id ${id} used by two segments`);
        ids.add(id);
      }
    }
    assert.equal(sum, expected, scenario);
  }
});

test('weighted tasks and think time (seed 004: tasks 3:2:1, wait between 1 and 3 s, time-scaled)', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const picked = new Counter('picked');
export default defineTest({
  scenarios: { api: { executor: 'shared-iterations', vus: 4, iterations: 600, waitTime: [0, 0],
    tasks: { chat: { weight: 3, fn: (ctx) => ctx.record(picked, 1, { task: 'chat' }) },
             workflow: { weight: 2, fn: (ctx) => ctx.record(picked, 1, { task: 'workflow' }) },
             analytics: { weight: 1, fn: (ctx) => ctx.record(picked, 1, { task: 'analytics' }) } } } },
});`,
    { workers: 1 },
  );
  const chat = total(o, 'picked', [['task', 'chat']]);
  const wf = total(o, 'picked', [['task', 'workflow']]);
  const an = total(o, 'picked', [['task', 'analytics']]);
  assert.equal(chat + wf + an, 600);
  // expected 300/200/100; binomial sd ≈ 12, allow 5 sd
  assert.ok(Math.abs(chat - 300) < 60 && Math.abs(wf - 200) < 60 && Math.abs(an - 100) < 50, `${chat}/${wf}/${an}`);
});

test('time-scale compresses the schedule (duration, gracefulStop), not the sleeps inside iterations', async () => {
  const o = await runScript(script(`{ executor: 'constant-vus', vus: 1, duration: '20s', gracefulStop: '10s' }`, 'await ctx.sleep(0.05);'), {
    workers: 1,
    cli: { timeScale: 40 },
  });
  assert.equal(o.meta.timeScale, 40);
  assert.equal(o.meta.scenarios[0]?.description, '1 looping VUs for 500ms (gracefulStop: 250ms)', 'the schedule is 40 times shorter');
  // in 500 ms a VU whose iterations each sleep 50 ms starts at most 11 of them (the last may finish in the
  // graceful stop): about 400 if the schedule kept its 20 s, or if the sleeps were compressed too
  const n = total(o, 'iterations');
  assert.ok(n >= 1 && n <= 11, `${n} iterations`);
  assert.equal(o.meta.status, 'passed');
});
