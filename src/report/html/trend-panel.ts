import { formatMs, formatNumber, formatPercent } from '../format.ts';
import { escapeHtml as h } from './escape.ts';
import { chartSlot, numCell, section, STATUS_TEXT } from './sections.ts';
import type { ChartData } from './time-charts.ts';

/** How many runs a trend covers unless told otherwise (the current run included). */
export const DEFAULT_TREND_RUNS = 20;

/** The latency metric a trend uses when the caller names none. */
export const DEFAULT_TREND_LATENCY = 'http_req_duration';

/** One run of a trend, as the report's trend panel shows it. Numbers are null when the run did not have the metric. */
export interface RunTrendPoint {
  /** The run's id in the history. */
  readonly runId: number;
  /** When the run started (ISO 8601). */
  readonly time: string;
  /** p95 and p99 of the trend's latency metric, in ms. */
  readonly p95: number | null;
  readonly p99: number | null;
  /** Share of failed requests (`http_req_failed` rate), 0 to 1. */
  readonly errorRate: number | null;
  /** Requests per second over the run (`http_reqs` rate). */
  readonly rps: number | null;
  /** The run's status (`passed`, `thresholds-failed`, `interrupted`, …), or `regression` when it passed but its `--baseline` comparison found one. */
  readonly verdict: string;
  readonly profile?: string | null;
  readonly gitCommit?: string | null;
}

/** The last runs of one test (suite or script name) in one environment, oldest first: the input of the trend panel. */
export interface RunTrend {
  readonly test: string;
  /** null: runs without --env. */
  readonly environment: string | null;
  /** Oldest first; the current run is one of them. */
  readonly points: readonly RunTrendPoint[];
  /** The runId of the run the report is about (marked in the chart and the table). */
  readonly currentRunId: number;
  /** The metric p95/p99 are of (default `http_req_duration`). */
  readonly latencyMetric?: string;
}

const VERDICT_TEXT: Readonly<Record<string, string>> = { ...STATUS_TEXT, regression: 'Regression' };

function verdictClass(verdict: string): string {
  if (verdict === 'passed') return 'ok';
  if (verdict === 'interrupted') return 'warn';
  return 'bad';
}

/** Whether the panel is shown: two runs or more (one run is no trend). */
export function hasTrend(trend: RunTrend | undefined): trend is RunTrend {
  return trend !== undefined && trend.points.length >= 2;
}

/** 2026-11-23T14:25:01.000Z → 2026-11-23 14:25:01 (UTC, as the history prints it). */
export function trendTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}

type Field = 'p95' | 'p99' | 'errorRate' | 'rps';

interface TrendChartDef {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly { readonly label: string; readonly field: Field; readonly color: string; readonly scale: number }[];
}

function chartDefs(latency: string): TrendChartDef[] {
  return [
    {
      id: 'trend-latency',
      title: `${latency} over runs`,
      unit: 'ms',
      series: [
        { label: 'p95', field: 'p95', color: '#e8833a', scale: 1 },
        { label: 'p99', field: 'p99', color: '#d2383f', scale: 1 },
      ],
    },
    { id: 'trend-errors', title: 'Error rate over runs', unit: '%', series: [{ label: 'failed requests', field: 'errorRate', color: '#d2383f', scale: 100 }] },
    { id: 'trend-rps', title: 'Requests per second over runs', unit: '/s', series: [{ label: 'requests/s', field: 'rps', color: '#2f6fdf', scale: 1 }] },
  ];
}

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * The trend charts: x is the run's position (oldest at 0), labelled `#id`,
 * with the current run as the marker. A chart whose metric no run has is left out.
 */
export function trendCharts(trend: RunTrend): ChartData[] {
  if (!hasTrend(trend)) return [];
  const pts = trend.points;
  const marker = pts.findIndex((p) => p.runId === trend.currentRunId);
  const out: ChartData[] = [];
  for (const def of chartDefs(trend.latencyMetric ?? DEFAULT_TREND_LATENCY)) {
    const series = def.series
      .map((s) => ({ label: s.label, color: s.color, values: pts.map((p) => (p[s.field] === null ? null : round((p[s.field] as number) * s.scale))) }))
      .filter((s) => s.values.some((v) => v !== null));
    if (series.length === 0) continue;
    out.push({
      id: def.id,
      title: def.title,
      unit: def.unit,
      panel: 'trend',
      kind: 'runs',
      xLabel: 'run',
      x: pts.map((_, i) => i),
      xLabels: pts.map((p) => `#${p.runId}`),
      ...(marker < 0 ? {} : { marker }),
      series,
    });
  }
  return out;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function signed(v: number, text: string): string {
  return v > 0 ? `+${text}` : v < 0 ? `−${text.replace(/^-/, '')}` : `±${text}`;
}

/** "This run against the median of the runs before it", for the figures both sides have. */
export function trendComparison(trend: RunTrend): string[] {
  const i = trend.points.findIndex((p) => p.runId === trend.currentRunId);
  if (i <= 0) return [];
  const cur = trend.points[i] as RunTrendPoint;
  const before = trend.points.slice(0, i);
  const parts: string[] = [];
  const rel = (label: string, field: Field): void => {
    const now = cur[field];
    const base = median(before.flatMap((p) => (p[field] === null ? [] : [p[field] as number])));
    if (now === null || base === null || base === 0) return;
    const change = (now - base) / base;
    parts.push(`${label} ${signed(change, `${(Math.abs(change) * 100).toFixed(1)}%`)}`);
  };
  rel('p95', 'p95');
  rel('p99', 'p99');
  const errNow = cur.errorRate;
  const errBase = median(before.flatMap((p) => (p.errorRate === null ? [] : [p.errorRate])));
  if (errNow !== null && errBase !== null) {
    const pp = (errNow - errBase) * 100;
    parts.push(`error rate ${signed(pp, `${Math.abs(pp).toFixed(2)} pp`)}`);
  }
  rel('requests/s', 'rps');
  return parts;
}

const cell = (v: number | null, text: (x: number) => string): string => (v === null ? '<td class="num" data-v="-1">-</td>' : numCell(v, text(v)));

/** One table row per run, newest first; the current run is marked. */
export function trendRows(trend: RunTrend): string[] {
  return [...trend.points].reverse().map((p) => {
    const current = p.runId === trend.currentRunId;
    const run = `#${p.runId}${current ? ' <span class="badge">this run</span>' : ''}`;
    return [
      `<tr${current ? ' class="current" aria-current="true"' : ''}>`,
      `<td>${run}</td>`,
      `<td>${h(trendTime(p.time))}</td>`,
      `<td>${h(p.profile ?? '-')}</td>`,
      `<td>${p.gitCommit === null || p.gitCommit === undefined ? '-' : `<code>${h(p.gitCommit.slice(0, 8))}</code>`}</td>`,
      cell(p.p95, formatMs),
      cell(p.p99, formatMs),
      cell(p.errorRate, formatPercent),
      cell(p.rps, (v) => `${formatNumber(v)}/s`),
      `<td class="verdict-cell ${verdictClass(p.verdict)}">${h(VERDICT_TEXT[p.verdict] ?? p.verdict)}</td>`,
      '</tr>',
    ].join('');
  });
}

/**
 * The trend panel: the last runs of the same test and environment from the
 * history, as charts (this run marked) and a table. Empty with fewer than two
 * runs. Every string is escaped.
 */
export function trendPanel(trend: RunTrend | undefined, charts: readonly ChartData[]): string {
  if (!hasTrend(trend)) return '';
  const latency = trend.latencyMetric ?? DEFAULT_TREND_LATENCY;
  const n = trend.points.length;
  const intro = `<p class="muted">The last ${n} runs of <code>${h(trend.test)}</code> in ${trend.environment === null ? 'the default environment (no <code>--env</code>)' : `environment <code>${h(trend.environment)}</code>`}, from the run history, oldest on the left; this run is marked. Latency is <code>${h(latency)}</code>.</p>`;
  const comparison = trendComparison(trend);
  const vs = comparison.length === 0 ? '' : `<p class="trend-vs">This run against the median of the runs before it: ${h(comparison.join(' · '))}</p>`;
  const mine = charts.filter((c) => c.panel === 'trend');
  const chartsHtml = mine.length === 0 ? '' : `<div class="charts">${mine.map((c) => chartSlot(c.id)).join('')}</div>`;
  const head = ['Run', 'Started (UTC)', 'Profile', 'Commit', 'p95', 'p99', 'Error rate', 'Requests/s', 'Verdict'].map((t) => `<th>${h(t)}</th>`).join('');
  const table = `<table class="trend"><thead><tr>${head}</tr></thead><tbody>${trendRows(trend).join('')}</tbody></table>`;
  return section('trend', 'Trend', `${intro}${vs}${chartsHtml}${table}`);
}
