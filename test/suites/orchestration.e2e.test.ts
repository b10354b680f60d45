import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, type TargetHandle } from '../../src/reference-target/index.ts';
import { failedThresholds, runSuite, runSuiteRaw, thresholdMetrics } from './suite-runner.ts';

let target: TargetHandle;
before(async () => {
  target = await startTarget();
});
after(() => target.close());

test('orchestration suite: seed 003 A-D at 1/20 size, each in its window, tallies exact, everything stored', async () => {
  // 1/20: 50 tasks by 5 VUs, 5 agents x 3 proposals, 500 + 5x100 inserts, 50 reads/s; windows 30x shorter
  const r = await runSuite('orchestration', { target: target.url, timeScale: 30, env: { SUITE_SCALE: '0.05', ORCH_CACHE_SECONDS: '60' } });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  const m = (name: string) => s.metrics[name]?.values;
  for (const key of ['http_req_duration', 'http_req_failed', 'task_processing_latency', 'votes_cast', 'vote_tally_exact', 'records_stored', 'dropped_iterations{scenario:cache}', 'cache_hit_rate{mix:0.9}']) {
    assert.ok(thresholdMetrics(s).has(key), key);
  }
  assert.ok(s.agentload.thresholds.some((t) => t.metric === 'http_req_duration' && t.expression === 'max<5000'));
  // A: every task submitted, processed and seen completed
  assert.equal(m('tasks_enqueued')?.count, 50);
  assert.equal(m('task_completed')?.passes, 50);
  assert.equal(m('task_processing_latency')?.count, 50);
  // B: 5 agents x 3 proposals, every tally exact, every second vote refused
  assert.equal(s.agentload.thresholds.find((t) => t.metric === 'votes_cast')?.expression, 'count==15');
  assert.equal(m('votes_cast')?.count, 15);
  assert.equal(m('vote_tally_exact')?.passes, 3);
  assert.equal(m('vote_tally_exact')?.fails, 0);
  assert.equal(s.agentload.endpoints.find((e) => e.name === 'vote_again')?.count, 5);
  // C: 500 single inserts and 5 batches of 100, all stored
  assert.equal(s.agentload.endpoints.find((e) => e.name === 'insert_record')?.count, 500);
  assert.equal(s.agentload.endpoints.find((e) => e.name === 'insert_batch')?.count, 5);
  assert.equal(m('records_stored')?.passes, 1);
  // D: 50 reads/s for 2 s, none dropped
  assert.equal(s.agentload.endpoints.find((e) => e.name === 'cache_read')?.count, 100);
  assert.equal(m('dropped_iterations')?.count ?? 0, 0);
});

test('orchestration suite refuses --profile: fixed amounts of work, exit 104 with the reason', async () => {
  const r = await runSuiteRaw('orchestration', { target: target.url, timeScale: 30, env: { SUITE_SCALE: '0.02' }, args: ['--profile', 'load'] });
  assert.equal(r.code, 104, r.stderr);
  assert.equal(r.summary, null, 'refused before the test starts: no results folder');
  assert.match(r.stdout + r.stderr, /--profile "load" does not apply to this test: the orchestration suite runs fixed amounts of work/);
});
