// What one checkpoint of a run costs (the partial summary.json and timeseries.json written every few
// seconds while a test runs, see docs/results.md), for a run with many series and a long time series.
// Uses the build (dist/): the summary the CLI builds, and PartialResults as the CLI writes it.
//   node bench/checkpoint-cost.mjs [names=10000] [seconds=3600]
// Each name gets the series a real HTTP endpoint gets (7 timing trends, http_reqs, http_req_failed,
// iterations, ...); each second of the time series holds the metrics a real run records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const { RunMetrics } = await import(new URL('metrics/run-metrics.js', dist).href);
const { builtin } = await import(new URL('metrics/builtin.js', dist).href);
const { TagSet } = await import(new URL('metrics/tags.js', dist).href);
const { buildSummary } = await import(new URL('report/summary-json.js', dist).href);
const { PartialResults } = await import(new URL('outputs/results-folder.js', dist).href);
const { intervalPoint } = await import(new URL('metrics/timeseries.js', dist).href);

const names = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 3600);
const trends = ['http_req_duration', 'http_req_waiting', 'http_req_sending', 'http_req_receiving', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'iteration_duration'];
const counters = ['http_reqs', 'iterations', 'data_sent', 'data_received'];
const metrics = new RunMetrics();
const second = new RunMetrics();
for (let i = 0; i < names; i++) {
  const tags = TagSet.of({ name: `endpoint_${i}`, method: i % 2 ? 'GET' : 'POST', status: '200', scenario: 'main', expected_response: 'true', url: `http://127.0.0.1/e/${i}` });
  for (const m of i < 50 ? [metrics, second] : [metrics]) {
    for (let k = 0; k < 5; k++) for (const t of trends) m.record(builtin[t], tags, Math.random() * 100);
    for (const c of counters) m.record(builtin[c], tags, 1);
    m.record(builtin.http_req_failed, tags, 0);
    m.record(builtin.vus, TagSet.EMPTY, 10);
  }
}
let series = 0;
for (const m of metrics.metrics.values()) series += m.series.size;
const p = intervalPoint(second, Date.now(), 1);
const timeseries = Array.from({ length: seconds }, (_, i) => ({ ...p, t: p.t + i * 1000, elapsed: i + 1 }));
const now = new Date().toISOString();
const outcome = {
  meta: { tool: 'agentload', version: '0', name: 'bench', script: 'bench.ts', suite: null, profile: null, environment: null, target: null, startedAt: now, endedAt: now, durationMs: seconds * 1000, gitCommit: null, timeScale: 1, workers: 2, segment: '1/1', scenarios: [], status: 'passed', exitCode: 0, stopReason: null, envKeys: [] },
  metrics,
  thresholds: [],
  errors: [],
  timeseries,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
};
const dir = mkdtempSync(join(tmpdir(), 'agentload-bench-checkpoint-'));
const partial = new PartialResults(dir, [], (m) => console.error(m));
const runs = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const summary = buildSummary(outcome, undefined, { endpoints: false });
  const t1 = performance.now();
  partial.write(summary, timeseries);
  const t2 = performance.now();
  await partial.idle();
  runs.push({ summary: t1 - t0, serialize: t2 - t1, io: performance.now() - t2 });
}
rmSync(dir, { recursive: true, force: true });
// the first serializes every point; the next ones only the new points (one per second in a real run)
const later = runs.slice(1);
const med = (k) => later.map((r) => r[k]).sort((a, b) => a - b)[later.length >> 1].toFixed(1);
const size = (JSON.stringify(timeseries).length / 1e6).toFixed(1);
console.log(`${names} names, ${series} series, ${seconds} points (timeseries.json ${size} MB)`);
console.log(`  first checkpoint: main thread ${(runs[0].summary + runs[0].serialize).toFixed(1)} ms, I/O ${runs[0].io.toFixed(1)} ms`);
console.log(`  later (median of ${later.length}): main thread ${med('summary')} ms summary + ${med('serialize')} ms serialize; I/O off the main thread ${med('io')} ms`);
