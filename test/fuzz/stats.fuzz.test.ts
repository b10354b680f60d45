/** Property-based fuzzing of statistic names: summaryTrendStats and percentiles (src/metrics/values.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Accumulator } from '../../src/metrics/accumulator.ts';
import type { MetricType } from '../../src/metrics/metric.ts';
import { percentileOf, statOf, valuesOf } from '../../src/metrics/values.ts';
import { check, fc, glue, mostly, numberText, userText } from './fuzz-kit.ts';

const STAT_TOKENS = ['avg', 'min', 'med', 'max', 'count', 'rate', 'value', 'passes', 'fails', 'p(', ')', 'p', '95', '99.9', '100', '101', ' ', '__proto__', 'constructor'];
const statName = mostly(glue(fc.constantFrom('p(', 'p( ', 'p', 'P('), numberText, fc.constantFrom(')', ' )', '', '))')), userText(STAT_TOKENS, 4));

test('percentileOf: a fraction in [0, 1] exactly for "p(N)" with 0 <= N <= 100, else undefined; never NaN', () => {
  check('stats:percentile', [statName], (s) => {
    const q = percentileOf(s);
    const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(s);
    const expected = m !== null && Number(m[1]) <= 100;
    assert.equal(q !== undefined, expected, `${JSON.stringify(s)} → ${q}`);
    if (q !== undefined) assert.ok(Number.isFinite(q) && q >= 0 && q <= 1 && Math.abs(q - Number(m?.[1]) / 100) < 1e-12, `${s} → ${q}`);
  });
});

function accumulator(type: MetricType, values: readonly number[]): Accumulator {
  const acc = new Accumulator(type);
  for (const v of values) acc.add(v, 1);
  return acc;
}

test('statOf / valuesOf with any summaryTrendStats names: finite numbers or nothing, never an exception', () => {
  const samples = fc.array(fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constantFrom(0, 1)), { maxLength: 30 });
  check('stats:values', [fc.constantFrom<MetricType>('counter', 'gauge', 'rate', 'trend'), samples, fc.array(statName, { maxLength: 6 }), fc.constantFrom(0, 0.5, 10)], (type, values, stats, durationSec) => {
    const acc = accumulator(type, values);
    for (const s of stats) {
      const v = statOf(acc, type, s, durationSec);
      if (v !== undefined) assert.ok(Number.isFinite(v), `${type} ${s} = ${v}`);
    }
    const out = valuesOf(acc, type, durationSec, stats);
    for (const [k, v] of Object.entries(out)) assert.ok(Number.isFinite(v), `${type} ${k} = ${v}`);
    if (type === 'trend') for (const s of stats) if (percentileOf(s) !== undefined) assert.ok(Object.hasOwn(out, s), `${s} missing from the summary`);
  });
});
