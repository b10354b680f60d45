import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incompleteBeta, logGamma, mean, shiftTest, studentTCdf, studentTQuantile, variance } from '../../src/baseline/statistics.ts';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('logGamma matches factorials and Γ(1/2)', () => {
  close(logGamma(1), 0, 1e-12, 'Γ(1)');
  close(logGamma(5), Math.log(24), 1e-10, 'Γ(5)');
  close(logGamma(10.5), 13.940625219403763, 1e-9, 'Γ(10.5)');
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-12, 'Γ(1/2)');
});

test('incompleteBeta: symmetric and known values', () => {
  close(incompleteBeta(0.5, 2, 2), 0.5, 1e-12, 'I_0.5(2,2)');
  close(incompleteBeta(0.3, 1, 1), 0.3, 1e-12, 'uniform');
  close(incompleteBeta(0.2, 2, 3), 0.1808, 1e-10, 'I_0.2(2,3)');
  assert.equal(incompleteBeta(0, 2, 3), 0);
  assert.equal(incompleteBeta(1, 2, 3), 1);
});

// Table values of Student's t (two-sided 95 % and one-sided 95 % critical values).
const quantiles: [number, number, number][] = [
  [0.975, 1, 12.706204736],
  [0.975, 2, 4.30265273],
  [0.975, 10, 2.228138852],
  [0.95, 5, 2.015048373],
  [0.95, 30, 1.697260887],
  [0.99, 4, 3.746947388],
];

test('studentTQuantile and studentTCdf agree with the t table', () => {
  for (const [p, df, t] of quantiles) {
    close(studentTQuantile(p, df), t, 1e-6, `t(${p}, ${df})`);
    close(studentTCdf(t, df), p, 1e-9, `F(${t}; ${df})`);
    close(studentTCdf(-t, df), 1 - p, 1e-9, `F(-${t}; ${df})`);
  }
  assert.equal(studentTCdf(0, 7), 0.5);
  close(studentTCdf(1.5, 3.7), 1 - studentTCdf(-1.5, 3.7), 1e-12, 'fractional df is symmetric');
  assert.throws(() => studentTQuantile(1, 3), /probability/);
  assert.throws(() => studentTCdf(1, 0), /degrees of freedom/);
});

test('mean and variance', () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  close(variance([1, 2, 3, 4]), 5 / 3, 1e-12, 'variance');
  assert.equal(variance([7]), 0);
});

test('shiftTest: Welch for two samples, prediction interval for one new value', () => {
  // Welch: a = [10, 11, 12], b = [14, 15, 16]: diff 4, se = sqrt(1/3 + 1/3), df = 4
  const w = shiftTest([10, 11, 12], [14, 15, 16], 'up', 0.05);
  assert.ok(w !== undefined);
  assert.equal(w.method, 'welch');
  assert.equal(w.difference, 4);
  close(w.df, 4, 1e-12, 'df');
  close(w.p, 1 - studentTCdf(4 / Math.sqrt(2 / 3), 4), 1e-12, 'p');
  assert.ok(w.p < 0.01);
  // the same data judged "worse when down" is nowhere near significant
  const d = shiftTest([10, 11, 12], [14, 15, 16], 'down', 0.05);
  close(d?.p ?? NaN, 1 - w.p, 1e-12, 'opposite tail');
  // one new run against four: the spread comes from the baseline, df = 3
  const p = shiftTest([10, 11, 12, 13], [20], 'up', 0.05);
  assert.equal(p?.method, 'prediction');
  assert.equal(p?.df, 3);
  close(p?.standardError ?? NaN, Math.sqrt(variance([10, 11, 12, 13]) * (1 / 4 + 1)), 1e-12, 'se');
  // the interval's lower bound is positive exactly when p < alpha
  assert.equal((p?.interval[0] ?? 0) > 0, (p?.p ?? 1) < 0.05);
  // not enough data
  assert.equal(shiftTest([10], [12], 'up', 0.05), undefined);
  assert.equal(shiftTest([], [12, 13], 'up', 0.05), undefined);
  // no spread at all: a shift is certain, no shift is neutral
  assert.equal(shiftTest([0, 0, 0], [0.002], 'up', 0.05)?.p, 0);
  assert.equal(shiftTest([1, 1], [1, 1], 'up', 0.05)?.p, 0.5);
});
