import type { RunMetrics } from './run-metrics.ts';

/** One metric's numbers for one second. */
export interface IntervalStats {
  count: number;
  /** counters: sum; rates: share of non-zero; gauges: last value; trends: average */
  value: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

/** One point of the per-second time series kept with every run (charts, dashboard). */
export interface TimePoint {
  /** Epoch ms at the end of the interval. */
  t: number;
  /** Seconds since the test started. */
  elapsed: number;
  metrics: Record<string, IntervalStats>;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

/** Compact per-second stats of everything recorded in one interval. */
export function intervalPoint(interval: RunMetrics, t: number, elapsedSec: number): TimePoint {
  const metrics: Record<string, IntervalStats> = {};
  for (const [name, m] of interval.metrics) {
    const a = m.total;
    if (a.count === 0) continue;
    switch (m.info.type) {
      case 'counter':
        metrics[name] = { count: a.count, value: r3(a.sum) };
        break;
      case 'gauge':
        metrics[name] = { count: a.count, value: r3(a.last), max: r3(a.max) };
        break;
      case 'rate':
        metrics[name] = { count: a.count, value: r3(a.nonZero / a.count) };
        break;
      case 'trend':
        metrics[name] = {
          count: a.count,
          value: r3(a.sum / a.count),
          p50: r3(a.quantile(0.5)),
          p95: r3(a.quantile(0.95)),
          p99: r3(a.quantile(0.99)),
          max: r3(a.max),
        };
        break;
    }
  }
  return { t, elapsed: r3(elapsedSec), metrics };
}
