import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/baseline/compare.ts';
import { resolveRules } from '../../src/baseline/rules.ts';
import type { RunRecord } from '../../src/baseline/run-record.ts';
import { Accumulator } from '../../src/metrics/accumulator.ts';
import { valuesOf } from '../../src/metrics/values.ts';
import { meta } from './make-runs.ts';

/** mulberry32: a small seeded generator, so that every simulated run is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(random(), 1e-300))) * Math.cos(2 * Math.PI * random());
}

/**
 * One simulated run: 400 requests whose latencies are log-normal around a
 * median that the run's conditions shift (σ = 0.15 on the log scale, the
 * run-to-run noise of a shared CI machine), 0.5 % errors, and a throughput
 * with the same run-level noise. Latencies go through the real sketch.
 */
function simulatedRun(random: () => number, shift: number, source: string): RunRecord {
  const runEffect = 0.15 * normal(random);
  const median = Math.log(100) + runEffect + Math.log(1 + shift);
  const durations = new Accumulator('trend');
  const failed = new Accumulator('rate');
  for (let i = 0; i < 400; i++) {
    durations.add(Math.exp(median + 0.5 * normal(random)));
    failed.add(random() < 0.005 ? 1 : 0);
  }
  const rps = 150 * Math.exp(-runEffect);
  return {
    source,
    meta: meta(),
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: valuesOf(durations, 'trend', 60) },
      http_req_failed: { type: 'rate', contains: 'default', values: valuesOf(failed, 'rate', 60) },
      http_reqs: { type: 'counter', contains: 'default', values: { count: rps * 60, rate: rps } },
    },
    thresholds: [],
  };
}

const rules = resolveRules();
const SEEDS = 200;
const ALPHA = 0.05;

function rates(nBase: number, nCur: number, shift: number): { regression: number; p95Regression: number; p95Significant: number; p95PastRule: number } {
  let regression = 0;
  let p95Regression = 0;
  let p95Significant = 0;
  let p95PastRule = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = seeded(seed * 7919);
    const base = Array.from({ length: nBase }, (_, i) => simulatedRun(random, 0, `b${i}`));
    const cur = Array.from({ length: nCur }, (_, i) => simulatedRun(random, shift, `c${i}`));
    const r = compareRuns(base, cur, { rules, alpha: ALPHA });
    const row = r.rows.find((x) => x.metric === 'http_req_duration p(95)');
    if (r.regression) regression++;
    if (row?.verdict === 'regression') p95Regression++;
    if (row?.p !== null && row?.p !== undefined && row.p < ALPHA) p95Significant++;
    if (row?.exceeds === true) p95PastRule++;
  }
  return { regression: regression / SEEDS, p95Regression: p95Regression / SEEDS, p95Significant: p95Significant / SEEDS, p95PastRule: p95PastRule / SEEDS };
}

// 200 seeds: the binomial standard error of a 5 % rate is 1.5 %, so alpha + 3 SE is the bound.
const MARGIN = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / SEEDS);

test('identical distributions, 5 baseline runs vs 1: false positives stay within alpha', () => {
  const r = rates(5, 1, 0);
  console.log(`5 vs 1, no change: ${JSON.stringify(r)}`);
  // the noise is large enough that the rule alone would fire often ...
  assert.ok(r.p95PastRule > 0.1, `p95 past +20% in ${r.p95PastRule} of runs`);
  // ... but the test keeps its level, and the verdict stays within alpha
  assert.ok(r.p95Significant <= ALPHA + MARGIN, `p95 significant in ${r.p95Significant}`);
  assert.ok(r.p95Regression <= ALPHA + MARGIN, `p95 regression in ${r.p95Regression}`);
  assert.ok(r.regression <= ALPHA + MARGIN, `any regression in ${r.regression}`);
});

test('identical distributions, 3 vs 3 runs: false positives stay within alpha', () => {
  const r = rates(3, 3, 0);
  console.log(`3 vs 3, no change: ${JSON.stringify(r)}`);
  assert.ok(r.p95Significant <= ALPHA + MARGIN, `p95 significant in ${r.p95Significant}`);
  assert.ok(r.regression <= ALPHA + MARGIN, `any regression in ${r.regression}`);
});

test('single runs, identical distributions: the rule alone fires on noise (why several runs matter)', () => {
  const r = rates(1, 1, 0);
  console.log(`1 vs 1, no change: ${JSON.stringify(r)}`);
  assert.equal(r.p95Significant, 0, 'no test without replicates');
  assert.equal(r.p95Regression, r.p95PastRule);
  assert.ok(r.p95Regression > ALPHA + MARGIN, `single-run false positives: ${r.p95Regression}`);
});

test('a real regression (latency doubled), 5 vs 3 runs: found in nearly every seed', () => {
  const r = rates(5, 3, 1);
  console.log(`5 vs 3, +100%: ${JSON.stringify(r)}`);
  assert.ok(r.p95Regression >= 0.85, `power ${r.p95Regression}`);
});
