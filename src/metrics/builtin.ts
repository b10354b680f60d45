import { MetricRegistry, type MetricHandle } from './metric.ts';

/** The thread-wide registry every protocol and the engine record into. */
export const registry = new MetricRegistry();

function m(name: string, type: 'counter' | 'gauge' | 'rate' | 'trend', contains: 'default' | 'time' | 'data' = 'default'): MetricHandle {
  return registry.define(name, type, contains);
}

/** Built-in metrics, k6 names and meanings where k6 has them (see docs/metrics.md). */
export const builtin = {
  // execution
  vus: m('vus', 'gauge'),
  vus_max: m('vus_max', 'gauge'),
  iterations: m('iterations', 'counter'),
  iteration_duration: m('iteration_duration', 'trend', 'time'),
  iteration_lag: m('iteration_lag', 'trend', 'time'),
  dropped_iterations: m('dropped_iterations', 'counter'),
  iteration_errors: m('iteration_errors', 'counter'),
  checks: m('checks', 'rate'),
  group_duration: m('group_duration', 'trend', 'time'),
  data_sent: m('data_sent', 'counter', 'data'),
  data_received: m('data_received', 'counter', 'data'),
  // http
  http_reqs: m('http_reqs', 'counter'),
  http_req_duration: m('http_req_duration', 'trend', 'time'),
  http_req_blocked: m('http_req_blocked', 'trend', 'time'),
  http_req_connecting: m('http_req_connecting', 'trend', 'time'),
  http_req_tls_handshaking: m('http_req_tls_handshaking', 'trend', 'time'),
  http_req_sending: m('http_req_sending', 'trend', 'time'),
  http_req_waiting: m('http_req_waiting', 'trend', 'time'),
  http_req_receiving: m('http_req_receiving', 'trend', 'time'),
  http_req_failed: m('http_req_failed', 'rate'),
} as const;

export type BuiltinMetricName = keyof typeof builtin;
