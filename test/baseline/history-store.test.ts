import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HISTORY_SCHEMA_VERSION, HistoryError, HistoryStore } from '../../src/baseline/history-store.ts';
import { baselineHistoryTable, historyListText, parseMetricSpec, sparkline, trendText } from '../../src/baseline/history-text.ts';
import type { TimePoint } from '../../src/metrics/timeseries.ts';
import { meta, run, trend } from './make-runs.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'agentload-history-'));

const points: TimePoint[] = [
  { t: 1740564001000, elapsed: 1, metrics: { http_reqs: { count: 150, value: 150 }, http_req_duration: { count: 150, value: 201.5, p50: 180, p95: 390.25, p99: 780, max: 900 } } },
  { t: 1740564002000, elapsed: 2, metrics: { http_reqs: { count: 149, value: 149 }, vus: { count: 1, value: 100, max: 100 } } },
];

test('a recorded run reads back equal: meta, metrics, thresholds, time series', () => {
  const path = join(tmp(), 'nested', 'history.db');
  const store = HistoryStore.open(path);
  const r = run({ p95: 320, p99: 700, errorRate: 0.003, rps: 120 });
  const thresholds = [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: true, value: 320, abortOnFail: false }];
  const id = store.record({ meta: r.meta ?? meta(), metrics: r.metrics, thresholds, timeseries: points, resultsDir: '/r/1', branch: 'main' });
  assert.equal(id, 1);
  store.close();
  const again = HistoryStore.open(path, { readonly: true });
  const back = again.get(id);
  assert.ok(back !== undefined);
  assert.deepEqual(back.meta, r.meta);
  assert.deepEqual(back.metrics, r.metrics);
  assert.deepEqual(back.thresholds, thresholds);
  assert.equal(back.source, 'history:1');
  assert.equal(back.resultsDir, '/r/1');
  assert.equal(back.branch, 'main');
  assert.equal(back.regression, null);
  assert.deepEqual(again.timeseries(id), points);
  assert.equal(again.get(99), undefined);
  again.close();
});

test('filters, newest first, limits, verdicts and trends', () => {
  const store = HistoryStore.open(join(tmp(), 'h.db'));
  const at = (i: number): string => new Date(Date.UTC(2025, 1, 1 + i)).toISOString();
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const env = i % 2 === 0 ? 'staging' : 'production';
    const r = run({ p95: 100 + i * 10 }, 'x', { startedAt: at(i), environment: env, status: i === 4 ? 'interrupted' : 'passed' });
    ids.push(store.record({ meta: r.meta ?? meta(), metrics: r.metrics, thresholds: [] }));
  }
  const other = run({ p95: 5 }, 'x', { suite: 'a2a', startedAt: at(10) });
  store.record({ meta: other.meta ?? meta(), metrics: other.metrics, thresholds: [] });
  assert.equal(store.count(), 7);
  assert.deepEqual(store.list({ test: 'api', environment: 'staging' }).map((r) => r.id), [5, 3, 1]);
  assert.deepEqual(store.list({ test: 'api', environment: 'staging', statuses: ['passed'] }).map((r) => r.id), [3, 1]);
  assert.deepEqual(store.list({ test: 'api', limit: 2 }).map((r) => r.id), [6, 5]);
  assert.deepEqual(store.list({ test: 'api', excludeIds: [6, 5], limit: 2 }).map((r) => r.id), [4, 3]);
  assert.deepEqual(store.list({ environment: null }).map((r) => r.id), []);
  store.setVerdict(6, 'api.production', true);
  assert.equal(store.get(6)?.regression, true);
  assert.equal(store.get(6)?.comparedWith, 'api.production');
  const t = store.trend('http_req_duration', 'p95', { test: 'api', environment: 'staging' });
  assert.deepEqual(t.map((p) => [p.id, p.value]), [[1, 100], [3, 120], [5, 140]]);
  store.close();
});

test('schema: versioned on creation, newer files and non-SQLite files are refused with the path named', () => {
  const dir = tmp();
  const path = join(dir, 'h.db');
  HistoryStore.open(path).close();
  const db = new Database(path);
  assert.equal(db.pragma('user_version', { simple: true }), HISTORY_SCHEMA_VERSION);
  db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => HistoryStore.open(path), (e: Error) => e instanceof HistoryError && e.message.startsWith(`${path}: history schema ${HISTORY_SCHEMA_VERSION + 1}`));
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not a database, just text that is long enough to look like a header......');
  assert.throws(() => HistoryStore.open(junk), (e: Error) => e instanceof HistoryError && e.message.startsWith(`${junk}: `));
  assert.throws(() => HistoryStore.open(join(dir, 'missing.db'), { readonly: true }), HistoryError);
});

test('text: sparkline, trend lines, run list and the Baseline History table', () => {
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5]), '▄▄');
  assert.equal(sparkline([]), '');
  assert.deepEqual(parseMetricSpec('http_req_duration{name:create_run}:p99'), { key: 'http_req_duration{name:create_run}', stat: 'p(99)' });
  assert.deepEqual(parseMetricSpec('http_req_duration{name:a:b}'), { key: 'http_req_duration{name:a:b}', stat: undefined });
  assert.deepEqual(parseMetricSpec('http_req_failed:rate'), { key: 'http_req_failed', stat: 'rate' });
  assert.throws(() => parseMetricSpec('http_req_duration:p1000'), /"http_req_duration:p1000": unknown statistic/);

  const store = HistoryStore.open(':memory:');
  const first = run(
    { p95: 320, errorRate: 0.003, extra: { ws_connecting: trend(780, 900), ws_msg_rtt: trend(65, 90), llm_e2e: trend(1850, 2500), vus: { type: 'gauge', contains: 'default', values: { value: 0, min: 0, max: 75 } } } },
    'x',
    { startedAt: '2025-02-26T10:00:00.000Z', environment: null },
  );
  store.record({ meta: first.meta ?? meta(), metrics: first.metrics, thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: true, value: 320, abortOnFail: false }] });
  const second = run({ p95: 640, errorRate: 0.02 }, 'x', { startedAt: '2025-03-01T10:00:00.000Z', status: 'thresholds-failed', exitCode: 99, gitCommit: null });
  const id2 = store.record({ meta: second.meta ?? meta(), metrics: second.metrics, thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<500', ok: false, value: 640, abortOnFail: false }] });
  store.setVerdict(id2, 'api.staging', true);
  const table = baselineHistoryTable(store.list());
  assert.equal(
    table,
    [
      '| Date | Test | Environment | Profile | API p95 | AI p95 | WS connection p95 | WS message p95 | Error rate | Connections | Commit | Result |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      '| 2025-02-26 | api | local | load | 320.00ms ✅ | 1.85s | 780.00ms | 65.00ms | 0.30% | 75 | abcdef12 | ✅ pass |',
      '| 2025-03-01 | api | staging | load | 640.00ms ❌ | - | - | - | 2.00% | - | - | ❌ thresholds-failed, regression |',
      '',
    ].join('\n'),
  );
  const list = historyListText(store.list());
  assert.match(list.split('\n')[1] ?? '', /^ {2}#2 +2025-03-01 10:00:00 +api +staging +load +10m0\.0s +thresholds-failed, regression +640\.00ms +2\.00% +- +-$/);
  const trendLines = trendText(store.trend('http_req_duration', 'p(95)'), 'http_req_duration p(95)', (v) => `${v}ms`);
  assert.match(trendLines, /http_req_duration p\(95\) {2}▁█/);
  assert.match(trendLines, /last 640ms {2}\(\+100\.0% over 2 runs\)/);
  store.close();
});
