import type { MetricType } from '../../metrics/metric.ts';
import type { IntervalStats, TimePoint } from '../../metrics/timeseries.ts';

/** Where a chart is shown: the overview, one protocol's panel, or the trend over past runs. */
export type ChartPanel = 'overview' | 'http' | 'ws' | 'llm' | 'a2a' | 'trend';

/**
 * What one line of a chart plots from each second of the time series:
 * - `value`/`p50`/`p95`/`p99`/`max`: that field of the interval's stats;
 * - `sum`: the interval's total (counter sum, trend avg × count, passes of a rate);
 * - `per-second`: `sum` divided by the interval's length;
 * - `cumulative`: the running total of `sum`;
 * - `percent` / `fail-percent`: a rate's share (or its complement) in %.
 */
export type SeriesFn = 'value' | 'p50' | 'p95' | 'p99' | 'max' | 'sum' | 'per-second' | 'cumulative' | 'percent' | 'fail-percent';

export interface ChartSeriesDef {
  readonly label: string;
  readonly metric: string;
  readonly fn: SeriesFn;
  readonly color: string;
}

export interface TimeChartDef {
  readonly id: string;
  readonly title: string;
  /** Unit of the y axis: ms, /s, %, USD, or '' for plain numbers. */
  readonly unit: string;
  readonly panel: ChartPanel;
  readonly series: readonly ChartSeriesDef[];
}

/**
 * A chart ready to draw: x values and one column per line (null = no data
 * that second). Kinds: `time` (x in seconds), `distribution` (x on the nines
 * axis), `runs` (x is a run's position, labelled by `xLabels`, with `marker`
 * the position of the current run).
 */
export interface ChartData {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly panel: ChartPanel;
  readonly kind: 'time' | 'distribution' | 'runs';
  readonly xLabel: string;
  readonly x: number[];
  /** `runs` charts: the label of each x (`#12`). */
  readonly xLabels?: readonly string[];
  /** `runs` charts: the x of the run the report is about, drawn as a band. */
  readonly marker?: number;
  readonly series: { readonly label: string; readonly color: string; readonly values: (number | null)[] }[];
}

const C = { blue: '#2f6fdf', orange: '#e8833a', red: '#d2383f', green: '#2e9e5b', purple: '#8a4fd8', grey: '#7b8794', teal: '#1b9aaa', brown: '#9c6b3c' };

/** The charts over time, in display order. A chart is drawn when any of its metrics has data. */
export const TIME_CHARTS: readonly TimeChartDef[] = [
  { id: 'vus', title: 'Virtual users', unit: '', panel: 'overview', series: [{ label: 'VUs active', metric: 'vus', fn: 'value', color: C.blue }, { label: 'VUs allocated', metric: 'vus_max', fn: 'value', color: C.grey }] },
  { id: 'throughput', title: 'Requests and iterations per second', unit: '/s', panel: 'overview', series: [{ label: 'requests/s', metric: 'http_reqs', fn: 'per-second', color: C.blue }, { label: 'iterations/s', metric: 'iterations', fn: 'per-second', color: C.green }] },
  { id: 'latency', title: 'HTTP request duration', unit: 'ms', panel: 'overview', series: [{ label: 'p50', metric: 'http_req_duration', fn: 'p50', color: C.green }, { label: 'p95', metric: 'http_req_duration', fn: 'p95', color: C.orange }, { label: 'p99', metric: 'http_req_duration', fn: 'p99', color: C.red }] },
  { id: 'errors', title: 'Error rate', unit: '%', panel: 'overview', series: [{ label: 'failed requests', metric: 'http_req_failed', fn: 'percent', color: C.red }, { label: 'failed checks', metric: 'checks', fn: 'fail-percent', color: C.orange }] },
  { id: 'dropped', title: 'Dropped iterations and iteration errors', unit: '/s', panel: 'overview', series: [{ label: 'dropped iterations/s', metric: 'dropped_iterations', fn: 'per-second', color: C.purple }, { label: 'iteration errors/s', metric: 'iteration_errors', fn: 'per-second', color: C.red }] },
  { id: 'http-phases', title: 'HTTP timing phases (average)', unit: 'ms', panel: 'http', series: [
    { label: 'blocked', metric: 'http_req_blocked', fn: 'value', color: C.grey },
    { label: 'connecting', metric: 'http_req_connecting', fn: 'value', color: C.brown },
    { label: 'TLS', metric: 'http_req_tls_handshaking', fn: 'value', color: C.purple },
    { label: 'sending', metric: 'http_req_sending', fn: 'value', color: C.teal },
    { label: 'waiting', metric: 'http_req_waiting', fn: 'value', color: C.orange },
    { label: 'receiving', metric: 'http_req_receiving', fn: 'value', color: C.green },
  ] },
  { id: 'ws-rtt', title: 'WebSocket message round trip', unit: 'ms', panel: 'ws', series: [{ label: 'p50', metric: 'ws_msg_rtt', fn: 'p50', color: C.green }, { label: 'p95', metric: 'ws_msg_rtt', fn: 'p95', color: C.orange }, { label: 'p99', metric: 'ws_msg_rtt', fn: 'p99', color: C.red }] },
  { id: 'ws-msgs', title: 'WebSocket messages per second', unit: '/s', panel: 'ws', series: [{ label: 'sent/s', metric: 'ws_msgs_sent', fn: 'per-second', color: C.blue }, { label: 'received/s', metric: 'ws_msgs_received', fn: 'per-second', color: C.green }] },
  { id: 'ws-trouble', title: 'WebSocket reconnects and drops', unit: '/s', panel: 'ws', series: [{ label: 'reconnects/s', metric: 'ws_reconnects', fn: 'per-second', color: C.orange }, { label: 'backpressure drops/s', metric: 'ws_backpressure_drops', fn: 'per-second', color: C.red }] },
  { id: 'llm-tokens', title: 'LLM tokens per second', unit: '/s', panel: 'llm', series: [{ label: 'output tokens/s (all streams)', metric: 'llm_output_tokens', fn: 'per-second', color: C.blue }, { label: 'tokens/s per request (avg)', metric: 'llm_tokens_per_second', fn: 'value', color: C.green }] },
  { id: 'llm-ttft', title: 'LLM time to first token', unit: 'ms', panel: 'llm', series: [{ label: 'p50', metric: 'llm_ttft', fn: 'p50', color: C.green }, { label: 'p95', metric: 'llm_ttft', fn: 'p95', color: C.orange }, { label: 'p99', metric: 'llm_ttft', fn: 'p99', color: C.red }] },
  { id: 'llm-itl', title: 'LLM inter-token latency', unit: 'ms', panel: 'llm', series: [{ label: 'p50', metric: 'llm_itl', fn: 'p50', color: C.green }, { label: 'p95', metric: 'llm_itl', fn: 'p95', color: C.orange }, { label: 'p99', metric: 'llm_itl', fn: 'p99', color: C.red }] },
  { id: 'llm-cost', title: 'LLM cost (cumulative)', unit: 'USD', panel: 'llm', series: [{ label: 'cost', metric: 'llm_cost_usd', fn: 'cumulative', color: C.brown }] },
  { id: 'a2a-duration', title: 'A2A task duration', unit: 'ms', panel: 'a2a', series: [{ label: 'p50', metric: 'a2a_task_duration', fn: 'p50', color: C.green }, { label: 'p95', metric: 'a2a_task_duration', fn: 'p95', color: C.orange }, { label: 'p99', metric: 'a2a_task_duration', fn: 'p99', color: C.red }] },
  { id: 'a2a-submit', title: 'A2A submit and first status', unit: 'ms', panel: 'a2a', series: [{ label: 'submit p95', metric: 'a2a_submit_duration', fn: 'p95', color: C.blue }, { label: 'first status p95', metric: 'a2a_first_status', fn: 'p95', color: C.purple }] },
  { id: 'a2a-throughput', title: 'A2A tasks', unit: '', panel: 'a2a', series: [{ label: 'tasks ended/s', metric: 'a2a_tasks', fn: 'per-second', color: C.blue }, { label: 'completed %', metric: 'a2a_task_completed', fn: 'percent', color: C.green }] },
];

const round = (v: number): number => Math.round(v * 1e4) / 1e4;

/** Intervals shorter than this (seconds) get no per-second rate. */
const MIN_RATE_INTERVAL = 0.5;

/** The interval's total for a metric of the given type. */
function sumOf(s: IntervalStats, type: MetricType | undefined): number {
  if (type === 'trend' || type === 'rate') return s.value * s.count;
  return s.value;
}

/** Per-chart state for building columns one point at a time (the live dashboard appends). */
export class ChartBuilder {
  readonly #types: Map<string, MetricType>;
  #prevElapsed = 0;
  readonly #cumulative = new Map<string, number>();

  constructor(types: ReadonlyMap<string, MetricType> | Readonly<Record<string, MetricType>>) {
    this.#types = types instanceof Map ? new Map(types) : new Map(Object.entries(types));
  }

  /** Learn a metric's type (the dashboard sees metrics appear during the run). */
  setType(metric: string, type: MetricType): void {
    this.#types.set(metric, type);
  }

  /** One row: x and the value of each line of each chart, for the next point (in order). */
  row(point: TimePoint): { x: number; values: Map<string, (number | null)[]> } {
    const dt = point.elapsed - this.#prevElapsed;
    this.#prevElapsed = point.elapsed;
    const values = new Map<string, (number | null)[]>();
    for (const def of TIME_CHARTS) {
      values.set(
        def.id,
        def.series.map((sd) => {
          const s = point.metrics[sd.metric];
          const type = this.#types.get(sd.metric);
          const key = `${def.id}\u0000${sd.label}`;
          switch (sd.fn) {
            case 'per-second':
              // the last interval of a run can be a few milliseconds long: too short to be a rate
              if (dt < MIN_RATE_INTERVAL) return null;
              return s === undefined ? 0 : round(sumOf(s, type) / dt);
            case 'sum':
              return s === undefined ? 0 : round(sumOf(s, type));
            case 'cumulative': {
              const total = (this.#cumulative.get(key) ?? 0) + (s === undefined ? 0 : sumOf(s, type));
              this.#cumulative.set(key, total);
              return round(total);
            }
            case 'percent':
              return s === undefined ? null : round(s.value * 100);
            case 'fail-percent':
              return s === undefined ? null : round((1 - s.value) * 100);
            case 'value':
              return s === undefined ? null : s.value;
            default:
              return s === undefined ? null : (s[sd.fn] ?? null);
          }
        }),
      );
    }
    return { x: point.elapsed, values };
  }
}

/** Whether a chart has anything to draw in these points. */
export function chartHasData(def: TimeChartDef, points: readonly TimePoint[]): boolean {
  return points.some((p) => def.series.some((s) => p.metrics[s.metric] !== undefined));
}

export interface TimeChartOptions {
  /** Also draw these charts when their metrics recorded nothing (e.g. `dropped` for arrival-rate runs: a flat 0 is the news). */
  readonly always?: readonly string[];
}

/**
 * Every time chart with data, as columns over the run's seconds. Lines whose
 * metric recorded nothing are left out (all of a chart's lines are kept when
 * it is shown only because of `always`).
 */
export function timeCharts(points: readonly TimePoint[], types: Readonly<Record<string, MetricType>>, opts: TimeChartOptions = {}): ChartData[] {
  if (points.length === 0) return [];
  const defs = TIME_CHARTS.filter((d) => chartHasData(d, points) || opts.always?.includes(d.id) === true);
  const builder = new ChartBuilder(types);
  const charts = defs.map((d) => emptyChart(d));
  for (const p of points) {
    const r = builder.row(p);
    charts.forEach((c) => appendRow(c, r.x, r.values.get(c.id) ?? []));
  }
  return charts.map((c, i) => {
    const def = defs[i] as TimeChartDef;
    const keep = def.series.map((sd) => points.some((p) => p.metrics[sd.metric] !== undefined));
    if (!keep.some(Boolean)) return c;
    return { ...c, series: c.series.filter((_, j) => keep[j] === true) };
  });
}

export function emptyChart(d: TimeChartDef): ChartData {
  return { id: d.id, title: d.title, unit: d.unit, panel: d.panel, kind: 'time', xLabel: 'seconds', x: [], series: d.series.map((s) => ({ label: s.label, color: s.color, values: [] })) };
}

export function appendRow(c: ChartData, x: number, values: readonly (number | null)[]): void {
  c.x.push(x);
  c.series.forEach((s, i) => s.values.push(values[i] ?? null));
}
