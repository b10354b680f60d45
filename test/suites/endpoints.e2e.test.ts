import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

const ENDPOINTS = ['health', 'list_tasks', 'create_task', 'list_agents', 'list_dags', 'execute_dag'];

test('endpoints suite: every endpoint offered 1/100 of its seed 002 rate for 5 s meets its p50/p95/p99 and keeps up', async () => {
  // after a 3 s warm-up, 5 minutes at time-scale 60: 5 s at 50 + 10 + 5 + 10 + 8 + 2 requests per second
  const r = await runSuite('endpoints', { target: target.url, timeScale: 60, env: { SUITE_SCALE: '0.01', ENDPOINTS_WARMUP: '180s' } });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  const keys = thresholdMetrics(s);
  for (const e of ENDPOINTS) {
    assert.ok(keys.has(`http_req_duration{name:${e}}`), e);
    assert.ok(keys.has(`dropped_iterations{scenario:${e}}`), e);
  }
  // three percentiles per endpoint, a no-drop rule per endpoint, errors, checks
  assert.equal(s.agentload.thresholds.length, ENDPOINTS.length * 4 + 2);
  assert.ok(s.agentload.thresholds.some((t) => t.metric === 'http_req_duration{name:health}' && t.expression === 'p(99)<20'));
  // open model: every offered request was sent, exactly rate x duration per endpoint
  const expected: Record<string, number> = { health: 250, list_tasks: 50, create_task: 25, list_agents: 50, list_dags: 40, execute_dag: 10 };
  for (const e of ENDPOINTS) assert.equal(s.agentload.endpoints.find((x) => x.name === e)?.count, expected[e], e);
  assert.equal(s.metrics.dropped_iterations?.values.count ?? 0, 0);
  assert.equal(s.metrics.http_req_failed?.values.passes, 0);
});
