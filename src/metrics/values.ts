import type { Accumulator } from './accumulator.ts';
import type { MetricType } from './metric.ts';

/** Trend statistics reported by default (k6's set plus p(99)). */
export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const;

export type MetricValues = Record<string, number>;

/** Nine significant digits: stable JSON without losing tiny values such as a cost of $0.000003. */
function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(9)) : 0;
}

/** Parse `p(95)` → 0.95; undefined when the stat is not a percentile. */
export function percentileOf(stat: string): number | undefined {
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n >= 0 && n <= 100 ? n / 100 : undefined;
}

/** One aggregation of an accumulator, as thresholds and summaries name them. */
export function statOf(acc: Accumulator, type: MetricType, stat: string, durationSec: number): number | undefined {
  switch (stat) {
    case 'count':
      return type === 'counter' ? acc.sum : acc.count;
    case 'rate':
      if (type === 'counter') return durationSec > 0 ? acc.sum / durationSec : 0;
      if (type === 'rate') return acc.count === 0 ? 0 : acc.nonZero / acc.count;
      return undefined;
    case 'value':
      return type === 'gauge' ? (acc.count === 0 ? 0 : acc.last) : undefined;
    case 'avg':
      return acc.count === 0 ? 0 : acc.sum / acc.count;
    case 'min':
      return acc.count === 0 ? 0 : acc.min;
    case 'max':
      return acc.count === 0 ? 0 : acc.max;
    case 'med':
      return type === 'trend' ? acc.quantile(0.5) : undefined;
    case 'passes':
      return type === 'rate' ? acc.nonZero : undefined;
    case 'fails':
      return type === 'rate' ? acc.count - acc.nonZero : undefined;
    default: {
      const q = percentileOf(stat);
      if (q === undefined || type !== 'trend') return undefined;
      return acc.quantile(q);
    }
  }
}

/**
 * The `values` object of k6's summary for one metric, plus plain `p90`/`p95`/`p99`
 * aliases so that `jq '.metrics.http_req_duration.values.p95'` works.
 */
export function valuesOf(acc: Accumulator, type: MetricType, durationSec: number, trendStats: readonly string[] = DEFAULT_TREND_STATS): MetricValues {
  const v: MetricValues = {};
  switch (type) {
    case 'counter':
      v.count = round(acc.sum);
      v.rate = round(durationSec > 0 ? acc.sum / durationSec : 0);
      break;
    case 'gauge':
      v.value = round(acc.count === 0 ? 0 : acc.last);
      v.min = round(acc.count === 0 ? 0 : acc.min);
      v.max = round(acc.count === 0 ? 0 : acc.max);
      break;
    case 'rate':
      v.rate = round(acc.count === 0 ? 0 : acc.nonZero / acc.count);
      v.passes = acc.nonZero;
      v.fails = acc.count - acc.nonZero;
      break;
    case 'trend':
      for (const s of trendStats) {
        const x = statOf(acc, type, s, durationSec);
        if (x !== undefined) v[s] = round(x);
      }
      for (const p of ['p(90)', 'p(95)', 'p(99)']) {
        const x = statOf(acc, type, p, durationSec);
        if (x !== undefined) v[p.replace(/[()]/g, '')] = round(x);
      }
      v.count = acc.count;
      break;
  }
  return v;
}
