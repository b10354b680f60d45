/** resolvePlan: profiles, time scale, option validation (plain data, no worker threads). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan } from '../../src/config/resolve.ts';
import type { TestDefinition } from '../../src/config/definition.ts';
import type { RampingVusPlan } from '../../src/engine/plan.ts';

const exec = (): void => undefined;

test('--profile smoke gives every scenario at least 1 VU from the start, whatever its weight', () => {
  const def: TestDefinition = {
    scenarios: {
      big: { executor: 'constant-vus', vus: 1, duration: '1m', weight: 3, exec },
      small: { executor: 'constant-vus', vus: 1, duration: '1m', weight: 1, exec },
    },
  };
  const { plan, errors } = resolvePlan(def, { profile: 'smoke' }, 't');
  assert.deepEqual(errors, []);
  const byName = Object.fromEntries(plan.scenarios.map((s) => [s.name, s as RampingVusPlan]));
  assert.equal(byName.small?.startVUs, 1, 'a weight-1-of-4 scenario starts with 1 VU, not 0');
  assert.equal(byName.big?.startVUs, 1);
  assert.deepEqual(byName.small?.stages.map((s) => s.target), [1]);
  // a profile that starts from 0 still starts every scenario from 0
  const load = resolvePlan(def, { profile: 'load' }, 't').plan.scenarios.map((s) => (s as RampingVusPlan).startVUs);
  assert.deepEqual(load, [0, 0]);
});

test('--time-scale compresses delayAbortEval with the other durations of the run', () => {
  const def: TestDefinition = {
    scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '20m', gracefulStop: '40s', exec } },
    thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10m' }] },
  };
  const { plan, errors } = resolvePlan(def, { timeScale: 20 }, 't');
  assert.deepEqual(errors, []);
  assert.equal(plan.thresholds[0]?.delayAbortEvalMs, 30_000);
  const s = plan.scenarios[0];
  assert.equal(s?.executor === 'constant-vus' ? s.durationMs : 0, 60_000);
  assert.equal(s?.gracefulStopMs, 2000);
});

test('summaryTrendStats: unknown entries are rejected, quoted; k6 names and p(N) are accepted', () => {
  const base: TestDefinition = { exec, vus: 1, iterations: 1 };
  const good = resolvePlan({ ...base, summaryTrendStats: ['avg', 'min', 'med', 'max', 'count', 'p(95)', 'p(99.9)', 'p(0)', 'p(100)'] }, {}, 't');
  assert.deepEqual(good.errors, []);
  assert.deepEqual(good.plan.summaryTrendStats, ['avg', 'min', 'med', 'max', 'count', 'p(95)', 'p(99.9)', 'p(0)', 'p(100)']);
  const bad = resolvePlan({ ...base, summaryTrendStats: ['avg', 'p95', 'mean', 'p(101)'] }, {}, 't');
  assert.deepEqual(bad.errors, [
    'summaryTrendStats: unknown statistic "p95" (write "p(95)"); use avg, min, med, max, count or p(N) with 0 <= N <= 100',
    'summaryTrendStats: unknown statistic "mean"; use avg, min, med, max, count or p(N) with 0 <= N <= 100',
    'summaryTrendStats: unknown statistic "p(101)"; use avg, min, med, max, count or p(N) with 0 <= N <= 100',
  ]);
});

test('a base URL that is not an absolute http(s) URL is a configuration error naming where it came from', () => {
  const def: TestDefinition = { exec, vus: 1, iterations: 1 };
  assert.deepEqual(resolvePlan(def, { baseUrl: 'notaurl' }, 't').errors, ['--base-url "notaurl": expected an absolute http:// or https:// URL, like http://127.0.0.1:8088']);
  assert.deepEqual(resolvePlan(def, { baseUrl: 'ftp://host' }, 't').errors, ['--base-url "ftp://host": unsupported protocol "ftp:": expected http:// or https://']);
  assert.deepEqual(resolvePlan({ ...def, http: { baseUrl: '127.0.0.1:8088' } }, {}, 't').errors.length, 1);
  assert.match(resolvePlan({ ...def, http: { baseUrl: 'localhost' } }, {}, 't').errors[0] ?? '', /^http\.baseUrl "localhost": /);
  const ok = resolvePlan(def, { baseUrl: 'http://127.0.0.1:8088/api/' }, 't');
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.plan.http.baseUrl, 'http://127.0.0.1:8088/api');
});

test('fixedLoad: --profile is refused with the reason, or left out under --suite all', () => {
  const def: TestDefinition = {
    fixedLoad: 'runs 100 inserts',
    scenarios: { inserts: { executor: 'shared-iterations', vus: 2, iterations: 100, exec: () => undefined } },
  };
  const refused = resolvePlan(def, { profile: 'stress' }, 't');
  assert.deepEqual(refused.errors, ['--profile "stress" does not apply to this test: runs 100 inserts']);
  const asWritten = resolvePlan(def, { profile: 'stress', profileWhereItApplies: true }, 't');
  assert.deepEqual(asWritten.errors, []);
  assert.equal(asWritten.plan.profile, null);
  assert.equal(asWritten.plan.scenarios[0]?.executor, 'shared-iterations');
  const other = resolvePlan({ scenarios: def.scenarios }, { profile: 'stress', profileWhereItApplies: true }, 't');
  assert.equal(other.plan.profile, 'stress');
  assert.equal(other.plan.scenarios[0]?.executor, 'ramping-vus');
});

test('a duration that --time-scale stretches past the longest timer is refused by name, with the scale (a Node timer would fire at once)', () => {
  const def: TestDefinition = {
    scenarios: {
      s: { executor: 'ramping-vus', stages: [{ duration: '400h', target: 1 }], gracefulRampDown: '300h', gracefulStop: '10s', exec },
    },
    thresholds: { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '500h' }] },
  };
  assert.deepEqual(resolvePlan(def, { timeScale: 1 }, 't').errors, []);
  const { errors } = resolvePlan(def, { timeScale: 0.5 }, 't');
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.match(errors.join('\n'), /scenarios\.s\.stages\[0\]\.duration: "400h" at --time-scale 0\.5 lasts 800h0m0s, longer than 596h31m23\.6s/);
  assert.match(errors.join('\n'), /scenarios\.s\.gracefulRampDown: "300h" at --time-scale 0\.5 lasts 600h0m0s, longer than/);
  assert.match(errors.join('\n'), /thresholds\.http_req_failed\[0\]\.delayAbortEval: "500h" at --time-scale 0\.5 lasts 1000h0m0s, longer than/);
});
