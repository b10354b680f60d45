/**
 * A deterministic run built from the real metric code (no engine, no clock):
 * HTTP on three endpoints with failures, checks in groups, and optionally the
 * WebSocket, LLM and A2A metrics and hostile strings. Reports are tested on it.
 */
import type { MetricInfo, MetricType, ValueKind } from '../../src/metrics/metric.ts';
import { RunMetrics } from '../../src/metrics/run-metrics.ts';
import { TagSet } from '../../src/metrics/tags.ts';
import { intervalPoint, type TimePoint } from '../../src/metrics/timeseries.ts';
import { seriesFile, type SeriesFile } from '../../src/outputs/results-folder.ts';
import { buildSummary, type Summary } from '../../src/report/summary-json.ts';
import type { RunMeta, RunOutcome, RunStatus } from '../../src/types/run-outcome.ts';

export const EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

export interface SampleOptions {
  /** Record WebSocket, LLM and A2A metrics too. */
  protocols?: boolean;
  /** Put hostile markup in every user-provided string (names, tags, check names, script path, errors). */
  evil?: boolean;
  status?: RunStatus;
  seconds?: number;
  /** An arrival-rate scenario (the report then always charts dropped iterations). */
  arrival?: boolean;
}

export interface SampleRun {
  outcome: RunOutcome;
  summary: Summary;
  timeseries: TimePoint[];
  series: SeriesFile;
}

const START = Date.UTC(2026, 10, 23, 14, 25, 1);

export function sampleRun(opts: SampleOptions = {}): SampleRun {
  const seconds = opts.seconds ?? 5;
  const evil = opts.evil === true;
  const total = new RunMetrics();
  let interval = new RunMetrics();
  const timeseries: TimePoint[] = [];
  const info = (name: string, type: MetricType, contains: ValueKind = 'default'): MetricInfo => ({ name, type, contains });
  const rec = (m: MetricInfo, tags: Record<string, string>, value: number, t: number): void => {
    const ts = TagSet.of(tags);
    total.record(m, ts, value, t);
    interval.record(m, ts, value, t);
  };
  const M = {
    http_reqs: info('http_reqs', 'counter'),
    http_req_duration: info('http_req_duration', 'trend', 'time'),
    http_req_waiting: info('http_req_waiting', 'trend', 'time'),
    http_req_connecting: info('http_req_connecting', 'trend', 'time'),
    http_req_failed: info('http_req_failed', 'rate'),
    iterations: info('iterations', 'counter'),
    iteration_duration: info('iteration_duration', 'trend', 'time'),
    dropped_iterations: info('dropped_iterations', 'counter'),
    checks: info('checks', 'rate'),
    vus: info('vus', 'gauge'),
    vus_max: info('vus_max', 'gauge'),
    ws_connecting: info('ws_connecting', 'trend', 'time'),
    ws_msg_rtt: info('ws_msg_rtt', 'trend', 'time'),
    ws_msgs_sent: info('ws_msgs_sent', 'counter'),
    ws_msgs_received: info('ws_msgs_received', 'counter'),
    ws_reconnects: info('ws_reconnects', 'counter'),
    ws_backpressure_drops: info('ws_backpressure_drops', 'counter'),
    ws_errors: info('ws_errors', 'counter'),
    llm_requests: info('llm_requests', 'counter'),
    llm_ttft: info('llm_ttft', 'trend', 'time'),
    llm_itl: info('llm_itl', 'trend', 'time'),
    llm_output_tokens: info('llm_output_tokens', 'counter'),
    llm_tokens_per_second: info('llm_tokens_per_second', 'trend'),
    llm_cost_usd: info('llm_cost_usd', 'trend'),
    a2a_submit_duration: info('a2a_submit_duration', 'trend', 'time'),
    a2a_task_duration: info('a2a_task_duration', 'trend', 'time'),
    a2a_task_completed: info('a2a_task_completed', 'rate'),
    a2a_tasks: info('a2a_tasks', 'counter'),
  };
  const scenario = evil ? `api${EVIL}` : 'api';
  const endpoints = [
    { name: 'create_run', method: 'POST', perSec: 10, base: 40 },
    { name: 'list_runs', method: 'GET', perSec: 20, base: 12 },
    { name: evil ? EVIL : 'get_run', method: 'GET', perSec: 6, base: 8 },
  ];
  for (let s = 0; s < seconds; s++) {
    const t = START + (s + 1) * 1000;
    rec(M.vus, {}, Math.min(10, 2 * (s + 1)), t);
    rec(M.vus_max, {}, 10, t);
    for (const ep of endpoints) {
      for (let i = 0; i < ep.perSec; i++) {
        const failed = ep.name === 'create_run' && i === 0;
        const tags = { name: ep.name, method: ep.method, scenario, status: failed ? '500' : '200', expected_response: failed ? 'false' : 'true' };
        const d = ep.base + ((i * 7 + s * 3) % 23) + (i === ep.perSec - 1 ? 60 : 0);
        rec(M.http_reqs, tags, 1, t);
        rec(M.http_req_duration, tags, d, t);
        rec(M.http_req_waiting, tags, d * 0.8, t);
        rec(M.http_req_connecting, tags, i === 0 ? 1.5 : 0, t);
        rec(M.http_req_failed, tags, failed ? 1 : 0, t);
      }
    }
    if (s === 2) {
      const tags = { name: 'list_runs', method: 'GET', scenario, status: '0', expected_response: 'false', error_code: 'ECONNREFUSED' };
      rec(M.http_reqs, tags, 1, t);
      rec(M.http_req_duration, tags, 0, t);
      rec(M.http_req_failed, tags, 1, t);
    }
    for (let i = 0; i < 12; i++) {
      rec(M.iterations, { scenario }, 1, t);
      rec(M.iteration_duration, { scenario }, 100 + i, t);
      rec(M.checks, { scenario, group: '::runs', check: 'status is 201' }, i === 0 ? 0 : 1, t);
      rec(M.checks, { scenario, group: '::runs::details', check: evil ? `body ${EVIL}` : 'body has id' }, 1, t);
    }
    if (opts.arrival === true && s === 3) rec(M.dropped_iterations, { scenario }, 4, t);
    if (opts.protocols === true) {
      for (let i = 0; i < 8; i++) {
        rec(M.ws_msg_rtt, { scenario }, 5 + i * 2 + s, t);
        rec(M.ws_msgs_sent, { scenario }, 1, t);
        rec(M.ws_msgs_received, { scenario }, 1, t);
      }
      rec(M.ws_connecting, { scenario }, 3 + s, t);
      if (s === 1) {
        rec(M.ws_reconnects, { scenario }, 1, t);
        rec(M.ws_errors, { scenario, error_code: 'WS_REPLY_TIMEOUT' }, 1, t);
      }
      rec(M.ws_backpressure_drops, { scenario }, s === 3 ? 2 : 0, t);
      for (let i = 0; i < 4; i++) {
        const tags = { scenario, model: 'mock-gpt', status: '200' };
        rec(M.llm_requests, tags, 1, t);
        rec(M.llm_ttft, tags, 200 + i * 25 + s * 5, t);
        for (let k = 0; k < 5; k++) rec(M.llm_itl, tags, 18 + k + i, t);
        rec(M.llm_output_tokens, tags, 64, t);
        rec(M.llm_tokens_per_second, tags, 40 + i, t);
        rec(M.llm_cost_usd, tags, 0.0012, t);
      }
      if (s === 4) rec(M.llm_requests, { scenario, model: 'mock-gpt', status: '429', error_code: 'HTTP_429' }, 1, t);
      for (let i = 0; i < 3; i++) {
        const state = i === 2 && s % 2 === 0 ? 'failed' : 'completed';
        rec(M.a2a_submit_duration, { scenario }, 15 + i, t);
        rec(M.a2a_task_duration, { scenario }, 900 + i * 100 + s * 10, t);
        rec(M.a2a_task_completed, { scenario }, state === 'completed' ? 1 : 0, t);
        rec(M.a2a_tasks, { scenario, state }, 1, t);
      }
    }
    timeseries.push(intervalPoint(interval, t, s + 1));
    interval = new RunMetrics();
  }
  const q = (name: string, sel: [string, string][] = []): number => {
    const a = total.query(name, sel);
    return a === undefined ? 0 : a.quantile(0.95);
  };
  const failed = total.query('http_req_failed');
  const failRate = failed === undefined ? 0 : failed.nonZero / failed.count;
  const meta: RunMeta = {
    tool: 'agentload',
    version: '0.1.0',
    name: evil ? `api-${EVIL}` : 'api',
    script: evil ? `suites/${EVIL}.ts` : 'suites/api.ts',
    suite: 'api',
    profile: 'load',
    environment: 'staging',
    target: 'http://127.0.0.1:8088',
    startedAt: new Date(START).toISOString(),
    endedAt: new Date(START + seconds * 1000).toISOString(),
    durationMs: seconds * 1000,
    gitCommit: '0123456789abcdef0123456789abcdef01234567',
    timeScale: 1,
    workers: 2,
    segment: '1/1',
    scenarios: [{ name: scenario, executor: opts.arrival === true ? 'constant-arrival-rate' : 'ramping-vus', description: evil ? `ramp ${EVIL}` : '0 → 10 VUs over 5s' }],
    status: opts.status ?? 'thresholds-failed',
    exitCode: opts.status === 'passed' ? 0 : opts.status === 'interrupted' ? 105 : 99,
    stopReason: opts.status === 'interrupted' ? 'stopped by SIGINT' : null,
    envKeys: [],
  };
  const outcome: RunOutcome = {
    meta,
    metrics: total,
    thresholds: [
      { key: 'http_req_duration', expression: 'p(95)<500', ok: true, value: q('http_req_duration'), abortOnFail: false },
      { key: 'http_req_failed', expression: 'rate<0.01', ok: failRate < 0.01, value: failRate, abortOnFail: false },
      { key: 'http_req_duration{name:create_run}', expression: 'p(95)<60', ok: q('http_req_duration', [['name', 'create_run']]) < 60, value: q('http_req_duration', [['name', 'create_run']]), abortOnFail: true },
    ],
    errors: [{ message: evil ? `TypeError: ${EVIL}` : "TypeError: Cannot read properties of undefined (reading 'id')", scenario, location: 'suites/api.ts:42:17', count: 3 }],
    timeseries,
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
  };
  return { outcome, summary: buildSummary(outcome), timeseries, series: seriesFile(total) };
}
