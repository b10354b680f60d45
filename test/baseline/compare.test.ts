import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, MismatchError, type ComparisonResult, type Verdict } from '../../src/baseline/compare.ts';
import { InputError } from '../../src/baseline/baseline-file.ts';
import { resolveRules } from '../../src/baseline/rules.ts';
import { comparisonMarkdown, comparisonText, comparisonView } from '../../src/baseline/comparison-text.ts';
import { run, trend, type RunNumbers } from './make-runs.ts';

const rules = resolveRules();
const BASE: RunNumbers = { p95: 400, p99: 800, errorRate: 0.002, rps: 150, wsP95: 80, wsP99: 150 };

function verdicts(r: ComparisonResult): Record<string, Verdict> {
  return Object.fromEntries(r.rows.map((row) => [row.metric, row.verdict]));
}

function single(current: RunNumbers, base: RunNumbers = BASE): ComparisonResult {
  return compareRuns([run(base, 'base')], [run({ ...base, ...current }, 'cur')], { rules });
}

// [what changed, the row, its expected verdict]: just past each seed 004 rule is a regression, at or within it is not.
const cases: [string, RunNumbers, string, Verdict][] = [
  ['p95 +20% exactly', { p95: 480 }, 'http_req_duration p(95)', 'ok'],
  ['p95 +20.5%', { p95: 482 }, 'http_req_duration p(95)', 'regression'],
  ['p95 -25%', { p95: 300 }, 'http_req_duration p(95)', 'improvement'],
  ['p99 +25% exactly', { p99: 1000 }, 'http_req_duration p(99)', 'ok'],
  ['p99 +26%', { p99: 1008 }, 'http_req_duration p(99)', 'regression'],
  ['ws p95 +15% exactly', { wsP95: 92 }, 'ws_msg_rtt p(95)', 'ok'],
  ['ws p95 +16%', { wsP95: 92.8 }, 'ws_msg_rtt p(95)', 'regression'],
  ['ws p99 +20% exactly', { wsP99: 180 }, 'ws_msg_rtt p(99)', 'ok'],
  ['ws p99 +21%', { wsP99: 181.5 }, 'ws_msg_rtt p(99)', 'regression'],
  ['errors +0.1pp exactly', { errorRate: 0.003 }, 'http_req_failed rate', 'ok'],
  ['errors +0.11pp', { errorRate: 0.0031 }, 'http_req_failed rate', 'regression'],
  ['errors x10 but below +0.1pp', { errorRate: 0.0029 }, 'http_req_failed rate', 'ok'],
  ['throughput -10% exactly', { rps: 135 }, 'http_reqs rate', 'ok'],
  ['throughput -11%', { rps: 133.5 }, 'http_reqs rate', 'regression'],
  ['throughput +40%', { rps: 210 }, 'http_reqs rate', 'improvement'],
];

test('single run each side: each seed rule, just inside and just past it', () => {
  for (const [what, change, metric, expected] of cases) {
    const r = single(change);
    const v = verdicts(r);
    assert.equal(v[metric], expected, `${what}: ${metric}`);
    // nothing else moved, so nothing else is flagged
    for (const [m, verdict] of Object.entries(v)) if (m !== metric) assert.equal(verdict, 'ok', `${what}: ${m}`);
    assert.equal(r.regression, expected === 'regression', what);
    assert.equal(r.mode, 'single-run');
    assert.match(r.note, /single run on each side/);
    for (const row of r.rows) {
      assert.equal(row.p, null);
      assert.equal(row.confidence, null);
    }
  }
});

test('rows carry exact values and changes', () => {
  const r = single({ p95: 500, errorRate: 0.0045 });
  const p95 = r.rows.find((row) => row.metric === 'http_req_duration p(95)');
  assert.equal(p95?.baseline, 400);
  assert.equal(p95?.current, 500);
  assert.ok(Math.abs((p95?.change ?? 0) - 0.25) < 1e-12);
  assert.equal(p95?.rule, '+20%');
  const err = r.rows.find((row) => row.metric === 'http_req_failed rate');
  assert.ok(Math.abs((err?.change ?? 0) - 0.0025) < 1e-12, 'points change is the rate difference');
  assert.equal(r.regressions, 2);
  assert.equal(r.verdict, 'regression');
});

test('a metric on one side only is "missing", not a regression; nothing in common is unusable input', () => {
  const r = compareRuns([run(BASE, 'base')], [run({ p95: 400, p99: 800, errorRate: 0.002, rps: 150 }, 'cur')], { rules });
  assert.equal(verdicts(r)['ws_msg_rtt p(95)'], 'missing');
  assert.equal(r.regression, false);
  assert.throws(
    () => compareRuns([run({ p95: 1 }, 'base.json')], [run({ extra: { my_metric: trend(1, 2) } }, 'cur.json')], { rules }),
    (e: Error) => e instanceof InputError && e.message.startsWith('cur.json: nothing to compare with base.json'),
  );
});

test('per-tag rules, `*` tag values and minDelta', () => {
  const tagRules = resolveRules({
    defaults: false,
    rules: {
      'http_req_duration{name:create_run}': { p95: '+10%' },
      'http_req_duration{name:*}': { p99: '+30%' },
      http_req_duration: { p95: { change: '+20%', minDelta: 5 } },
    },
  });
  const tagged = (create: number, list: number, p95: number) =>
    run({ p95, extra: { 'http_req_duration{name:create_run}': trend(create, create * 2), 'http_req_duration{name:list_runs}': trend(list, list * 2) } });
  const r = compareRuns([tagged(100, 50, 2)], [tagged(111, 50, 3)], { rules: tagRules });
  const v = verdicts(r);
  assert.equal(v['http_req_duration{name:create_run} p(95)'], 'regression');
  assert.equal(v['http_req_duration{name:create_run} p(99)'], 'ok');
  assert.equal(v['http_req_duration{name:list_runs} p(99)'], 'ok');
  // +50% but only 1 ms: under the floor
  assert.equal(v['http_req_duration p(95)'], 'ok');
  const r2 = compareRuns([tagged(100, 50, 2)], [tagged(100, 70, 2)], { rules: tagRules });
  assert.equal(verdicts(r2)['http_req_duration{name:list_runs} p(99)'], 'regression');
});

test('runs of another test, profile or time scale are refused with the file named; environment only warns', () => {
  const base = [run(BASE, 'baselines/api.staging.json#1')];
  assert.throws(
    () => compareRuns(base, [run(BASE, 'results/x', { suite: 'a2a' })], { rules }),
    (e: Error) => e instanceof MismatchError && e.message.startsWith('results/x: test "a2a"') && e.message.includes('baselines/api.staging.json#1'),
  );
  assert.throws(() => compareRuns(base, [run(BASE, 'results/y', { profile: 'stress' })], { rules }), /results\/y: .*profile stress/);
  assert.throws(() => compareRuns(base, [run(BASE, 'results/z', { timeScale: 20 })], { rules }), /results\/z: .*time-scale 20/);
  const forced = compareRuns(base, [run(BASE, 'results/y', { profile: 'stress' })], { rules, allowMismatch: true });
  assert.equal(forced.warnings.length, 1);
  const env = compareRuns(base, [run(BASE, 'results/e', { environment: 'production' })], { rules });
  assert.match(env.warnings.join('\n'), /environment production differs/);
});

test('several runs: past the rule and significant is a regression; past the rule within noise is not', () => {
  // a steady baseline (±1 %) and a clear +30 % shift
  const steady = [400, 404, 396, 402, 398].map((p95, i) => run({ ...BASE, p95 }, `b${i}`));
  const shifted = compareRuns(steady, [run({ ...BASE, p95: 520 }, 'c')], { rules });
  const row = shifted.rows.find((x) => x.metric === 'http_req_duration p(95)');
  assert.equal(row?.verdict, 'regression');
  assert.ok((row?.p ?? 1) < 0.001, `p = ${row?.p}`);
  assert.ok((row?.confidence ?? 0) > 0.999);
  assert.ok((row?.interval?.[0] ?? 0) > 0, 'the lower bound of the change is above zero');
  assert.equal(shifted.mode, 'multi-run');
  assert.match(shifted.note, /noise-aware: 5 baseline runs vs 1 current run/);
  // a noisy baseline (±30 %): the same +30 % is within noise
  const noisy = [300, 520, 280, 560, 340].map((p95, i) => run({ ...BASE, p95 }, `n${i}`));
  const within = compareRuns(noisy, [run({ ...BASE, p95: 520 }, 'c')], { rules });
  const w = within.rows.find((x) => x.metric === 'http_req_duration p(95)');
  assert.equal(w?.exceeds, true);
  assert.equal(w?.verdict, 'within noise');
  assert.ok((w?.p ?? 0) >= 0.05);
  assert.equal(within.regression, false);
  // geometric mean of the runs is the side's value
  const gm = Math.exp([400, 404, 396, 402, 398].reduce((s, v) => s + Math.log(v), 0) / 5);
  assert.ok(Math.abs((row?.baseline ?? 0) - gm) < 1e-9);
});

test('renderings: text, Markdown and the summary view', () => {
  const r = single({ p95: 500 });
  const text = comparisonText(r);
  assert.match(text, /http_req_duration p\(95\) +\+20% +400\.00ms +500\.00ms +\+25\.0% +single run +regression/);
  assert.match(text, /verdict: REGRESSION \(1 metric\)/);
  const md = comparisonMarkdown(r);
  assert.match(md, /^## agentload compare: ❌ regression \(1 metric\)/);
  assert.match(md, /\| http\\_req\\_duration p\(95\) \| \+20% \| 400\.00ms \| 500\.00ms \| \+25\.0% \| single run \| ❌ regression \|/);
  const view = comparisonView(r, 'api.staging');
  assert.equal(view.baseline, 'api.staging');
  assert.equal(view.verdict, 'regression');
  const p95 = view.rows.find((x) => x.metric === 'http_req_duration p(95)');
  assert.deepEqual(p95, { metric: 'http_req_duration p(95)', baseline: '400.00ms', current: '500.00ms', change: 0.25, verdict: 'regression' });
  const err = view.rows.find((x) => x.metric === 'http_req_failed rate');
  assert.equal(err?.change, '±0.00 pp');
});

test('holmAdjust: the step-down adjustment, in the input order', async () => {
  const { holmAdjust } = await import('../../src/baseline/compare.ts');
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  const expected = [0.03, 0.06, 0.06, 0.02];
  adjusted.forEach((p, i) => assert.ok(Math.abs(p - (expected[i] as number)) < 1e-12, `${i}: ${p}`));
  assert.deepEqual(holmAdjust([0.6, 0.9]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
});
