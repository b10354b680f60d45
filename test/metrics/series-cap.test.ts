/**
 * Series at scale and past the cap: end-of-run aggregation over 50,000 series with exact counts (it must
 * simply finish: submetric queries go through the tag index, not over every series per name), the sample
 * store's and the controller's caps folding into overflow series without losing a sample, and the bounded
 * interning of tag sets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MetricRegistry } from '../../src/metrics/metric.ts';
import { RunMetrics } from '../../src/metrics/run-metrics.ts';
import { SampleStore } from '../../src/metrics/sample-store.ts';
import { OVERFLOW_TAG } from '../../src/metrics/series-cap.ts';
import { setTagSetLimit, TagSet, type TagEntries } from '../../src/metrics/tags.ts';
import { ThresholdEvaluator } from '../../src/metrics/thresholds/evaluate.ts';
import { parseExpression, parseKey } from '../../src/metrics/thresholds/parse.ts';
import { buildSummary, MAX_LISTED_ENDPOINTS } from '../../src/report/summary-json.ts';
import type { RunMeta, RunOutcome } from '../../src/types/run-outcome.ts';

function http(reg: MetricRegistry) {
  return {
    reqs: reg.define('http_reqs', 'counter'),
    duration: reg.define('http_req_duration', 'trend', 'time'),
    waiting: reg.define('http_req_waiting', 'trend', 'time'),
    failed: reg.define('http_req_failed', 'rate'),
    checks: reg.define('checks', 'rate'),
  };
}

const outcomeOf = (metrics: RunMetrics): RunOutcome => ({
  meta: { durationMs: 10_000 } as RunMeta,
  metrics,
  thresholds: [],
  errors: [],
  timeseries: [],
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(95)'],
});

test('50,000 series: summary.json counts are exact, endpoints listed up to the cap and the rest counted', () => {
  const reg = new MetricRegistry();
  const M = http(reg);
  const store = new SampleStore();
  const names = 10_000;
  const base = TagSet.of({ scenario: 'api' });
  let requests = 0;
  let failures = 0;
  let status500 = 0;
  let passes = 0;
  for (let i = 0; i < names; i++) {
    const bad = i % 10 === 0;
    const tags = base
      .with('method', i % 2 === 0 ? 'GET' : 'POST')
      .with('name', `/api/items/${i}`)
      .with('status', bad ? '500' : '200')
      .with('expected_response', bad ? 'false' : 'true');
    const n = 1 + (i % 3);
    for (let k = 0; k < n; k++) {
      store.add(M.reqs, tags, 1);
      store.add(M.duration, tags, 1 + (i % 100));
      store.add(M.waiting, tags, 1);
      store.add(M.failed, tags, bad ? 1 : 0);
    }
    requests += n;
    if (bad) {
      failures += n;
      status500 += n;
    }
    store.add(M.checks, base.with('check', `item ${i} ok`), bad ? 0 : 1);
    if (!bad) passes++;
  }
  assert.equal(store.seriesCount, 50_000);
  const metrics = new RunMetrics();
  metrics.ingest(store.flush());
  assert.equal(metrics.seriesStats().count, 50_000);

  const s = buildSummary(outcomeOf(metrics));
  assert.equal(s.metrics.http_reqs?.values.count, requests);
  assert.equal(s.metrics.http_req_duration?.values.count, requests);
  assert.equal(s.metrics.http_req_failed?.values.passes, failures);
  assert.equal(s.metrics['http_req_duration{expected_response:true}']?.values.count, requests - failures);
  assert.equal(metrics.query('http_req_duration', [['status', '500']])?.count, status500);
  assert.equal(metrics.query('http_req_duration', [['status', '500'], ['method', 'POST']])?.count, 0, 'ids divisible by 10 are GETs');
  assert.equal(s.agentload.endpoints.length, MAX_LISTED_ENDPOINTS);
  assert.equal(s.agentload.endpointsNotListed?.endpoints, names - MAX_LISTED_ENDPOINTS);
  const listed = s.agentload.endpoints.reduce((n, e) => n + e.count, 0);
  assert.equal(listed + (s.agentload.endpointsNotListed?.requests ?? 0), requests);
  assert.equal(s.agentload.endpoints[0]?.count, 3, 'busiest first');
  const failedListed = s.agentload.endpoints.filter((e) => e.failed > 0);
  for (const e of failedListed) assert.equal(e.failed, e.count);
  assert.equal(s.root_group.checks.length, names);
  assert.equal(s.root_group.checks.reduce((n, c) => n + c.passes, 0), passes);
  assert.equal(s.root_group.checks.reduce((n, c) => n + c.fails, 0), names - passes);
  assert.deepEqual(s.agentload.series, { count: 50_000, limit: null, foldedSamples: 0 });

  const ev = new ThresholdEvaluator([{ key: parseKey('http_reqs{name:/api/items/4244}'), expr: parseExpression('count==3'), abortOnFail: false, delayAbortEvalMs: 0 }], () => 'counter');
  assert.deepEqual(ev.evaluate(metrics, 10).map((r) => [r.ok, r.value]), [[true, 3]]);
});

test('the sample store: past maxSeries, samples fold into overflow series keeping only low-cardinality tags; none is lost', () => {
  const reg = new MetricRegistry();
  const M = http(reg);
  const store = new SampleStore();
  store.maxSeries = 10;
  let warned = 0;
  store.onLimit = (max) => {
    warned++;
    assert.equal(max, 10);
  };
  const base = TagSet.of({ scenario: 'api', method: 'GET', status: '200', expected_response: 'true' });
  for (let i = 0; i < 100; i++) {
    const tags = base.with('name', `n${i}`).with('url', `http://h/x/${i}`).with('user_id', String(i));
    store.add(M.reqs, tags, 1);
    store.add(M.duration, tags, i);
    store.add(M.reqs, tags, 1);
  }
  assert.equal(warned, 1, 'warned once');
  assert.equal(store.seriesCount, 10);
  const batch = store.flush();
  const metrics = new RunMetrics();
  metrics.ingest(batch);
  assert.equal(metrics.get('http_reqs')?.total.sum, 200);
  assert.equal(metrics.get('http_req_duration')?.total.count, 100);
  assert.equal(metrics.get('http_req_duration')?.total.max, 99);
  const overflow = batch.filter((s) => s.tags.some(([k]) => k === OVERFLOW_TAG));
  assert.deepEqual(
    overflow.map((s) => [s.metric.name, s.tags]).sort(),
    [
      ['http_req_duration', [['expected_response', 'true'], ['method', 'GET'], [OVERFLOW_TAG, 'true'], ['scenario', 'api'], ['status', '200']]],
      ['http_reqs', [['expected_response', 'true'], ['method', 'GET'], [OVERFLOW_TAG, 'true'], ['scenario', 'api'], ['status', '200']]],
    ].sort(),
  );
  // the first 10 series (5 tag sets × 2 metrics) kept their tags; the other 95 tag sets were folded
  assert.equal(metrics.query('http_reqs', [['status', '200']])?.sum, 200, 'selected by a kept tag, folded samples included');
  assert.equal(metrics.tagValues('http_reqs', 'name').length, 5);
  assert.equal(metrics.seriesStats().foldedSamples, 95 * 3);
});

test('the controller: past maxSeries, new tag sets fold into overflow series; warned once; totals exact', () => {
  const metrics = new RunMetrics({ maxSeries: 5 });
  const warnings: number[] = [];
  metrics.onLimit = (max) => warnings.push(max);
  const info = { name: 'x_reqs', type: 'counter' as const, contains: 'default' as const };
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 20; i++) metrics.record(info, TagSet.of({ scenario: 's', expected_response: i % 2 === 0 ? 'true' : 'false', id: String(i) }), 1);
  }
  assert.deepEqual(warnings, [5]);
  assert.equal(metrics.get('x_reqs')?.total.sum, 60);
  const stats = metrics.seriesStats();
  assert.equal(stats.limit, 5);
  assert.equal(stats.count, 5 + 2, 'five series and one overflow series per expected_response');
  assert.equal(stats.foldedSamples, 15 * 3);
  assert.equal(metrics.query('x_reqs', [['expected_response', 'true']])?.sum, 30);
  assert.equal(metrics.query('x_reqs', [['id', '3']])?.sum, 3, 'a kept series');
  assert.equal(metrics.query('x_reqs', [['id', '7']])?.sum, 0, 'a folded one');
});

test('tag sets past the interning limit are not kept, and their samples are folded', () => {
  const reg = new MetricRegistry();
  const c = reg.define('c', 'counter');
  const store = new SampleStore();
  const base = TagSet.of({ scenario: 'interning' });
  setTagSetLimit(0);
  try {
    const a = base.with('id', 'a');
    assert.equal(a.pooled, false);
    assert.notEqual(base.with('id', 'a'), a, 'built again, not cached');
    store.add(c, a, 1);
    store.add(c, base.with('id', 'a'), 1);
    const batch = store.flush();
    assert.equal(batch.length, 1);
    assert.deepEqual(batch[0]?.tags, [[OVERFLOW_TAG, 'true'], ['scenario', 'interning']]);
    assert.equal(batch[0]?.acc.sum, 2);
    assert.equal(store.seriesCount, 0);
  } finally {
    setTagSetLimit(Infinity);
  }
  assert.equal(base.with('id', 'b').pooled, true);
});

test('a submetric query through the tag index matches a scan of every series', () => {
  const tag = fc.constantFrom('a', 'b', 'c', 'd');
  const value = fc.constantFrom('1', '2', '3');
  const entries = fc.uniqueArray(fc.tuple(tag, value), { selector: (e) => e[0], maxLength: 4 });
  fc.assert(
    fc.property(fc.array(fc.tuple(entries, fc.integer({ min: 1, max: 5 })), { maxLength: 40 }), entries, (series, selector) => {
      const m = new RunMetrics();
      const info = { name: 'q', type: 'counter' as const, contains: 'default' as const };
      for (const [tags, v] of series) m.record(info, TagSet.of(tags as TagEntries), v);
      let expected = 0;
      for (const s of m.get('q')?.series.values() ?? []) if (s.tags.matches(selector)) expected += s.acc.sum;
      assert.equal(m.query('q', selector)?.sum ?? 0, expected);
      const scanned = new Set<string>();
      for (const s of m.get('q')?.series.values() ?? []) if (s.tags.get('a') !== undefined) scanned.add(s.tags.get('a') as string);
      assert.deepEqual(m.tagValues('q', 'a'), [...scanned].sort());
    }),
  );
});
