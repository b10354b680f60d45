/** What a script's value records as in a custom metric: numbers as is, booleans 1/0, anything else a TypeError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricValue } from '../../src/metrics/custom.ts';

test('finite numbers record as is, true as 1 and false as 0 (k6: Rate.add(false) is a fail, Trend.add(true) is 1)', () => {
  const table: [unknown, number][] = [
    [0, 0],
    [1, 1],
    [-2.5, -2.5],
    [1e300, 1e300],
    [true, 1],
    [false, 0],
  ];
  for (const [v, want] of table) assert.equal(metricValue(v, 'm', 'ctx.record()'), want, String(v));
});

test('anything else throws a TypeError naming the metric and the value', () => {
  const table: [unknown, string][] = [
    ['1', 'the string "1"'],
    ['yes', 'the string "yes"'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [null, 'null'],
    [undefined, 'undefined'],
    [{}, 'an object'],
    [[1], 'an array'],
    [Promise.resolve(1), 'a Promise (await the value first)'],
    [10n, '10n'],
  ];
  for (const [v, shown] of table) {
    assert.throws(
      () => metricValue(v, 'error_rate', 'ctx.record()'),
      (e: Error) => e instanceof TypeError && e.message === `ctx.record(): metric "error_rate" takes a finite number or a boolean (true counts 1, false 0), got ${shown}`,
      shown,
    );
  }
});
