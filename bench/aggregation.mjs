// End-of-run aggregation cost by number of series (no load, no network): builds a run's metrics as the
// controller holds them (HTTP requests under N distinct `name` tags, nine metrics each), then times
// summary.json, series.json, the HTML report's breakdowns and the history's submetrics over it.
// Usage: node scripts/build.mjs && node bench/aggregation.mjs [names=2222]
import { performance } from 'node:perf_hooks';
import { RunMetrics } from '../dist/metrics/run-metrics.js';
import { TagSet } from '../dist/metrics/tags.js';
import { buildSummary } from '../dist/report/summary-json.js';
import { seriesFile } from '../dist/outputs/results-folder.js';
import { errorBreakdown } from '../dist/report/html/breakdowns.js';
import { submetricsOf } from '../dist/baseline/run-record.js';

const names = Number(process.argv[2] ?? 2222);
const info = (name, type, contains = 'default') => ({ name, type, contains });
const http = [
  info('http_reqs', 'counter'),
  info('http_req_duration', 'trend', 'time'),
  info('http_req_blocked', 'trend', 'time'),
  info('http_req_connecting', 'trend', 'time'),
  info('http_req_tls_handshaking', 'trend', 'time'),
  info('http_req_sending', 'trend', 'time'),
  info('http_req_waiting', 'trend', 'time'),
  info('http_req_receiving', 'trend', 'time'),
  info('http_req_failed', 'rate'),
];
const metrics = new RunMetrics();
let t = performance.now();
const base = TagSet.of({ scenario: 'default', method: 'GET', status: '200', expected_response: 'true' });
for (let i = 0; i < names; i++) {
  const tags = base.with('name', `http://127.0.0.1:8080/ok?id=${i}`).with('url', `http://127.0.0.1:8080/ok?id=${i}`);
  for (const m of http) metrics.record(m, tags, m.name === 'http_req_failed' ? 0 : m.name === 'http_reqs' ? 1 : 1 + (i % 50), 1);
}
const ingestMs = performance.now() - t;
const series = [...metrics.metrics.values()].reduce((n, m) => n + m.series.size, 0);
const outcome = {
  meta: { durationMs: 20_000 },
  metrics,
  thresholds: [],
  errors: [],
  timeseries: [],
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
};
const time = (label, fn) => {
  const t0 = performance.now();
  const r = fn();
  console.log(`${label.padEnd(28)} ${(performance.now() - t0).toFixed(0).padStart(8)} ms`);
  return r;
};
console.log(`${names} names, ${series} series (ingest ${ingestMs.toFixed(0)} ms)`);
const summary = time('summary.json (buildSummary)', () => buildSummary(outcome));
time('series.json (seriesFile)', () => JSON.stringify(seriesFile(metrics)).length);
time('report breakdowns', () => errorBreakdown(metrics));
time('history submetrics', () => submetricsOf(metrics, 20, outcome.summaryTrendStats));
console.log(`endpoints: ${summary.agentload.endpoints.length}, requests: ${summary.agentload.endpoints.reduce((n, e) => n + e.count, 0)}`);
