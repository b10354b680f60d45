import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Accumulator } from '../../src/metrics/accumulator.ts';

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** k6's exact percentile (metrics/sink.go): rank q·(n−1), linear interpolation between its neighbours. */
function exactQuantile(sorted: Float64Array, q: number): number {
  const i = q * (sorted.length - 1);
  const lo = sorted[Math.floor(i)] as number;
  const hi = sorted[Math.ceil(i)] as number;
  return lo + (hi - lo) * (i - Math.floor(i));
}

const distributions: [string, (r: () => number) => number][] = [
  ['lognormal latencies (ms)', (r) => Math.exp(3 + 1.2 * Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r()))],
  ['uniform 0.1–2000', (r) => 0.1 + r() * 1999.9],
  ['bimodal (cache hit/miss)', (r) => (r() < 0.8 ? 1 + r() : 200 + r() * 50)],
  ['exponential sub-ms', (r) => -Math.log(1 - r()) * 0.3],
];

for (const [name, draw] of distributions) {
  test(`percentiles within 1% of exact: ${name}`, () => {
    const r = rng(42);
    const n = 200_000;
    const values = new Float64Array(n);
    const acc = new Accumulator('trend');
    for (let i = 0; i < n; i++) {
      const v = draw(r);
      values[i] = v;
      acc.add(v);
    }
    values.sort();
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      const got = acc.quantile(q);
      const rel = Math.abs(got - exact) / exact;
      assert.ok(rel <= 0.01, `p${q * 100}: got ${got}, exact ${exact} (relative error ${rel})`);
    }
    assert.equal(acc.count, n);
    assert.equal(acc.min, values[0]);
    assert.equal(acc.max, values[n - 1]);
  });
}

test('few samples: percentiles interpolate between ranks as k6 does and stay inside the data', () => {
  const two = new Accumulator('trend');
  two.add(10);
  two.add(1000);
  // ranks 0 and n−1 are the exact min and max, so with two samples k6's formula is exact
  assert.equal(two.quantile(0.5), 505);
  assert.equal(two.quantile(0.9), 10 + 990 * 0.9);
  assert.equal(two.quantile(0.999), 10 + 990 * 0.999);
  const three = new Accumulator('trend');
  for (const v of [100, 100, 5000]) three.add(v);
  const avg = three.sum / three.count;
  // lower-rank estimation gave p(99.9) = 100, far below the average of 1733
  assert.ok(three.quantile(0.999) > avg, `p(99.9) ${three.quantile(0.999)} vs avg ${avg}`);
  assert.ok(Math.abs(three.quantile(0.999) - (100 + 4900 * 0.998)) / 5000 < 0.01);
  const one = new Accumulator('trend');
  one.add(42);
  for (const q of [0, 0.5, 0.95, 0.999, 1]) assert.equal(one.quantile(q), 42);
  const r = rng(3);
  for (let n = 2; n < 40; n++) {
    const a = new Accumulator('trend');
    for (let i = 0; i < n; i++) a.add(r() * 100);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const v = a.quantile(q);
      assert.ok(v >= a.min && v <= a.max, `n=${n} q=${q}: ${v} outside [${a.min}, ${a.max}]`);
    }
  }
});

test('merging encoded accumulators is exact (split across 4 "workers")', () => {
  const r = rng(7);
  const whole = new Accumulator('trend');
  const parts = [0, 1, 2, 3].map(() => new Accumulator('trend'));
  for (let i = 0; i < 100_000; i++) {
    const v = r() < 0.01 ? -r() * 10 : r() < 0.02 ? 0 : r() * 1000;
    whole.add(v);
    (parts[i % 4] as Accumulator).add(v);
  }
  const merged = new Accumulator('trend');
  for (const p of parts) merged.merge(structuredClone(p.encode()));
  assert.equal(merged.count, whole.count);
  assert.equal(merged.min, whole.min);
  assert.equal(merged.max, whole.max);
  assert.ok(Math.abs(merged.sum - whole.sum) < 1e-6 * Math.abs(whole.sum));
  for (const q of [0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.9999]) assert.equal(merged.quantile(q), whole.quantile(q), `q=${q}`);
});

test('memory stays bounded: a million samples keep a few thousand bins', () => {
  const acc = new Accumulator('trend');
  const r = rng(1);
  for (let i = 0; i < 1_000_000; i++) acc.add(0.01 + r() * 60_000);
  const enc = acc.encode();
  assert.ok((enc.sketch?.pos?.c.length ?? 0) < 4000, `bins: ${enc.sketch?.pos?.c.length}`);
});

test('rate, counter and gauge accumulate as k6 metrics do', () => {
  const rate = new Accumulator('rate');
  for (const v of [1, 0, 1, 1]) rate.add(v);
  assert.equal(rate.nonZero, 3);
  assert.equal(rate.count, 4);
  const gauge = new Accumulator('gauge');
  gauge.add(5, 1);
  gauge.add(2, 2);
  const other = new Accumulator('gauge');
  other.add(9, 3);
  gauge.merge(other.encode());
  assert.equal(gauge.last, 9);
  assert.equal(gauge.min, 2);
  assert.equal(gauge.max, 9);
});
