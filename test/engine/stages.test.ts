import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalSchedule, vuSteps, vusAt } from '../../src/engine/stages.ts';

test('vuSteps follows k6: one step per VU, evenly spread over the stage', () => {
  const steps = vuSteps(0, [{ durationMs: 10_000, target: 10 }]);
  assert.equal(steps.length, 11);
  assert.deepEqual(steps[1], { atMs: 1000, vus: 1 });
  assert.deepEqual(steps[10], { atMs: 10_000, vus: 10 });
  const down = vuSteps(4, [{ durationMs: 4000, target: 0 }]);
  assert.deepEqual(
    down.map((s) => [s.atMs, s.vus]),
    [
      [0, 4],
      [1000, 3],
      [2000, 2],
      [3000, 1],
      [4000, 0],
    ],
  );
});

test('vusAt agrees with vuSteps at every step', () => {
  const stages = [
    { durationMs: 3000, target: 7 },
    { durationMs: 2000, target: 7 },
    { durationMs: 1000, target: 2 },
    { durationMs: 0, target: 5 },
    { durationMs: 1000, target: 5 },
  ];
  const steps = vuSteps(1, stages);
  // several steps at the same time (a zero-length stage): the last one holds
  const last = steps.filter((s, i) => steps[i + 1]?.atMs !== s.atMs);
  for (const s of last) if (s.atMs < 7000) assert.equal(vusAt(1, stages, s.atMs + 1e-6), s.vus, `at ${s.atMs}`);
});

test('a constant arrival rate spaces arrivals evenly and counts them exactly', () => {
  const s = new ArrivalSchedule(10 / 1000, [{ durationMs: 1000, ratePerMs: 10 / 1000 }]);
  const times: number[] = [];
  for (let k = 0; ; k++) {
    const t = s.timeOf(k);
    if (t === undefined) break;
    times.push(t);
  }
  assert.equal(times.length, 10);
  for (let k = 0; k < 10; k++) assert.ok(Math.abs((times[k] as number) - k * 100) < 1e-9);
});

test('a ramping arrival rate has the integral of its rate as arrivals', () => {
  // 0 → 20/s over 1 s (10 arrivals), then 20/s for 1 s (20 arrivals)
  const s = new ArrivalSchedule(0, [
    { durationMs: 1000, ratePerMs: 0.02 },
    { durationMs: 1000, ratePerMs: 0.02 },
  ]);
  let n = 0;
  let prev = -1;
  for (let k = 0; ; k++) {
    const t = s.timeOf(k);
    if (t === undefined) break;
    assert.ok(t >= prev, 'arrival times never go back');
    prev = t;
    n++;
  }
  assert.equal(n, 30);
  // cumulative at t is 0.01·t² (ms) during the ramp: arrival 4 at sqrt(400) = 200 ms... in seconds: N(t)=10t² → t=sqrt(k/10)
  assert.ok(Math.abs((s.timeOf(4) as number) - 632.4555) < 0.01);
  assert.ok(Math.abs((s.timeOf(10) as number) - 1000) < 1e-6);
});

test('zero-rate stages produce no arrivals', () => {
  const s = new ArrivalSchedule(0, [
    { durationMs: 1000, ratePerMs: 0 },
    { durationMs: 1000, ratePerMs: 0.005 },
  ]);
  assert.equal(s.timeOf(0), 1000);
  assert.equal(s.total, 2.5);
});
