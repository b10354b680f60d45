import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordMetric, RunRecord } from '../../src/baseline/run-record.ts';
import type { RunMeta } from '../../src/types/run-outcome.ts';

/** Numbers of a constructed run: latencies in ms, rates as fractions, throughput in req/s. */
export interface RunNumbers {
  p95?: number;
  p99?: number;
  errorRate?: number;
  rps?: number;
  wsP95?: number;
  wsP99?: number;
  /** Extra metrics by canonical key. */
  extra?: Record<string, RecordMetric>;
}

export function meta(over: Partial<RunMeta> = {}): RunMeta {
  return {
    tool: 'agentload',
    version: '0.1.0',
    name: 'api',
    script: '/x/api.ts',
    suite: 'api',
    profile: 'load',
    environment: 'staging',
    target: 'http://127.0.0.1:1',
    startedAt: '2025-02-26T10:00:00.000Z',
    endedAt: '2025-02-26T10:10:00.000Z',
    durationMs: 600_000,
    gitCommit: 'abcdef1234567890',
    timeScale: 1,
    workers: 2,
    segment: '0:1',
    scenarios: [],
    status: 'passed',
    exitCode: 0,
    stopReason: null,
    envKeys: [],
    ...over,
  };
}

export function trend(p95: number, p99: number): RecordMetric {
  return { type: 'trend', contains: 'time', values: { avg: p95 / 2, med: p95 / 2, max: p99 * 1.5, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p99, p95, p99, count: 1000 } };
}

/** A run record with the given numbers. */
export function run(n: RunNumbers, source = 'run', over: Partial<RunMeta> = {}): RunRecord {
  const metrics: Record<string, RecordMetric> = {};
  if (n.p95 !== undefined) metrics.http_req_duration = trend(n.p95, n.p99 ?? n.p95 * 1.5);
  if (n.errorRate !== undefined) metrics.http_req_failed = { type: 'rate', contains: 'default', values: { rate: n.errorRate, passes: Math.round(n.errorRate * 10000), fails: 10000 - Math.round(n.errorRate * 10000) } };
  if (n.rps !== undefined) metrics.http_reqs = { type: 'counter', contains: 'default', values: { count: n.rps * 600, rate: n.rps } };
  if (n.wsP95 !== undefined) metrics.ws_msg_rtt = trend(n.wsP95, n.wsP99 ?? n.wsP95 * 1.5);
  Object.assign(metrics, n.extra ?? {});
  return { source, meta: meta(over), metrics, thresholds: [] };
}

/** Write a results folder (summary.json only) holding a constructed run. */
export function writeRunFolder(dir: string, r: RunRecord): string {
  mkdirSync(dir, { recursive: true });
  const summary = {
    root_group: { name: '', path: '', id: '', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: r.meta?.durationMs ?? 0 },
    metrics: r.metrics,
    agentload: { meta: r.meta, thresholds: r.thresholds, errors: [], endpoints: [] },
  };
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  return dir;
}
