import type { MetricType, ValueKind } from '../metrics/metric.ts';
import { Accumulator } from '../metrics/accumulator.ts';
import type { RunMetrics, SeriesStats } from '../metrics/run-metrics.ts';
import { parseKey } from '../metrics/thresholds/parse.ts';
import { valuesOf, type MetricValues } from '../metrics/values.ts';
import type { ErrorsNotListed, IterationError, RunMeta, RunOutcome } from '../types/run-outcome.ts';

export interface SummaryMetric {
  type: MetricType;
  contains: ValueKind;
  values: MetricValues;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryCheck {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroup[];
  checks: SummaryCheck[];
}

/** Per-endpoint numbers (by the `name` tag). */
export interface EndpointStats {
  name: string;
  methods: string[];
  count: number;
  rate: number;
  failed: number;
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SummaryThreshold {
  metric: string;
  expression: string;
  ok: boolean;
  value: number | null;
  abortOnFail: boolean;
}

/** summary.json: k6's handleSummary shape plus an `agentload` section. */
export interface Summary {
  root_group: SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetric>;
  agentload: {
    meta: RunMeta;
    thresholds: SummaryThreshold[];
    /** The most frequent kinds of iteration error (at most 100), grouped by message template. */
    errors: IterationError[];
    /** What `errors` leaves out (absent in summaries written before it existed). */
    errorsNotListed?: ErrorsNotListed;
    /** The busiest endpoints (at most MAX_LISTED_ENDPOINTS). */
    endpoints: EndpointStats[];
    /** Endpoints and their requests past MAX_LISTED_ENDPOINTS. */
    endpointsNotListed?: { endpoints: number; requests: number };
    /** Series kept, the cap, and samples folded into overflow series past it (docs/metrics.md#series-cap). */
    series?: SeriesStats;
  };
}

function hashId(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The checks tree from the `checks` series' group and check tags. */
export function checksTree(metrics: RunMetrics): SummaryGroup {
  const root: SummaryGroup = { name: '', path: '', id: hashId(''), groups: [], checks: [] };
  const byPath = new Map<string, SummaryGroup>([['', root]]);
  const groupFor = (path: string): SummaryGroup => {
    const found = byPath.get(path);
    if (found !== undefined) return found;
    const cut = path.lastIndexOf('::');
    const parent = groupFor(path.slice(0, cut));
    const g: SummaryGroup = { name: path.slice(cut + 2), path, id: hashId(path), groups: [], checks: [] };
    parent.groups.push(g);
    byPath.set(path, g);
    return g;
  };
  const checks = metrics.get('checks');
  if (checks !== undefined) {
    const merged = new Map<string, SummaryCheck>();
    for (const s of checks.series.values()) {
      const name = s.tags.get('check');
      if (name === undefined) continue;
      const gpath = s.tags.get('group') ?? '';
      const key = `${gpath}::${name}`;
      let c = merged.get(key);
      if (c === undefined) {
        c = { name, path: key, id: hashId(key), passes: 0, fails: 0 };
        merged.set(key, c);
        groupFor(gpath).checks.push(c);
      }
      c.passes += s.acc.nonZero;
      c.fails += s.acc.count - s.acc.nonZero;
    }
  }
  for (const path of [...byPath.keys()].filter((p) => p !== '')) groupFor(path);
  return root;
}

/** Endpoints summary.json lists (busiest first); the rest are counted in `endpointsNotListed`. */
export const MAX_LISTED_ENDPOINTS = 1000;

/** Per `name` tag, busiest first: one pass over the series (through the metric's tag index). */
export function endpointStats(metrics: RunMetrics, durationSec: number): EndpointStats[] {
  const byName = metrics.get('http_req_duration')?.index.get('name');
  if (byName === undefined) return [];
  const failedByName = metrics.get('http_req_failed')?.index.get('name');
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  const out: EndpointStats[] = [];
  for (const [name, series] of byName) {
    const acc = new Accumulator('trend');
    const methods = new Set<string>();
    for (const s of series) {
      acc.mergeFrom(s.acc);
      methods.add(s.tags.get('method') ?? '');
    }
    if (acc.count === 0) continue;
    let failed = 0;
    for (const s of failedByName?.get(name) ?? []) failed += s.acc.nonZero;
    out.push({
      name,
      methods: [...methods].sort(),
      count: acc.count,
      rate: r(durationSec > 0 ? acc.count / durationSec : 0),
      failed,
      avg: r(acc.sum / acc.count),
      p50: r(acc.quantile(0.5)),
      p90: r(acc.quantile(0.9)),
      p95: r(acc.quantile(0.95)),
      p99: r(acc.quantile(0.99)),
      max: r(acc.max),
    });
  }
  return out.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Build summary.json from a run. */
/** `endpoints: false`: leave agentload.endpoints empty (the partial summaries written while a run goes, which must stay cheap). */
export function buildSummary(outcome: RunOutcome, tty: { stdout: boolean; stderr: boolean } = { stdout: false, stderr: false }, opts: { endpoints?: boolean } = {}): Summary {
  const durationSec = outcome.meta.durationMs / 1000;
  const metrics: Record<string, SummaryMetric> = {};
  const names = [...outcome.metrics.metrics.keys()].sort();
  for (const name of names) {
    const m = outcome.metrics.metrics.get(name);
    if (m === undefined) continue;
    metrics[name] = { type: m.info.type, contains: m.info.contains, values: valuesOf(m.total, m.info.type, durationSec, outcome.summaryTrendStats) };
  }
  const addSub = (key: string): SummaryMetric | undefined => {
    if (metrics[key] !== undefined) return metrics[key];
    const k = parseKey(key);
    const m = outcome.metrics.get(k.metric);
    const acc = outcome.metrics.query(k.metric, k.selector);
    if (m === undefined || acc === undefined) return undefined;
    const sm: SummaryMetric = { type: m.info.type, contains: m.info.contains, values: valuesOf(acc, m.info.type, durationSec, outcome.summaryTrendStats) };
    metrics[key] = sm;
    return sm;
  };
  if (outcome.metrics.get('http_req_duration') !== undefined) addSub('http_req_duration{expected_response:true}');
  const thresholds: SummaryThreshold[] = [];
  for (const t of outcome.thresholds) {
    const sm = addSub(t.key);
    if (sm !== undefined) {
      sm.thresholds ??= {};
      sm.thresholds[t.expression] = { ok: t.ok };
    }
    thresholds.push({ metric: t.key, expression: t.expression, ok: t.ok, value: t.value, abortOnFail: t.abortOnFail });
  }
  const endpoints = opts.endpoints === false ? [] : endpointStats(outcome.metrics, durationSec);
  return {
    root_group: checksTree(outcome.metrics),
    options: { summaryTrendStats: [...outcome.summaryTrendStats], summaryTimeUnit: '', noColor: !tty.stdout },
    state: { isStdOutTTY: tty.stdout, isStdErrTTY: tty.stderr, testRunDurationMs: outcome.meta.durationMs },
    metrics,
    agentload: {
      meta: outcome.meta,
      thresholds,
      errors: [...outcome.errors],
      errorsNotListed: outcome.errorsNotListed ?? { errors: 0, templates: 0 },
      endpoints: endpoints.slice(0, MAX_LISTED_ENDPOINTS),
      endpointsNotListed: { endpoints: Math.max(0, endpoints.length - MAX_LISTED_ENDPOINTS), requests: endpoints.slice(MAX_LISTED_ENDPOINTS).reduce((n, e) => n + e.count, 0) },
      series: outcome.metrics.seriesStats(),
    },
  };
}
