import type { MetricType, ValueKind } from '../metrics/metric.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import { valuesOf, type MetricValues } from '../metrics/values.ts';
import type { Summary, SummaryThreshold } from '../report/summary-json.ts';
import type { RunMeta } from '../types/run-outcome.ts';
import { canonicalStat, recordKey } from './rules.ts';

/** One metric (or submetric) of a recorded run: the numbers of summary.json's `values`. */
export interface RecordMetric {
  readonly type: MetricType;
  readonly contains: ValueKind;
  readonly values: Readonly<MetricValues>;
}

/**
 * A run as compare, history and baseline files keep it: its facts, every
 * metric of summary.json and its submetrics by one tag (`metric{tag:value}`),
 * and its thresholds. No raw samples, no time series: small enough to commit.
 */
export interface RunRecord {
  /** Where the run came from, for messages: a folder, a file, `history:12`, `baselines/api.local.json#2`. */
  readonly source: string;
  /** null for a k6 summary without agentload's section. */
  readonly meta: RunMeta | null;
  /** By canonical key (tags sorted). */
  readonly metrics: Readonly<Record<string, RecordMetric>>;
  readonly thresholds: readonly SummaryThreshold[];
}

/** Tags whose values are too many or too fine to index one by one. */
const UNINDEXED_TAGS = new Set(['url', 'vu', 'iter', 'ip', 'error']);
/** Metrics not indexed by tag unless a rule asks (HTTP timing phases, bytes): rarely gated per tag, many rows. */
const UNINDEXED_METRICS = new Set(['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_receiving', 'http_req_waiting', 'data_sent', 'data_received', 'vus', 'vus_max']);
/** A tag with more values than this on one metric is not indexed (use a results folder for it). */
export const MAX_TAG_VALUES = 50;

/**
 * Submetrics of every metric by each of its tags (`http_req_duration{name:create_run}`),
 * plus any extra keys asked for (selectors of regression rules).
 */
export function submetricsOf(metrics: RunMetrics, durationSec: number, trendStats: readonly string[], extraKeys: readonly string[] = []): Record<string, RecordMetric> {
  const out: Record<string, RecordMetric> = {};
  for (const [name, m] of metrics.metrics) {
    if (UNINDEXED_METRICS.has(name)) continue;
    const tagKeys = new Set<string>();
    for (const s of m.series.values()) for (const [k] of s.tags.entries) if (!UNINDEXED_TAGS.has(k)) tagKeys.add(k);
    for (const tag of [...tagKeys].sort()) {
      const values = metrics.tagValues(name, tag);
      if (values.length > MAX_TAG_VALUES) continue;
      for (const v of values) {
        const acc = metrics.query(name, [[tag, v]]);
        if (acc === undefined || acc.count === 0) continue;
        out[recordKey(`${name}{${tag}:${v}}`)] = { type: m.info.type, contains: m.info.contains, values: valuesOf(acc, m.info.type, durationSec, trendStats) };
      }
    }
  }
  for (const key of extraKeys) {
    if (!key.includes('{')) continue;
    const name = key.slice(0, key.indexOf('{'));
    const m = metrics.get(name);
    if (m === undefined) continue;
    const pairs = key
      .slice(key.indexOf('{') + 1, -1)
      .split(',')
      .map((p): [string, string] => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)]);
    // `*` stands for each value the tag has: expand to every combination
    let selectors: [string, string][][] = [[]];
    for (const [tag, value] of pairs) {
      const values = value === '*' ? metrics.tagValues(name, tag).slice(0, MAX_TAG_VALUES) : [value];
      selectors = selectors.flatMap((sel) => values.map((v): [string, string][] => [...sel, [tag, v]]));
    }
    for (const selector of selectors) {
      const k = recordKey(`${name}{${selector.map(([t, v]) => `${t}:${v}`).join(',')}}`);
      if (out[k] !== undefined) continue;
      const acc = metrics.query(name, selector);
      if (acc === undefined || acc.count === 0) continue;
      out[k] = { type: m.info.type, contains: m.info.contains, values: valuesOf(acc, m.info.type, durationSec, trendStats) };
    }
  }
  return out;
}

/** summary.json's metrics under canonical keys, without their threshold marks. */
export function summaryMetrics(summary: Summary): Record<string, RecordMetric> {
  const out: Record<string, RecordMetric> = {};
  for (const [key, m] of Object.entries(summary.metrics)) out[recordKey(key)] = { type: m.type, contains: m.contains, values: m.values };
  return out;
}

/** A run record from a summary (and, when available, the run's metrics for submetrics). */
export function recordFromSummary(summary: Summary, source: string, metrics?: RunMetrics, extraKeys: readonly string[] = []): RunRecord {
  const sub = metrics === undefined ? {} : submetricsOf(metrics, summary.agentload.meta.durationMs / 1000, summary.options.summaryTrendStats, extraKeys);
  return { source, meta: summary.agentload.meta, metrics: { ...sub, ...summaryMetrics(summary) }, thresholds: summary.agentload.thresholds };
}

/** A statistic of a metric of a run; undefined when the run does not have it. */
export function valueOf(run: RunRecord, key: string, stat: string): number | undefined {
  const m = run.metrics[key];
  if (m === undefined) return undefined;
  const s = canonicalStat(stat) ?? stat;
  const v = m.values[s] ?? m.values[s.replace(/[()]/g, '')];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The test a run belongs to: its suite, else its name. */
export function testOf(meta: RunMeta): string {
  return meta.suite ?? meta.name;
}

/** The conventional baseline name of a run: `<suite>.<env>`, plus `.<profile>` for profiles other than load. */
export function defaultBaselineName(meta: Pick<RunMeta, 'suite' | 'name' | 'environment' | 'profile'>): string {
  const test = (meta.suite ?? meta.name).replace(/[^A-Za-z0-9_-]+/g, '-') || 'test';
  const env = meta.environment ?? 'local';
  const profile = meta.profile === null || meta.profile === 'load' || meta.profile === 'baseline' ? '' : `.${meta.profile}`;
  return `${test}.${env}${profile}`;
}
