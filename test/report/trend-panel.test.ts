/**
 * The report's trend panel: trend data in, the table rows, chart columns and
 * comparison line out (pure functions); and the trend of a run read from a
 * history (an in-memory SQLite store): the last N runs of the same test and
 * environment, up to and including the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryStore } from '../../src/baseline/history-store.ts';
import { summaryMetrics } from '../../src/baseline/run-record.ts';
import { renderHtmlReport, type HtmlReportData } from '../../src/report/html/render-html-report.ts';
import { trendCharts, trendComparison, type RunTrend, type RunTrendPoint } from '../../src/report/html/trend-panel.ts';
import { runTrend } from '../../src/cli/commands/report.ts';
import type { RunMeta } from '../../src/types/run-outcome.ts';
import { EVIL, sampleRun } from './sample-run.ts';

const point = (runId: number, time: string, p95: number | null, p99: number | null, errorRate: number | null, rps: number | null, verdict: string): RunTrendPoint => ({
  runId,
  time,
  p95,
  p99,
  errorRate,
  rps,
  verdict,
  profile: 'load',
  gitCommit: `abcdef12${runId}`,
});

const TREND: RunTrend = {
  test: 'api',
  environment: 'staging',
  currentRunId: 7,
  points: [
    point(3, '2026-11-20T09:00:00.000Z', 100, 150, 0.001, 50, 'passed'),
    point(5, '2026-11-21T09:00:00.000Z', 120, 180, 0.002, 48.5, 'regression'),
    point(6, '2026-11-22T09:00:00.000Z', 110, null, 0, 51, 'interrupted'),
    point(7, '2026-11-23T14:25:01.000Z', 132, 1250, 0.0331, 46.25, 'thresholds-failed'),
  ],
};

function embeddedData(html: string): HtmlReportData {
  const m = /<script type="application\/json" id="agentload-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the report embeds its data');
  return JSON.parse(m[1] as string) as HtmlReportData;
}

/** The trend table's rows as arrays of cell texts (tags stripped). */
function trendRows(html: string): string[][] {
  const table = /<table class="trend">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html);
  assert.ok(table, 'the trend table is there');
  return [...(table[1] as string).matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...(r[1] as string).matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => (c[1] as string).replace(/<[^>]+>/g, '')));
}

test('trend panel: one row per run, newest first, values formatted, the current run marked', () => {
  const run = sampleRun();
  const html = renderHtmlReport(run.summary, run.timeseries, { trend: TREND });
  assert.match(html, /<section id="trend" class="card"><h2>Trend<\/h2>/);
  assert.match(html, /<a href="#trend">Trend<\/a>/);
  assert.deepEqual(trendRows(html), [
    ['#7 this run', '2026-11-23 14:25:01', 'load', 'abcdef12', '132.00ms', '1.25s', '3.31%', '46.25/s', 'Thresholds failed'],
    ['#6', '2026-11-22 09:00:00', 'load', 'abcdef12', '110.00ms', '-', '0.00%', '51/s', 'Interrupted'],
    ['#5', '2026-11-21 09:00:00', 'load', 'abcdef12', '120.00ms', '180.00ms', '0.20%', '48.50/s', 'Regression'],
    ['#3', '2026-11-20 09:00:00', 'load', 'abcdef12', '100.00ms', '150.00ms', '0.10%', '50/s', 'Passed'],
  ]);
  // the current run's row is marked, its cells carry sortable numbers, verdicts their colour class
  assert.match(html, /<tr class="current" aria-current="true"><td>#7 <span class="badge">this run<\/span><\/td>/);
  assert.match(html, /<td class="num" data-v="132">132\.00ms<\/td><td class="num" data-v="1250">1\.25s<\/td><td class="num" data-v="0\.0331">3\.31%<\/td>/);
  assert.match(html, /<td class="verdict-cell bad">Thresholds failed<\/td>/);
  assert.match(html, /<td class="verdict-cell warn">Interrupted<\/td>/);
  assert.match(html, /<td class="verdict-cell ok">Passed<\/td>/);
  assert.equal((html.match(/class="current"/g) ?? []).length, 1);
  assert.match(html, /The last 4 runs of <code>api<\/code> in environment <code>staging<\/code>/);
  // this run against the median of the three before it: p95 132 vs 110, p99 1250 vs 165, errors 3.31% vs 0.10%, 46.25/s vs 50/s
  assert.match(html, /This run against the median of the runs before it: p95 \+20\.0% · p99 \+657\.6% · error rate \+3\.21 pp · requests\/s −7\.5%<\/p>/);
  // trend panel comes right after "Over time"
  assert.ok(html.indexOf('<section id="overview"') < html.indexOf('<section id="trend"'));
  assert.ok(html.indexOf('<section id="trend"') < html.indexOf('<section id="endpoints"'));
});

test('trend charts: one x per run labelled #id, the current run as marker, error rate in %, empty charts left out', () => {
  const run = sampleRun();
  const data = embeddedData(renderHtmlReport(run.summary, run.timeseries, { trend: TREND }));
  const trend = data.charts.filter((c) => c.panel === 'trend');
  assert.deepEqual(
    trend.map((c) => [c.id, c.kind, c.unit]),
    [
      ['trend-latency', 'runs', 'ms'],
      ['trend-errors', 'runs', '%'],
      ['trend-rps', 'runs', '/s'],
    ],
  );
  for (const c of trend) {
    assert.deepEqual(c.x, [0, 1, 2, 3]);
    assert.deepEqual(c.xLabels, ['#3', '#5', '#6', '#7']);
    assert.equal(c.marker, 3);
  }
  const [latency, errors, rps] = trend;
  assert.equal(latency?.title, 'http_req_duration over runs');
  assert.deepEqual(latency?.series.map((s) => [s.label, s.values]), [
    ['p95', [100, 120, 110, 132]],
    ['p99', [150, 180, null, 1250]],
  ]);
  assert.deepEqual(errors?.series[0]?.values, [0.1, 0.2, 0, 3.31]);
  assert.deepEqual(rps?.series[0]?.values, [50, 48.5, 51, 46.25]);
  // a trend of runs without HTTP requests: no error-rate or throughput chart, latency of the metric named
  const llm: RunTrend = { ...TREND, latencyMetric: 'llm_e2e', points: TREND.points.map((p) => ({ ...p, errorRate: null, rps: null })) };
  assert.deepEqual(trendCharts(llm).map((c) => [c.id, c.title]), [['trend-latency', 'llm_e2e over runs']]);
});

test('no trend panel with fewer than two runs, nor without a trend', () => {
  const run = sampleRun();
  const plain = renderHtmlReport(run.summary, run.timeseries);
  const one = renderHtmlReport(run.summary, run.timeseries, { trend: { ...TREND, points: TREND.points.slice(3) } });
  assert.equal(one, plain);
  assert.doesNotMatch(plain, /id="trend"|href="#trend"|trend-latency/);
  const two = renderHtmlReport(run.summary, run.timeseries, { trend: { ...TREND, points: TREND.points.slice(2) } });
  assert.equal(trendRows(two).length, 2);
});

test('the comparison line: relative for latency and throughput, percentage points for errors, nothing before the first run', () => {
  assert.deepEqual(trendComparison({ ...TREND, points: TREND.points.slice(0, 2), currentRunId: 5 }), ['p95 +20.0%', 'p99 +20.0%', 'error rate +0.10 pp', 'requests/s −3.0%']);
  assert.deepEqual(trendComparison({ ...TREND, currentRunId: 3 }), []);
  const same = trendComparison({ ...TREND, points: [TREND.points[0] as RunTrendPoint, { ...(TREND.points[0] as RunTrendPoint), runId: 4 }], currentRunId: 4 });
  assert.deepEqual(same, ['p95 ±0.0%', 'p99 ±0.0%', 'error rate ±0.00 pp', 'requests/s ±0.0%']);
});

test('every string of the trend is escaped', () => {
  const run = sampleRun();
  const evil: RunTrend = {
    test: `api${EVIL}`,
    environment: EVIL,
    currentRunId: 2,
    points: [
      { ...point(1, '2026-11-20T09:00:00.000Z', 1, 2, 0, 1, EVIL), profile: EVIL, gitCommit: EVIL },
      { ...point(2, `<b>${EVIL}`, 1, 2, 0, 1, 'passed'), profile: EVIL },
    ],
  };
  const html = renderHtmlReport(run.summary, run.timeseries, { trend: evil });
  const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
  assert.doesNotMatch(markup, /<script>window|<img/);
  assert.match(markup, /<td>&lt;b&gt;&lt;script&gt;window\._<\/td>/, 'a start time is cut to 19 characters, escaped');
  assert.match(markup, /<code>api&lt;script&gt;window\.__pwned=1&lt;\/script&gt;/);
  assert.match(markup, /<td class="verdict-cell bad">&lt;script&gt;/);
  assert.match(markup, /<td><code>&lt;script&gt;<\/code><\/td>/, 'a commit is cut to 8 characters, escaped');
  // the chart data is JSON that cannot close its element
  const block = /<script type="application\/json" id="agentload-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  assert.doesNotMatch(block, /</);
});

// ---------------------------------------------------------------------------
// the trend of a run, from the history

function meta(over: Partial<RunMeta>): RunMeta {
  return { ...sampleRun({ status: 'passed' }).summary.agentload.meta, ...over };
}

test('runTrend: the last N runs of the same test and environment, up to and including the run', () => {
  const base = sampleRun({ status: 'passed' });
  const metrics = summaryMetrics(base.summary);
  const store = HistoryStore.open(':memory:');
  try {
    const rec = (day: number, over: Partial<RunMeta> = {}, dir: string | null = null): number =>
      store.record({ meta: meta({ startedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`, ...over }), metrics, thresholds: [], resultsDir: dir });
    const ids = [rec(1), rec(2), rec(3, { environment: 'production' }), rec(4, { suite: 'websocket' }), rec(5, {}, '/r/five'), rec(6), rec(7)];
    store.setVerdict(ids[1] as number, 'api.staging', true);
    const five = { ...base.summary, agentload: { ...base.summary.agentload, meta: meta({ startedAt: '2026-11-05T10:00:00.000Z' }) } };
    const trend = runTrend(store, five, '/r/five');
    assert.ok(trend);
    assert.equal(trend.test, 'api');
    assert.equal(trend.environment, 'staging');
    assert.equal(trend.currentRunId, ids[4]);
    assert.equal(trend.latencyMetric, 'http_req_duration');
    // other environments and tests, and runs after this one, are left out; oldest first
    assert.deepEqual(trend.points.map((p) => p.runId), [ids[0], ids[1], ids[4]]);
    assert.deepEqual(trend.points.map((p) => p.verdict), ['passed', 'regression', 'passed']);
    const p = trend.points[2] as RunTrendPoint;
    const v = base.summary.metrics;
    assert.equal(p.p95, v.http_req_duration?.values['p(95)']);
    assert.equal(p.p99, v.http_req_duration?.values['p(99)']);
    assert.equal(p.errorRate, v.http_req_failed?.values.rate);
    assert.equal(p.rps, v.http_reqs?.values.rate);
    assert.equal(p.time, '2026-11-05T10:00:00.000Z');
    assert.equal(p.gitCommit, base.summary.agentload.meta.gitCommit);
    // found by its start time when the folder moved; limited to the newest N
    assert.deepEqual(runTrend(store, five, '/elsewhere', 2)?.points.map((x) => x.runId), [ids[1], ids[4]]);
    // a run the history does not have
    const unknown = { ...base.summary, agentload: { ...base.summary.agentload, meta: meta({ startedAt: '2027-01-01T00:00:00.000Z' }) } };
    assert.equal(runTrend(store, unknown), null);
  } finally {
    store.close();
  }
});

test('runTrend: two runs started at the same time are told apart by their results folder', () => {
  const base = sampleRun({ status: 'passed' });
  const metrics = summaryMetrics(base.summary);
  const store = HistoryStore.open(':memory:');
  try {
    const at = base.summary.agentload.meta.startedAt;
    const a = store.record({ meta: meta({ startedAt: at }), metrics, thresholds: [], resultsDir: '/r/a' });
    const b = store.record({ meta: meta({ startedAt: at }), metrics, thresholds: [], resultsDir: '/r/b' });
    assert.deepEqual(runTrend(store, base.summary, '/r/a')?.points.map((p) => p.runId), [a]);
    assert.deepEqual(runTrend(store, base.summary, '/r/b')?.points.map((p) => p.runId), [a, b]);
  } finally {
    store.close();
  }
});
