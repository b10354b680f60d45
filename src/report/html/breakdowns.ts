import type { Accumulator } from '../../metrics/accumulator.ts';
import { RunMetrics } from '../../metrics/run-metrics.ts';
import type { SeriesFile } from '../../outputs/results-folder.ts';
import { ERROR_CODES } from '../../protocols/http/error-codes.ts';
import { SSE_ERROR_CODES } from '../../protocols/sse/error-codes.ts';
import { WS_ERROR_CODES } from '../../protocols/ws/error-codes.ts';
import type { Summary, SummaryMetric } from '../summary-json.ts';
import type { ChartData, ChartPanel } from './time-charts.ts';

/** Failed operations of one kind: a network `error_code` or an unexpected HTTP status. */
export interface ErrorRow {
  readonly code: string;
  /** The metric the count comes from (http_reqs, ws_…, llm_…). */
  readonly metric: string;
  readonly count: number;
  /** Share of that metric's operations (null when the metric counts only failures). */
  readonly share: number | null;
  /** `name` tags that saw it, most frequent first (at most 5). */
  readonly endpoints: readonly string[];
  readonly message: string;
}

/** The series of a results folder as queryable metrics (what `agentload merge` also reads). */
export function metricsFromSeries(file: SeriesFile): RunMetrics {
  const m = new RunMetrics();
  m.ingest(file.series.map((s) => ({ metric: s.metric, tags: s.tags, acc: s.acc })));
  return m;
}

const protocolOf = (metric: string): string => metric.slice(0, Math.max(0, metric.indexOf('_')));

/** What an error code means, from the protocol clients' tables. */
export function errorMeaning(code: string, metric: string): string {
  const tables: Record<string, string>[] = [];
  if (metric.startsWith('ws_')) tables.push(WS_ERROR_CODES);
  if (metric.startsWith('sse_')) tables.push(SSE_ERROR_CODES);
  tables.push(ERROR_CODES);
  for (const t of tables) if (t[code] !== undefined) return t[code] as string;
  const close = /^WS_CLOSE_(\d+)$/.exec(code);
  if (close !== null) return `the connection closed unexpectedly with code ${close[1] as string}`;
  const status = /^HTTP_(\d{3})$/.exec(code);
  if (status !== null) return `the server answered with status ${status[1] as string}`;
  return 'error reported by the protocol client';
}

const isError = (name: string, tags: { get(k: string): string | undefined }): boolean =>
  (tags.get('error_code') ?? '') !== '' || (name === 'http_reqs' && tags.get('expected_response') === 'false');

/**
 * Per protocol, the metric that counts its operations best: a counter before
 * a rate before a trend, and one that also counts the operations that went
 * well (so that a share can be given) before one that counts only failures.
 */
function countingMetrics(metrics: RunMetrics): { name: string; mixed: boolean }[] {
  const best = new Map<string, { name: string; key: string; mixed: boolean }>();
  const rank = { counter: 0, rate: 1, trend: 2, gauge: 9 } as const;
  for (const [name, m] of metrics.metrics) {
    const series = [...m.series.values()];
    if (rank[m.info.type] === 9 || !series.some((s) => isError(name, s.tags))) continue;
    const mixed = series.some((s) => !isError(name, s.tags));
    const key = `${rank[m.info.type]}${mixed ? 0 : 1}${name}`;
    const p = protocolOf(name);
    const cur = best.get(p);
    if (cur === undefined || key < cur.key) best.set(p, { name, key, mixed });
  }
  return [...best.values()].map((b) => ({ name: b.name, mixed: b.mixed })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Failed operations by `error_code` (and, for HTTP, by unexpected status),
 * with what the code means; most frequent first.
 */
export function errorBreakdown(metrics: RunMetrics): ErrorRow[] {
  const rows: ErrorRow[] = [];
  for (const { name, mixed } of countingMetrics(metrics)) {
    const m = metrics.get(name);
    if (m === undefined) continue;
    const n = (a: Accumulator): number => (m.info.type === 'counter' ? a.sum : a.count);
    const total = n(m.total);
    const groups = new Map<string, { count: number; names: Map<string, number>; message: string }>();
    for (const s of m.series.values()) {
      if (!isError(name, s.tags)) continue;
      const code = s.tags.get('error_code') ?? '';
      const status = s.tags.get('status') ?? '?';
      const key = code !== '' ? code : `HTTP ${status}`;
      const message = code !== '' ? errorMeaning(code, name) : `response status ${status} is not an expected status`;
      const g = groups.get(key) ?? { count: 0, names: new Map<string, number>(), message };
      g.count += n(s.acc);
      const ep = s.tags.get('name');
      if (ep !== undefined) g.names.set(ep, (g.names.get(ep) ?? 0) + n(s.acc));
      groups.set(key, g);
    }
    for (const [code, g] of groups) {
      const endpoints = [...g.names.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5).map((e) => e[0]);
      rows.push({ code, metric: name, count: g.count, share: mixed && total > 0 ? g.count / total : null, endpoints, message: g.message });
    }
  }
  return rows.sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1));
}

/** Counts of one tag's values over the metrics with a prefix (A2A task states), e.g. { completed: 40, failed: 2 }. */
export function tagCounts(metrics: RunMetrics, prefix: string, tag: string): { metric: string; counts: [string, number][] } | null {
  for (const [name, m] of [...metrics.metrics.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (!name.startsWith(prefix)) continue;
    const counts = new Map<string, number>();
    for (const s of m.series.values()) {
      const v = s.tags.get(tag);
      if (v === undefined) continue;
      counts.set(v, (counts.get(v) ?? 0) + (m.info.type === 'counter' ? s.acc.sum : s.acc.count));
    }
    if (counts.size > 0) return { metric: name, counts: [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)) };
  }
  return null;
}

const QUANTILES = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99, 0.995, 0.999];

/** Percentile q as the x of a "nines" axis: 50% → 0.30, 90% → 1, 99% → 2, 99.9% → 3. */
export function nines(q: number): number {
  return Math.round(-Math.log10(1 - Math.min(q, 0.9999)) * 1e4) / 1e4;
}

/** Which distributions the report draws, by panel. */
export const DISTRIBUTIONS: readonly { metric: string; title: string; panel: ChartPanel }[] = [
  { metric: 'http_req_duration', title: 'HTTP request duration by percentile', panel: 'http' },
  { metric: 'ws_msg_rtt', title: 'WebSocket round trip by percentile', panel: 'ws' },
  { metric: 'llm_ttft', title: 'LLM time to first token by percentile', panel: 'llm' },
  { metric: 'llm_itl', title: 'LLM inter-token latency by percentile', panel: 'llm' },
  { metric: 'a2a_task_duration', title: 'A2A task duration by percentile', panel: 'a2a' },
];

/**
 * A trend's latency-by-percentile curve: from its histogram when the run's
 * series are at hand, else from the summary's percentiles (fewer points).
 */
export function distributionChart(def: (typeof DISTRIBUTIONS)[number], summary: Summary, metrics: RunMetrics | null): ChartData | null {
  const sm: SummaryMetric | undefined = summary.metrics[def.metric];
  const acc = metrics?.get(def.metric)?.total;
  let points: [number, number][];
  if (acc !== undefined && acc.type === 'trend' && acc.count > 0) {
    points = QUANTILES.map((q) => [nines(q), Math.round(acc.quantile(q) * 1000) / 1000]);
  } else if (sm !== undefined && sm.type === 'trend' && (sm.values.count ?? 0) > 0) {
    const v = sm.values;
    const known: [number, number | undefined][] = [
      [0, v.min],
      [0.5, v.med],
      [0.9, v['p(90)'] ?? v.p90],
      [0.95, v['p(95)'] ?? v.p95],
      [0.99, v['p(99)'] ?? v.p99],
    ];
    points = known.filter((k): k is [number, number] => k[1] !== undefined).map(([q, val]) => [nines(q), val]);
  } else return null;
  if (points.length < 2) return null;
  return {
    id: `dist-${def.metric}`,
    title: def.title,
    unit: 'ms',
    panel: def.panel,
    kind: 'distribution',
    xLabel: 'percentile',
    x: points.map((p) => p[0]),
    series: [{ label: def.metric, color: '#2f6fdf', values: points.map((p) => p[1]) }],
  };
}
