import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

test('platform suite, --profile baseline: seed 004 users at 1/10 size, 60x faster, meet the baseline targets and cost per request', async () => {
  const r = await runSuite('platform', { target: target.url, timeScale: 60, env: { SUITE_SCALE: '0.1' }, args: ['--profile', 'baseline'] });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  assert.equal(s.agentload.meta.profile, 'baseline');
  assert.deepEqual(
    [...thresholdMetrics(s)].sort(),
    ['checks', 'http_req_duration{type:ai}', 'http_req_duration{type:api}', 'http_req_failed', 'llm_cost_usd', 'ws_msg_failed', 'ws_msg_rtt{name:heartbeat}'],
  );
  const expr = (metric: string): string[] => s.agentload.thresholds.filter((t) => t.metric === metric).map((t) => t.expression);
  assert.deepEqual(expr('http_req_duration{type:api}'), ['p(95)<500', 'p(99)<1000']);
  assert.deepEqual(expr('ws_msg_rtt{name:heartbeat}'), ['p(95)<100', 'p(99)<200']);
  assert.deepEqual(expr('http_req_failed'), ['rate<0.001']);
  // 100 users at full size, half REST, half WebSocket
  assert.equal(s.metrics.vus_max?.values.value, 10);
  // one /ws/chat session per WebSocket user, kept across its tasks
  assert.equal(s.metrics.ws_sessions?.values.count, 5);
  // every AI request was priced: chat and workflow over HTTP, answers over the socket
  const count = (name: string): number => s.agentload.endpoints.find((e) => e.name === name)?.count ?? 0;
  assert.ok(count('chat') + count('workflow') > 0);
  // strictly more prices than HTTP AI requests: the answers over /ws/chat are priced too
  assert.ok((s.metrics.llm_cost_usd?.values.count ?? 0) > count('chat') + count('workflow'));
});
