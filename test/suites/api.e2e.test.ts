import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

test('api suite: seed 000 shape at 1/10 size, 200x faster, passes its thresholds against the reference target', async () => {
  const r = await runSuite('api', { target: target.url, timeScale: 200, env: { SUITE_SCALE: '0.1' } });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  assert.deepEqual(
    [...thresholdMetrics(s)].sort(),
    ['checks', 'http_req_duration{type:ai}', 'http_req_duration{type:api}', 'http_req_failed', 'http_req_failed{type:ai}', 'http_req_failed{type:api}', 'http_reqs{type:api}'],
  );
  assert.equal(s.agentload.thresholds.length, 9);
  assert.ok(s.agentload.thresholds.every((t) => t.ok));
  // the throughput floor is seed 000's 100 req/s scaled with the users
  assert.ok(s.agentload.thresholds.some((t) => t.metric === 'http_reqs{type:api}' && t.expression === 'rate>10'));
  // the spike: 150 users at full size
  assert.equal(s.metrics.vus_max?.values.value, 15);
  const count = (name: string): number => s.agentload.endpoints.find((e) => e.name === name)?.count ?? 0;
  assert.ok(count('create_run') > 0 && count('list_runs') > 0 && count('get_run') > 0);
  // a VU deletes only runs it created, and gets only runs that still exist
  assert.ok(count('delete_run') <= count('create_run'));
  assert.equal(s.metrics.http_req_failed?.values.passes ?? 0, 0);
  assert.equal(s.agentload.meta.suite, 'api');
});
