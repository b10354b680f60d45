/**
 * Signals during a run (StopGuard): the first stops gracefully, the second stops now and bounds how long
 * the command may still take; a signal while the results are written only says so. Fake timers: the
 * bound is asserted by advancing the clock, never by waiting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopGuard, STOP_BOUND_MS } from '../../src/cli/stop-guard.ts';

function setup(boundMs?: number): { guard: StopGuard; calls: string[]; lines: string[] } {
  const calls: string[] = [];
  const lines: string[] = [];
  const guard = new StopGuard(
    { stop: (r) => calls.push(`stop:${r}`), hardStop: (r) => calls.push(`hard:${r}`) },
    { log: (l) => lines.push(l), force: () => calls.push('force'), boundMs },
  );
  return { guard, calls, lines };
}

test('first signal stops gracefully, second stops now; the bound forces the end if the run has not returned', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { guard, calls, lines } = setup();
  guard.onSignal('SIGINT');
  assert.deepEqual(calls, ['stop:stopped by SIGINT']);
  assert.equal(guard.hard, false);
  guard.onSignal('SIGTERM');
  assert.deepEqual(calls, ['stop:stopped by SIGINT', 'hard:stopped by SIGTERM']);
  assert.equal(guard.hard, true);
  assert.match(lines[1] ?? '', /SIGTERM: stopping now/);
  t.mock.timers.tick(STOP_BOUND_MS - 1);
  assert.equal(calls.includes('force'), false);
  t.mock.timers.tick(1);
  assert.deepEqual(calls.filter((c) => c === 'force'), ['force']);
  // more signals do not arm a second bound
  guard.onSignal('SIGINT');
  t.mock.timers.tick(STOP_BOUND_MS * 2);
  assert.deepEqual(calls.filter((c) => c === 'force'), ['force']);
});

test('a run that returns within the bound is never forced', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { guard, calls } = setup(500);
  guard.onSignal('SIGINT');
  guard.onSignal('SIGINT');
  t.mock.timers.tick(499);
  guard.writing();
  guard.finished();
  t.mock.timers.tick(10_000);
  assert.deepEqual(calls, ['stop:stopped by SIGINT', 'hard:stopped by SIGINT']);
});

test('signals while the results are written do not stop anything; two of them still bound the command', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { guard, calls, lines } = setup(1000);
  guard.writing();
  guard.onSignal('SIGINT');
  assert.deepEqual(calls, []);
  assert.match(lines[0] ?? '', /writing the summary/);
  t.mock.timers.tick(5000);
  assert.deepEqual(calls, []);
  guard.onSignal('SIGINT');
  assert.deepEqual(calls, []);
  t.mock.timers.tick(1000);
  assert.deepEqual(calls, ['force']);
});

test('a single signal never forces: the graceful stop takes as long as gracefulStop says', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { guard, calls } = setup(100);
  guard.onSignal('SIGINT');
  t.mock.timers.tick(3_600_000);
  assert.deepEqual(calls, ['stop:stopped by SIGINT']);
  assert.equal(guard.signals, 1);
});

test('signals after the command finished are ignored', () => {
  const { guard, calls } = setup();
  guard.finished();
  guard.onSignal('SIGINT');
  guard.onSignal('SIGINT');
  assert.deepEqual(calls, []);
});

