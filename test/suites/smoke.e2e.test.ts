import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, runSuiteRaw } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

const GROUPS = ['health', 'runs', 'chat', 'chat_stream', 'workflow', 'analytics', 'llm', 'a2a_rpc', 'a2a_rest', 'ws_collaboration', 'ws_chat', 'tasks', 'agents', 'dags', 'proposals', 'records'];

test('smoke suite: 1 VU touches every interface of the reference target and every group passes', async () => {
  const r = await runSuite('smoke', { target: target.url, timeScale: 30 });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  for (const g of GROUPS) {
    const t = s.agentload.thresholds.find((x) => x.metric === `checks{group:::${g}}`);
    assert.ok(t?.ok === true && t.value === 1, g);
  }
  assert.equal(s.agentload.thresholds.length, GROUPS.length + 2);
  assert.equal(s.metrics.vus_max?.values.value, 1);
  assert.ok((s.metrics.iterations?.values.count ?? 0) >= 1);
  // the protocols each interface speaks were all used
  for (const m of ['http_reqs', 'sse_events', 'llm_ttft', 'ws_sessions', 'ws_msg_rtt', 'a2a_request_duration']) assert.ok((s.metrics[m]?.values.count ?? 0) > 0, m);
  assert.equal(s.metrics.a2a_task_completed?.values.passes, 2 * (s.metrics.iterations?.values.count ?? 0));
  assert.equal(s.metrics.http_req_failed?.values.passes, 0);
});

test('smoke suite against a target that is not there: setup names the URL, exit 107', async () => {
  const r = await runSuiteRaw('smoke', { target: 'http://127.0.0.1:9', timeScale: 30 });
  assert.equal(r.code, 107);
  assert.match(r.stderr, /the target does not answer http:\/\/127\.0\.0\.1:9\/health/);
});
