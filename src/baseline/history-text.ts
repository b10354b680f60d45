import { formatMs, formatNumber, formatPercent, formatValue } from '../report/format.ts';
import type { HistoryRun, TrendPoint } from './history-store.ts';
import { canonicalKey, canonicalStat, defaultStatFor } from './rules.ts';
import { testOf, valueOf, type RecordMetric, type RunRecord } from './run-record.ts';

export interface MetricSpec {
  readonly key: string;
  /** undefined: the metric type's usual statistic (p(95) for trends, rate, value). */
  readonly stat: string | undefined;
}

/** Parse `http_req_duration:p95`, `http_req_duration{name:create_run}:p(99)` or a bare metric key. Throws Error quoting the input. */
export function parseMetricSpec(spec: string): MetricSpec {
  const s = spec.trim();
  const brace = s.lastIndexOf('}');
  const colon = s.lastIndexOf(':');
  const hasStat = colon > brace && (brace !== -1 || !s.includes('{'));
  const keyPart = hasStat ? s.slice(0, colon) : s;
  let stat: string | undefined;
  if (hasStat) {
    stat = canonicalStat(s.slice(colon + 1));
    if (stat === undefined) throw new Error(`"${spec}": unknown statistic "${s.slice(colon + 1)}" (use p95, p(99), avg, med, max, min, rate, count or value)`);
  }
  try {
    return { key: canonicalKey(keyPart), stat };
  } catch (e) {
    throw new Error(`"${spec}": ${(e as Error).message}`);
  }
}

/** The statistic a spec means for a run's metric. */
export function statFor(spec: MetricSpec, metric: RecordMetric | undefined): string | undefined {
  if (spec.stat !== undefined) return spec.stat;
  return metric === undefined ? undefined : defaultStatFor(metric.type);
}

/** Format a value of a metric: times, rates as percentages, counter rates per second. */
export function formatMetricValue(metric: RecordMetric | undefined, stat: string, v: number): string {
  if (metric === undefined) return formatNumber(v);
  if (metric.type === 'rate' && stat === 'rate') return formatPercent(v);
  if (metric.type === 'counter' && stat === 'rate') return `${formatNumber(v)}/s`;
  if (stat === 'count') return formatNumber(v);
  return formatValue(v, metric.contains);
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of the values, one bar each, scaled between their min and max. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max === min ? BARS[3] : BARS[Math.min(7, Math.floor(((v - min) / (max - min)) * 8))])).join('');
}

/** `agentload history --trend`: a sparkline, then one line per run. */
export function trendText(points: readonly TrendPoint[], label: string, format: (v: number) => string): string {
  if (points.length === 0) return `  no run in the history has ${label}`;
  const values = points.map((p) => p.value);
  const first = values[0] as number;
  const last = values[values.length - 1] as number;
  const change = first === 0 ? '' : `  (${last >= first ? '+' : ''}${(((last - first) / first) * 100).toFixed(1)}% over ${points.length} runs)`;
  const lines = [
    `  ${label}  ${sparkline(values)}`,
    `  min ${format(Math.min(...values))}  max ${format(Math.max(...values))}  last ${format(last)}${change}`,
    '',
    ...points.map((p) => `  #${String(p.id).padEnd(5)} ${p.startedAt.slice(0, 19).replace('T', ' ')}  ${format(p.value).padStart(10)}  ${p.status === 'passed' ? 'pass' : p.status}${p.gitCommit === null ? '' : `  ${p.gitCommit.slice(0, 8)}`}`),
  ];
  return lines.join('\n');
}

function cellValue(run: RunRecord, specs: readonly MetricSpec[]): string | undefined {
  for (const spec of specs) {
    const m = run.metrics[spec.key];
    const stat = statFor(spec, m);
    if (stat === undefined) continue;
    const v = valueOf(run, spec.key, stat);
    if (v === undefined) continue;
    const budgets = run.thresholds.filter((t) => {
      try {
        return canonicalKey(t.metric) === spec.key;
      } catch {
        return false;
      }
    });
    const mark = budgets.length === 0 ? '' : budgets.every((t) => t.ok) ? ' ✅' : ' ❌';
    return `${formatMetricValue(m, stat, v)}${mark}`;
  }
  return undefined;
}

/** `agentload history` without options: one line per run, newest first. */
export function historyListText(runs: readonly HistoryRun[]): string {
  if (runs.length === 0) return '  no runs in the history yet';
  const head = ['id', 'started', 'test', 'env', 'profile', 'duration', 'status', 'p95', 'errors', 'req/s', 'commit'];
  const rows = runs.map((r) => {
    const m = r.meta;
    const p95 = valueOf(r, 'http_req_duration', 'p(95)');
    const err = valueOf(r, 'http_req_failed', 'rate');
    const rps = valueOf(r, 'http_reqs', 'rate');
    const status = r.regression === true ? `${m.status}, regression` : m.status;
    return [
      `#${r.id}`,
      m.startedAt.slice(0, 19).replace('T', ' '),
      testOf(m),
      m.environment ?? 'local',
      m.profile ?? '-',
      formatMs(m.durationMs),
      status,
      p95 === undefined ? '-' : formatMs(p95),
      err === undefined ? '-' : formatPercent(err),
      rps === undefined ? '-' : formatNumber(rps),
      m.gitCommit === null ? '-' : m.gitCommit.slice(0, 8),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd()}`;
  return [line(head), ...rows.map(line)].join('\n');
}

/** The columns of the seeds' "Baseline History" table: label → metric specs, first present wins (`a:p95|b:p95`). */
export const DEFAULT_TABLE_COLUMNS: Readonly<Record<string, string>> = {
  'API p95': 'http_req_duration:p95',
  'AI p95': 'llm_e2e:p95|a2a_task_duration:p95',
  'WS connection p95': 'ws_connecting:p95',
  'WS message p95': 'ws_msg_rtt:p95',
  'Error rate': 'http_req_failed:rate',
  Connections: 'vus:max',
};

function resultOf(run: HistoryRun): string {
  const m = run.meta;
  if (m.status === 'passed' && run.regression !== true) return '✅ pass';
  if (m.status === 'passed') return `❌ regression vs ${run.comparedWith ?? 'baseline'}`;
  return `❌ ${m.status}${run.regression === true ? ', regression' : ''}`;
}

function mdCell(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
}

/**
 * `agentload history --table`: the seeds' "Baseline History" as a Markdown
 * table, oldest run first: date, environment, the p95s, error rate,
 * connections and pass/fail. Each value carries ✅/❌ when the run had a
 * threshold on that metric. Columns no run has are left out.
 */
export function baselineHistoryTable(runs: readonly HistoryRun[], columns: Readonly<Record<string, string>> = DEFAULT_TABLE_COLUMNS): string {
  const cols = Object.entries(columns).map(([label, spec]) => ({ label, specs: spec.split('|').map(parseMetricSpec) }));
  const ordered = [...runs].reverse();
  const cells = ordered.map((r) => cols.map((c) => cellValue(r, c.specs)));
  const keep = cols.map((_, i) => cells.some((row) => row[i] !== undefined));
  const shown = cols.filter((_, i) => keep[i]);
  const withCommit = ordered.some((r) => r.meta.gitCommit !== null);
  const head = ['Date', 'Test', 'Environment', 'Profile', ...shown.map((c) => c.label), ...(withCommit ? ['Commit'] : []), 'Result'];
  const lines = [`| ${head.map(mdCell).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  ordered.forEach((r, i) => {
    const m = r.meta;
    const values = (cells[i] as (string | undefined)[]).filter((_, j) => keep[j]).map((v) => v ?? '-');
    const row = [m.startedAt.slice(0, 10), testOf(m), m.environment ?? 'local', m.profile ?? '-', ...values, ...(withCommit ? [m.gitCommit === null ? '-' : m.gitCommit.slice(0, 8)] : []), resultOf(r)];
    lines.push(`| ${row.map(mdCell).join(' | ')} |`);
  });
  return `${lines.join('\n')}\n`;
}
