import type { MetricType } from '../../metrics/metric.ts';
import type { RunMetrics } from '../../metrics/run-metrics.ts';
import type { TimePoint } from '../../metrics/timeseries.ts';
import type { SeriesFile } from '../../outputs/results-folder.ts';
import type { Summary } from '../summary-json.ts';
import { pageAssets, inlinePage } from './assets.ts';
import { DISTRIBUTIONS, distributionChart, errorBreakdown, metricsFromSeries } from './breakdowns.ts';
import { escapeHtml as h, jsonForScript } from './escape.ts';
import { a2aPanel, httpPanel, llmPanel, overviewSection, wsPanel } from './panels.ts';
import { checksSection, endpointsSection, errorsSection, metricsTable, runHeader, section, thresholdsSection, verdictBlock } from './sections.ts';
import { timeCharts, type ChartData } from './time-charts.ts';
import { hasTrend, trendCharts, trendPanel, type RunTrend } from './trend-panel.ts';
import { redact } from '../../util/redact.ts';

export interface HtmlReportOptions {
  /**
   * The run's series (series.json): adds failed operations by `error_code`,
   * A2A task states and full latency-by-percentile curves. Without it the
   * report is built from the summary and time series alone.
   */
  readonly series?: SeriesFile;
  /** The same data as `series`, already merged (what a run has in memory): used instead of decoding `series`. */
  readonly metrics?: RunMetrics;
  /** A line in the footer, e.g. where the results folder is. Plain text (escaped). */
  readonly footer?: string;
  /** Values that must not appear in the page (tokens): replaced by ***. */
  readonly secrets?: readonly string[];
  /**
   * The last runs of the same test and environment (from the history, this
   * run included): adds the trend panel. Left out with fewer than two runs.
   */
  readonly trend?: RunTrend;
}

/** Everything the report draws, as it is embedded in the page (also what tests inspect). */
export interface HtmlReportData {
  readonly charts: ChartData[];
}

function metricTypes(summary: Summary): Record<string, MetricType> {
  const out: Record<string, MetricType> = {};
  for (const [k, m] of Object.entries(summary.metrics)) if (!k.includes('{')) out[k] = m.type;
  return out;
}

/** The charts of a report: time charts from the time series, then percentile curves. */
export function reportCharts(summary: Summary, timeseries: readonly TimePoint[], metrics: RunMetrics | null): ChartData[] {
  const arrival = summary.agentload.meta.scenarios.some((s) => s.executor.endsWith('arrival-rate'));
  const charts = timeCharts(timeseries, metricTypes(summary), { always: arrival ? ['dropped'] : [] });
  for (const d of DISTRIBUTIONS) {
    const c = distributionChart(d, summary, metrics);
    if (c !== null) charts.push(c);
  }
  return charts;
}

const NAV: readonly [string, string][] = [
  ['thresholds', 'Thresholds'],
  ['overview', 'Over time'],
  ['trend', 'Trend'],
  ['endpoints', 'Endpoints'],
  ['checks', 'Checks'],
  ['errors', 'Errors'],
  ['http', 'HTTP'],
  ['ws', 'WebSocket'],
  ['llm', 'LLM'],
  ['a2a', 'A2A'],
  ['metrics', 'All metrics'],
];

/**
 * The HTML report of a run: one self-contained page (uPlot and all data
 * inlined, no network) with the run header, verdict, thresholds, charts over
 * time, the trend over past runs (when given), per-endpoint table, checks,
 * HTTP timings, protocol panels (only for protocols the run used) and errors.
 * Every string from the run is escaped.
 * A pure function of its inputs.
 */
export function renderHtmlReport(summary: Summary, timeseries: readonly TimePoint[], options: HtmlReportOptions = {}): string {
  const metrics = options.metrics ?? (options.series === undefined ? null : metricsFromSeries(options.series));
  const charts = reportCharts(summary, timeseries, metrics);
  if (hasTrend(options.trend)) charts.push(...trendCharts(options.trend));
  const sections = [
    thresholdsSection(summary),
    overviewSection(summary, charts),
    trendPanel(options.trend, charts),
    endpointsSection(summary),
    checksSection(summary),
    errorsSection(summary, metrics === null ? null : errorBreakdown(metrics)),
    httpPanel(summary, charts),
    wsPanel(summary, charts),
    llmPanel(summary, charts),
    a2aPanel(summary, charts, metrics),
    section('metrics', 'All metrics', `<details><summary>${Object.keys(summary.metrics).length} metrics and submetrics</summary>${metricsTable(summary, () => true)}</details>`),
  ].filter((s) => s !== '');
  const present = new Set([...sections.join('').matchAll(/<section id="([a-z0-9-]+)"/g)].map((m) => m[1]));
  const nav = NAV.filter(([id]) => present.has(id))
    .map(([id, label]) => `<a href="#${id}">${h(label)}</a>`)
    .join('');
  const meta = summary.agentload.meta;
  const data: HtmlReportData = { charts };
  const footer = `agentload ${h(meta.version)} · report of ${h(meta.startedAt)}${options.footer === undefined ? '' : ` · ${h(options.footer)}`}`;
  const body = [
    '<main>',
    runHeader(summary),
    verdictBlock(summary),
    `<nav class="toc">${nav}</nav>`,
    ...sections,
    `<footer>${footer}</footer>`,
    '</main>',
    `<script type="application/json" id="agentload-data">${jsonForScript(data)}</script>`,
  ].join('\n');
  const a = pageAssets();
  const secrets = options.secrets ?? [];
  return inlinePage({ title: redact(`agentload report — ${h(meta.name)}`, secrets), body: redact(body, secrets), scripts: [a.uplotJs, a.chartsJs, a.reportJs] });
}
