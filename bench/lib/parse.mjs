// Each tool's own report, reduced to the same shape: request count and
// latency percentiles in milliseconds. A report that cannot be read throws
// with the tool's name.
import { readFileSync } from 'node:fs';

/**
 * @typedef {{ requests: number, rate: number, p50: number, p90: number, p99: number, max: number, errors: number }} LatencyReport
 */

function fail(tool, why, text) {
  const tail = text.trim().split('\n').slice(-3).join(' | ');
  return new Error(`${tool}: ${why}${tail === '' ? '' : ` (output: ${tail.slice(0, 300)})`}`);
}

/** wrk with bench/peers/wrk-report.lua: the BENCH_JSON line. */
export function wrkReport(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (line === undefined) throw fail('wrk', 'no BENCH_JSON line', stdout);
  const j = JSON.parse(line.slice(11));
  return { requests: j.requests, rate: j.requests / (j.duration_us / 1e6), p50: j.p50_us / 1000, p90: j.p90_us / 1000, p99: j.p99_us / 1000, max: j.max_us / 1000, errors: j.errors };
}

/** autocannon -j: JSON on stdout (latencies in ms). */
export function autocannonReport(stdout) {
  const start = stdout.indexOf('{');
  if (start === -1) throw fail('autocannon', 'no JSON report', stdout);
  const j = JSON.parse(stdout.slice(start));
  return {
    requests: j.requests.total,
    rate: j.requests.total / j.duration,
    p50: j.latency.p50,
    p90: j.latency.p90,
    p99: j.latency.p99,
    max: j.latency.max,
    errors: j.errors + j.timeouts + j.non2xx,
  };
}

/** hey's text summary (seconds with 4 decimals). */
export function heyReport(stdout) {
  const num = (re) => {
    const m = stdout.match(re);
    return m === null ? NaN : Number(m[1]);
  };
  const rate = num(/Requests\/sec:\s+([\d.]+)/);
  if (!Number.isFinite(rate)) throw fail('hey', 'no "Requests/sec" in its summary', stdout);
  const ok = [...stdout.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)];
  const requests = ok.reduce((a, m) => a + Number(m[2]), 0);
  const errors = ok.filter((m) => m[1] !== '200').reduce((a, m) => a + Number(m[2]), 0) + [...stdout.matchAll(/\[(\d+)\]\s+Get /g)].reduce((a, m) => a + Number(m[1]), 0);
  return { requests, rate, p50: num(/50% in ([\d.]+) secs/) * 1000, p90: num(/90% in ([\d.]+) secs/) * 1000, p99: num(/99% in ([\d.]+) secs/) * 1000, max: num(/Slowest:\s+([\d.]+) secs/) * 1000, errors };
}

/** agentload --summary-export FILE (k6 summary shape, times in ms). */
export function agentloadReport(file) {
  let s;
  try {
    s = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`agentload: cannot read its summary ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const d = s.metrics.http_req_duration?.values ?? {};
  const reqs = s.metrics.http_reqs?.values ?? {};
  const failedRate = s.metrics.http_req_failed?.values.rate ?? 0;
  return {
    requests: reqs.count ?? 0,
    rate: reqs.rate ?? NaN,
    p50: d.med ?? NaN,
    p90: d['p(90)'] ?? NaN,
    p99: d['p(99)'] ?? NaN,
    max: d.max ?? NaN,
    errors: Math.round(failedRate * (reqs.count ?? 0)),
    dropped: s.metrics.dropped_iterations?.values.count ?? 0,
    lagP99: s.metrics.iteration_lag?.values['p(99)'] ?? NaN,
  };
}

/** artillery run --output FILE: the aggregate report. */
export function artilleryReport(file) {
  let j;
  try {
    j = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`artillery: cannot read its report ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const a = j.aggregate;
  const rt = a.summaries?.['http.response_time'] ?? {};
  const requests = a.counters?.['http.requests'] ?? 0;
  const seconds = (Number(a.lastCounterAt) - Number(a.firstCounterAt)) / 1000;
  const errors = Object.entries(a.counters ?? {})
    .filter(([k]) => k.startsWith('errors.'))
    .reduce((s, [, v]) => s + Number(v), 0);
  return { requests, rate: seconds > 0 ? requests / seconds : NaN, p50: rt.median ?? NaN, p90: rt.p90 ?? NaN, p99: rt.p99 ?? NaN, max: rt.max ?? NaN, errors };
}
