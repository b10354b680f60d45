import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleStore } from '../../src/metrics/sample-store.ts';
import { MetricRegistry } from '../../src/metrics/metric.ts';
import { RunMetrics } from '../../src/metrics/run-metrics.ts';
import { TagSet } from '../../src/metrics/tags.ts';
import { ThresholdEvaluator } from '../../src/metrics/thresholds/evaluate.ts';
import { parseExpression, parseKey } from '../../src/metrics/thresholds/parse.ts';

function setup() {
  const reg = new MetricRegistry();
  const dur = reg.define('t_duration', 'trend', 'time');
  const failed = reg.define('t_failed', 'rate');
  const reqs = reg.define('t_reqs', 'counter');
  const store = new SampleStore();
  const base = TagSet.of({ scenario: 'api' });
  const create = base.with('name', 'create_run').with('method', 'POST');
  const list = base.with('name', 'list_runs').with('method', 'GET');
  for (let i = 1; i <= 100; i++) {
    store.add(dur, create, i * 10); // 10..1000
    store.add(failed, create, i % 10 === 0 ? 1 : 0);
    store.add(reqs, create, 1);
    store.add(dur, list, i); // 1..100
    store.add(failed, list, 0);
    store.add(reqs, list, 1);
  }
  const metrics = new RunMetrics();
  metrics.ingest(structuredClone(store.flush()));
  return metrics;
}

test('submetrics select series by tags; the whole metric merges all of them', () => {
  const m = setup();
  assert.equal(m.query('t_duration')?.count, 200);
  assert.equal(m.query('t_duration', [['name', 'create_run']])?.count, 100);
  assert.equal(m.query('t_duration', [['name', 'create_run']])?.max, 1000);
  assert.equal(m.query('t_duration', [['name', 'list_runs'], ['method', 'GET']])?.max, 100);
  assert.equal(m.query('t_duration', [['name', 'list_runs'], ['method', 'POST']])?.count, 0);
  assert.equal(m.query('t_duration', [['scenario', 'api']])?.count, 200);
  assert.equal(m.query('nope'), undefined);
  assert.deepEqual(m.tagValues('t_duration', 'name'), ['create_run', 'list_runs']);
});

test('thresholds evaluate over submetrics and report the measured value', () => {
  const m = setup();
  const spec = (key: string, expr: string, abortOnFail = false, delayAbortEvalMs = 0) => ({ key: parseKey(key), expr: parseExpression(expr), abortOnFail, delayAbortEvalMs });
  const ev = new ThresholdEvaluator(
    [
      spec('t_duration{name:list_runs}', 'max<=100'),
      spec('t_duration{name:create_run}', 'p(50)<400'),
      spec('t_failed{name:create_run}', 'rate<0.05', true, 10_000),
      spec('t_failed', 'rate<0.06'),
      spec('t_reqs', 'count==200'),
      spec('t_reqs', 'rate>=20'),
    ],
    (name) => m.get(name)?.info.type,
  );
  const r = ev.evaluate(m, 10);
  assert.deepEqual(
    r.map((x) => x.ok),
    [true, false, false, true, true, true],
  );
  assert.equal(r[0]?.value, 100);
  // k6's p(50) of 10, 20, …, 1000: rank 49.5, between 500 and 510
  assert.ok(Math.abs((r[1]?.value ?? 0) - 505) / 505 < 0.005, `p50 ${r[1]?.value}`);
  assert.equal(r[2]?.value, 0.1);
  assert.equal(r[3]?.value, 0.05);
  assert.equal(r[5]?.value, 20);
  assert.equal(ev.shouldAbort(r, 5_000), undefined, 'delayAbortEval holds the abort back');
  assert.equal(ev.shouldAbort(r, 10_000)?.key, 't_failed{name:create_run}');
});

test('a threshold on a metric without samples is evaluated on zero, as k6 does', () => {
  const m = new RunMetrics();
  m.declare({ name: 'x_reqs', type: 'counter', contains: 'default' });
  const ev = new ThresholdEvaluator([{ key: parseKey('x_reqs'), expr: parseExpression('count>0'), abortOnFail: false, delayAbortEvalMs: 0 }], () => 'counter');
  assert.deepEqual(ev.evaluate(m, 1).map((x) => [x.ok, x.value]), [[false, 0]]);
});
