/** WakeableSleep (src/util/wakeable-sleep.ts) on node:test's mock timers. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { WakeableSleep } from '../../src/util/wakeable-sleep.ts';

const MAX_TIMER_MS = 2_147_483_647;

/** Mock setTimeout and record every delay asked of it. */
function mockTimers(t: TestContext): number[] {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const delays: number[] = [];
  const mocked = globalThis.setTimeout;
  t.mock.method(globalThis, 'setTimeout', (fn: () => void, ms: number) => {
    delays.push(ms);
    return mocked(fn, ms);
  });
  return delays;
}

test('sleep resolves after its time, or at wake()', async (t) => {
  mockTimers(t);
  const s = new WakeableSleep();
  let done = false;
  const p = s.sleep(1000).then(() => (done = true));
  t.mock.timers.tick(999);
  await Promise.resolve();
  assert.equal(done, false);
  t.mock.timers.tick(1);
  await p;
  assert.equal(done, true);
  let woken = false;
  const q = s.sleep(60_000).then(() => (woken = true));
  s.wake();
  await q;
  assert.equal(woken, true);
});

test('a sleep longer than a Node timer can wait (2^31 − 1 ms) waits in steps instead of firing at once', async (t) => {
  const delays = mockTimers(t);
  const s = new WakeableSleep();
  const long = 3 * MAX_TIMER_MS + 5;
  let done = false;
  const p = s.sleep(long).then(() => (done = true));
  for (let i = 0; i < 3; i++) {
    t.mock.timers.tick(MAX_TIMER_MS);
    await Promise.resolve();
    assert.equal(done, false, `still asleep after ${i + 1} steps`);
  }
  t.mock.timers.tick(5);
  await p;
  assert.equal(done, true);
  assert.deepEqual(delays, [MAX_TIMER_MS, MAX_TIMER_MS, MAX_TIMER_MS, 5], 'no delay past what a timer takes');
  // wake() ends a long sleep between steps too
  const q = s.sleep(long);
  t.mock.timers.tick(MAX_TIMER_MS);
  s.wake();
  await q;
});
