/**
 * The HTML report as a string: self-contained, every user string escaped,
 * panels only for protocols the run used, breakdowns from series.json, and
 * the chart columns computed from the time series.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtmlReport, reportCharts, type HtmlReportData } from '../../src/report/html/render-html-report.ts';
import { errorBreakdown, metricsFromSeries, nines } from '../../src/report/html/breakdowns.ts';
import { timeCharts } from '../../src/report/html/time-charts.ts';
import { escapeHtml, jsonForScript } from '../../src/report/html/escape.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { TimePoint } from '../../src/metrics/timeseries.ts';
import { EVIL, sampleRun } from './sample-run.ts';

function embeddedData(html: string): HtmlReportData {
  const m = /<script type="application\/json" id="agentload-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the report embeds its data');
  return JSON.parse(m[1] as string) as HtmlReportData;
}

/** Text of the page outside the inlined scripts and styles. */
function markup(html: string): string {
  return html.replace(/<script>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
}

test('self-contained: uPlot and data inlined, nothing loaded from anywhere, CSP forbids the network', () => {
  const run = sampleRun({ protocols: true });
  const html = renderHtmlReport(run.summary, run.timeseries, { series: run.series });
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /uPlot/);
  assert.match(html, /\.uplot/, 'uPlot CSS inlined');
  assert.match(html, /default-src 'none'/);
  assert.match(html, /connect-src 'none'/);
  const m = markup(html);
  assert.doesNotMatch(m, /\s(src|href)="(?!#)/i, 'no external src/href');
  assert.doesNotMatch(m, /<link\b/i);
  assert.equal((html.match(/<script>/g) ?? []).length, 3, 'uPlot, charts, report scripts');
  // every inline script is allowed by its hash
  const csp = /content="([^"]*)"/.exec(html)?.[1] ?? '';
  assert.equal((csp.match(/'sha256-/g) ?? []).length, 3);
});

test('every user-provided string is escaped: no markup from the run survives', () => {
  const run = sampleRun({ protocols: true, evil: true });
  const html = renderHtmlReport(run.summary, run.timeseries, { series: run.series, footer: EVIL });
  const m = markup(html);
  assert.doesNotMatch(m, /<script>window/);
  assert.doesNotMatch(m, /<img/i);
  assert.doesNotMatch(m, /onerror="/);
  assert.match(m, /&lt;script&gt;window.__pwned=1&lt;\/script&gt;/);
  for (const where of ['id="endpoints"', 'id="checks"', 'id="errors"', 'class="card run"']) {
    const at = m.indexOf(where);
    assert.ok(at >= 0, where);
  }
  // the data block cannot be closed early by a string inside it
  const json = /<script type="application\/json" id="agentload-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  assert.doesNotMatch(json, /</);
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
  assert.equal(jsonForScript({ s: '</script>\u2028' }), '{"s":"\\u003c/script\\u003e\\u2028"}');
});

test('secrets given to the report are replaced, URL credentials hidden, scripts stay intact', () => {
  const run = sampleRun();
  const secret = 'tok-9f8e7d6c5b4a';
  const summary = { ...run.summary, agentload: { ...run.summary.agentload, meta: { ...run.summary.agentload.meta, target: `http://127.0.0.1:8088/?token=${secret}` } } };
  const html = renderHtmlReport(summary, run.timeseries, { secrets: [secret] });
  assert.ok(!html.includes(secret));
  assert.match(html, /token=\*\*\*/);
  const withUser = { ...run.summary, agentload: { ...run.summary.agentload, meta: { ...run.summary.agentload.meta, target: 'https://alice:hunter2hunter2@api.example/v1' } } };
  const shown = renderHtmlReport(withUser, run.timeseries);
  assert.ok(!shown.includes('hunter2') && !shown.includes('alice'));
  assert.ok(shown.includes('<dd>https://****:****@api.example/v1</dd>'), 'masked as k6 masks it');
  assert.ok(!renderMarkdown(withUser).includes('hunter2') && !renderJunit(withUser).includes('hunter2'));
  const plain = renderHtmlReport(run.summary, run.timeseries);
  const scripts = (h: string): string[] => [...h.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((x) => x[1] as string);
  assert.deepEqual(scripts(html), scripts(plain));
});

test('sections: header facts, verdict, thresholds with measured values, endpoints, checks, errors', () => {
  const run = sampleRun();
  const html = renderHtmlReport(run.summary, run.timeseries, { series: run.series });
  for (const fact of ['suites/api.ts', 'load', 'staging', 'http://127.0.0.1:8088', '0123456789abcdef0123456789abcdef01234567', '0.1.0', '5.00s']) assert.ok(html.includes(`<dd>${fact}</dd>`), fact);
  assert.match(html, /class="verdict bad"><span class="verdict-status">Thresholds failed<\/span>/);
  assert.match(html, /<td><code>http_req_failed<\/code><\/td><td><code>rate&lt;0.01<\/code><\/td><td>rate=\d+\.\d\d%<\/td>/);
  assert.match(html, /<tr class="bad"><td class="mark">✗<\/td><td><code>http_req_duration\{name:create_run\}<\/code><\/td><td><code>p\(95\)&lt;60<\/code><\/td><td>p\(95\)=[\d.]+ms<\/td><td>abortOnFail<\/td><\/tr>/);
  // endpoints: sortable, one row per name tag, counts as recorded
  assert.match(html, /<table class="sortable"><thead><tr><th data-sort="text"/);
  assert.match(html, /<tr><td>list_runs<\/td><td>GET<\/td><td class="num" data-v="101">101<\/td>/);
  assert.match(html, /<tr><td>create_run<\/td><td>POST<\/td><td class="num" data-v="50">50<\/td>/);
  // checks, nested by group
  assert.match(html, /█ runs/);
  assert.match(html, /█ details/);
  assert.match(html, /✗ status is 201<\/td><td class="num" data-v="55">55<\/td><td class="num" data-v="5">5<\/td>/);
  // errors by code (from series.json), then iteration errors
  assert.match(html, /<td><code>HTTP 500<\/code><\/td><td><code>http_reqs<\/code><\/td><td class="num" data-v="5">5<\/td>/);
  assert.match(html, /<td><code>ECONNREFUSED<\/code><\/td><td><code>http_reqs<\/code><\/td><td class="num" data-v="1">1<\/td>.*<td>list_runs<\/td><td>connection refused<\/td>/);
  assert.match(html, /Cannot read properties of undefined \(reading &#39;id&#39;\)<\/td><td>api<\/td><td><code>suites\/api.ts:42:17<\/code><\/td><td class="num" data-v="3">3<\/td>/);
  // HTTP timing breakdown
  assert.match(html, /<h3>Timing breakdown<\/h3><div class="phasebar">/);
});

test('protocol panels appear only for protocols the run used', () => {
  const plain = sampleRun();
  const h1 = renderHtmlReport(plain.summary, plain.timeseries, { series: plain.series });
  for (const id of ['ws', 'llm', 'a2a']) assert.ok(!h1.includes(`<section id="${id}"`), `no ${id} panel`);
  assert.ok(h1.includes('<section id="http"'));
  const full = sampleRun({ protocols: true });
  const h2 = renderHtmlReport(full.summary, full.timeseries, { series: full.series });
  for (const id of ['ws', 'llm', 'a2a', 'http']) assert.ok(h2.includes(`<section id="${id}"`), `${id} panel`);
  // A2A task states from the a2a_tasks state tag: 3 failed (seconds 0, 2, 4), 12 completed
  assert.match(h2, /<tr><td>completed<\/td><td class="num" data-v="12">12<\/td>/);
  assert.match(h2, /<tr><td>failed<\/td><td class="num" data-v="3">3<\/td>/);
  // LLM: cost tiles (20 requests × $0.0012), TTFT/ITL distributions and tokens/s over time
  assert.match(h2, /\$0\.0240<\/div><div class="tile-label">total cost/);
  const ids = embeddedData(h2).charts.map((c) => c.id);
  for (const id of ['vus', 'throughput', 'latency', 'errors', 'ws-rtt', 'ws-msgs', 'llm-tokens', 'llm-ttft', 'llm-itl', 'llm-cost', 'a2a-duration', 'dist-llm_ttft', 'dist-llm_itl', 'dist-http_req_duration']) {
    assert.ok(ids.includes(id), `chart ${id} in ${ids.join(',')}`);
  }
  // error codes of other protocols, with their meanings
  assert.match(h2, /<td><code>WS_REPLY_TIMEOUT<\/code><\/td><td><code>ws_errors<\/code><\/td><td class="num" data-v="1">1<\/td><td class="num" data-v="-1">-<\/td>/);
  assert.match(h2, /<td><code>HTTP_429<\/code><\/td><td><code>llm_requests<\/code><\/td>.*the server answered with status 429/);
  // every chart slot has data, and every chart with data has a slot
  const slots = [...markup(h2).matchAll(/data-chart="([^"]+)"/g)].map((x) => x[1]).sort();
  assert.deepEqual(slots, [...ids].sort());
});

test('without series.json the report still renders, with percentiles from the summary', () => {
  const run = sampleRun({ protocols: true });
  const html = renderHtmlReport(run.summary, run.timeseries);
  assert.match(html, /the per-code breakdown needs the run's series.json/);
  const dist = embeddedData(html).charts.find((c) => c.id === 'dist-llm_ttft');
  assert.ok(dist);
  assert.deepEqual(dist.x, [0, nines(0.5), nines(0.9), nines(0.95), nines(0.99)]);
  assert.equal(dist.series[0]?.values[0], run.summary.metrics.llm_ttft?.values.min);
});

test('time charts: rates per second from counters, percentiles from trends, gaps where nothing was measured', () => {
  const run = sampleRun({ arrival: true });
  const charts = reportCharts(run.summary, run.timeseries, null);
  const byId = new Map(charts.map((c) => [c.id, c]));
  const thr = byId.get('throughput');
  assert.deepEqual(thr?.x, [1, 2, 3, 4, 5]);
  assert.deepEqual(thr?.series.map((s) => s.label), ['requests/s', 'iterations/s']);
  assert.deepEqual(thr?.series[0]?.values, [36, 36, 37, 36, 36]);
  assert.deepEqual(byId.get('vus')?.series[0]?.values, [2, 4, 6, 8, 10]);
  assert.deepEqual(byId.get('dropped')?.series[0]?.values, [0, 0, 0, 4, 0]);
  const lat = byId.get('latency');
  assert.equal(lat?.series.length, 3);
  for (let i = 0; i < 5; i++) {
    const [p50, p95, p99] = (lat?.series ?? []).map((s) => s.values[i] as number);
    assert.ok((p50 as number) <= (p95 as number) && (p95 as number) <= (p99 as number), `percentiles ordered at ${i}`);
  }
  // errors: 2 of 37 failed in second 3, 1 of 36 elsewhere; checks fail 1 of 24 each second (as % of the rounded per-second rates)
  assert.deepEqual(byId.get('errors')?.series[0]?.values, [2.8, 2.8, 5.4, 2.8, 2.8]);
  assert.deepEqual(byId.get('errors')?.series[1]?.values, [4.2, 4.2, 4.2, 4.2, 4.2]);
  // a closed-model run without drops has no dropped-iterations chart
  assert.equal(reportCharts(sampleRun().summary, sampleRun().timeseries, null).some((c) => c.id === 'dropped'), false);
});

test('a last interval too short to be a rate gets no rate, and cumulative lines keep adding', () => {
  const pts: TimePoint[] = [
    { t: 1000, elapsed: 1, metrics: { http_reqs: { count: 10, value: 10 }, llm_cost_usd: { count: 2, value: 0.5 } } },
    { t: 2000, elapsed: 2, metrics: { http_reqs: { count: 20, value: 20 } } },
    { t: 2050, elapsed: 2.05, metrics: { http_reqs: { count: 3, value: 3 }, llm_cost_usd: { count: 1, value: 1 } } },
  ];
  const charts = timeCharts(pts, { http_reqs: 'counter', llm_cost_usd: 'trend' });
  assert.deepEqual(charts.find((c) => c.id === 'throughput')?.series[0]?.values, [10, 20, null]);
  assert.deepEqual(charts.find((c) => c.id === 'llm-cost')?.series[0]?.values, [1, 1, 2]);
  assert.deepEqual(timeCharts([], {}), []);
});

test('a pure function: the same input gives the same page, from series.json or from the metrics in memory', () => {
  const run = sampleRun({ protocols: true });
  const a = renderHtmlReport(run.summary, run.timeseries, { series: run.series });
  assert.equal(a, renderHtmlReport(run.summary, run.timeseries, { series: run.series }));
  assert.equal(a, renderHtmlReport(run.summary, run.timeseries, { metrics: run.outcome.metrics }));
});

test('errorBreakdown counts failures per code from the series, most frequent first', () => {
  const run = sampleRun({ protocols: true });
  const rows = errorBreakdown(metricsFromSeries(run.series));
  assert.deepEqual(
    rows.map((r) => [r.code, r.metric, r.count]),
    [
      ['HTTP 500', 'http_reqs', 5],
      ['ECONNREFUSED', 'http_reqs', 1],
      ['HTTP_429', 'llm_requests', 1],
      ['WS_REPLY_TIMEOUT', 'ws_errors', 1],
    ],
  );
  assert.equal(rows[0]?.share, 5 / 181);
  assert.deepEqual(rows[0]?.endpoints, ['create_run']);
});
