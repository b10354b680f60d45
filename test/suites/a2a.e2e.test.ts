import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

test('a2a suite: seed 000 agents at 1/10 size, 120x faster: submission, execution, throughput and completion thresholds pass', async () => {
  const r = await runSuite('a2a', { target: target.url, timeScale: 120, env: { SUITE_SCALE: '0.1' } });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  assert.deepEqual([...thresholdMetrics(s)].sort(), ['a2a_submit_duration', 'a2a_task_completed', 'a2a_tasks_submitted', 'checks', 'http_req_duration{name:a2a_execute}', 'http_req_failed']);
  assert.ok(s.agentload.thresholds.some((t) => t.metric === 'a2a_tasks_submitted' && t.expression === 'rate>5'));
  assert.equal(s.metrics.vus_max?.values.value, 12);
  const count = (name: string): number => s.agentload.endpoints.find((e) => e.name === name)?.count ?? 0;
  // every acknowledged submission is counted once, and timed once
  assert.equal(s.metrics.a2a_tasks_submitted?.values.count, count('a2a_submit'));
  assert.equal(s.metrics.a2a_submit_duration?.values.count, count('a2a_submit'));
  // every executed task was followed to its end, and only those count for completion
  assert.ok(count('a2a_execute') > 0);
  assert.equal(s.metrics.a2a_task_completed?.values.passes, count('a2a_execute'));
  assert.equal(s.metrics.a2a_task_completed?.values.fails, 0);
  // an agent only cancels or executes tasks it submitted
  assert.ok(count('a2a_cancel') + count('a2a_execute') <= count('a2a_submit'));
});
