import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

test('backpressure suite: slow and rapid clients get every answer, drops <= 10 and server queue < 1000', async () => {
  // 3 users for 2 minutes / 12 = 10 s; the 5 s reading pause is real time
  const r = await runSuite('backpressure', { target: target.url, timeScale: 12, env: { SUITE_SCALE: '0.3' } });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  assert.deepEqual([...thresholdMetrics(s)].sort(), ['checks', 'ws_backpressure_drops', 'ws_msg_failed', 'ws_server_queue_size']);
  const count = (metric: string): number => s.metrics[metric]?.values.count ?? 0;
  // one session per user, kept across its tasks
  assert.equal(count('ws_sessions'), 3);
  // every message sent was answered (rapid sends come in tens)
  assert.equal(s.metrics.ws_msg_failed?.values.passes, 0);
  assert.equal(count('ws_msg_rtt'), count('ws_msgs_sent'));
  // every server message reported its queue
  assert.equal(count('ws_server_queue_size'), count('ws_msgs_received'));
});
