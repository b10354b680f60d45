/**
 * Property-based fuzzing of what `compare` and `baseline` read: baseline files
 * (src/baseline/baseline-file.ts), summaries and specs (src/baseline/load-input.ts,
 * glob.ts). A file either loads into runs that every later step can use —
 * compare, its text and Markdown, the baseline name — or is refused with an
 * InputError naming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, parseBaseline } from '../../src/baseline/baseline-file.ts';
import { compareRuns } from '../../src/baseline/compare.ts';
import { comparisonMarkdown, comparisonText } from '../../src/baseline/comparison-text.ts';
import { HistoryStore } from '../../src/baseline/history-store.ts';
import { loadRuns, type InputContext } from '../../src/baseline/load-input.ts';
import { resolveRules } from '../../src/baseline/rules.ts';
import { defaultBaselineName, testOf, type RunRecord } from '../../src/baseline/run-record.ts';
import { check, fc, glue, jsonish, mostly, numberText, parsesOrFails, userText } from './fuzz-kit.ts';
import { meta, run } from '../baseline/make-runs.ts';

const junk = fc.oneof(jsonish, fc.constantFrom(null, 'x', '', 1, -1, 0, 1e308, [], {}, true, false));
/** Usually the valid value, sometimes junk of another type, sometimes absent. */
function maybe<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.constant(undefined) });
}
const str = fc.string({ maxLength: 12 });
const num = fc.oneof(fc.double(), fc.nat({ max: 1_000_000 }));

const metaArb = fc.record(
  {
    tool: maybe(fc.constant('agentload')),
    version: maybe(fc.constant('0.1.0')),
    name: maybe(fc.constantFrom('api', 'a b', '', 'é/../x')),
    script: maybe(str),
    suite: maybe(fc.oneof(fc.constantFrom('api', 'smoke'), fc.constant(null))),
    profile: maybe(fc.oneof(fc.constantFrom('load', 'stress', 'baseline'), fc.constant(null))),
    environment: maybe(fc.oneof(fc.constantFrom('staging', 'local'), fc.constant(null))),
    target: maybe(fc.oneof(str, fc.constant(null))),
    startedAt: maybe(fc.constant('2025-02-26T10:00:00.000Z')),
    endedAt: maybe(fc.constant('2025-02-26T10:10:00.000Z')),
    durationMs: maybe(num),
    gitCommit: maybe(fc.oneof(fc.constant('abcdef1234567890'), fc.constant(null))),
    timeScale: maybe(fc.oneof(fc.constant(1), num)),
    workers: maybe(fc.nat({ max: 8 })),
    segment: maybe(fc.constant('0:1')),
    scenarios: maybe(fc.constant([])),
    status: maybe(fc.constantFrom('passed', 'thresholds-failed', 'interrupted', 'script-error', 'weird')),
    exitCode: maybe(fc.constantFrom(0, 99, 105)),
    stopReason: maybe(fc.constant(null)),
    envKeys: maybe(fc.constant([])),
  },
  { requiredKeys: [] },
);

const STAT_KEYS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p95', 'p99', 'rate', 'count', 'value', 'passes', 'fails', '__proto__', 'toString'];
const valuesArb = fc.dictionary(fc.constantFrom(...STAT_KEYS), maybe(num), { maxKeys: 6 });
const metricArb = fc.record(
  { type: maybe(fc.constantFrom('counter', 'gauge', 'rate', 'trend')), contains: maybe(fc.constantFrom('time', 'data', 'default')), values: maybe(valuesArb) },
  { requiredKeys: [] },
);
const METRIC_KEYS = ['http_req_duration', 'http_req_failed', 'http_reqs', 'ws_msg_rtt', 'llm_ttft', 'http_req_duration{name:a}', 'http_req_duration{ name : a }', 'x{bad', '__proto__', 'constructor'];
const metricsArb = fc.dictionary(fc.constantFrom(...METRIC_KEYS), maybe(metricArb), { maxKeys: 5 });
const thresholdArb = fc.record(
  { metric: maybe(fc.constantFrom('http_req_duration', 'http_req_duration{name:a}', 'x{')), expression: maybe(fc.constantFrom('p(95)<500', 'rate<0.01', 'bad')), ok: maybe(fc.boolean()), value: maybe(fc.oneof(num, fc.constant(null))), abortOnFail: maybe(fc.boolean()) },
  { requiredKeys: [] },
);
const runArb = fc.record(
  { source: maybe(str), meta: maybe(fc.oneof(metaArb, fc.constant(null))), metrics: maybe(metricsArb), thresholds: maybe(fc.array(maybe(thresholdArb), { maxLength: 3 })) },
  { requiredKeys: [] },
);
const baselineArb = fc.record(
  { agentloadBaseline: maybe(fc.constant(1)), name: maybe(str), savedAt: maybe(str), runs: maybe(fc.array(maybe(runArb), { maxLength: 3 })) },
  { requiredKeys: [] },
);

/** As a file holds it: through JSON (undefined dropped, NaN and Infinity become null). */
const asFile = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null)) as unknown;

/** Everything a loaded run goes through after loading must work, or refuse with an InputError. */
function usable(runs: readonly RunRecord[]): void {
  assert.ok(runs.length > 0);
  for (const r of runs) {
    assert.equal(typeof r.source, 'string');
    for (const [key, m] of Object.entries(r.metrics)) {
      assert.ok(['counter', 'gauge', 'rate', 'trend'].includes(m.type), `${key}: type ${String(m.type)}`);
      for (const [stat, v] of Object.entries(m.values)) assert.ok(typeof v === 'number' && Number.isFinite(v), `${key} ${stat} = ${String(v)}`);
    }
    assert.ok(Array.isArray(r.thresholds));
    for (const t of r.thresholds) assert.ok(typeof t === 'object' && t !== null && typeof t.metric === 'string' && typeof t.expression === 'string' && typeof t.ok === 'boolean', `threshold ${JSON.stringify(t)}`);
    if (r.meta !== null) {
      assert.equal(typeof testOf(r.meta), 'string');
      assert.equal(typeof defaultBaselineName(r.meta), 'string');
    }
  }
  const rules = resolveRules();
  for (const [b, c] of [
    [runs, runs],
    [runs, [run({ p95: 100, errorRate: 0.01, rps: 50 }, 'made')]],
  ] as const) {
    try {
      const result = compareRuns(b, c, { rules, allowMismatch: true });
      assert.equal(typeof comparisonText(result), 'string');
      assert.equal(typeof comparisonMarkdown(result), 'string');
      for (const row of result.rows) for (const v of [row.baseline, row.current]) assert.ok(v === null || Number.isFinite(v), `${row.metric}: ${v}`);
    } catch (e) {
      assert.ok(e instanceof InputError, `compare threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
}

test('baseline files: usable runs, or an InputError naming the file', () => {
  check('baseline:parse', [fc.oneof({ weight: 5, arbitrary: baselineArb }, { weight: 1, arbitrary: jsonish })], (raw) => {
    const data = asFile(raw);
    parsesOrFails(() => parseBaseline(data, 'baselines/api.staging.json'), InputError, ['baselines/api.staging.json: '], (file) => usable(file.runs));
  });
});

const root = mkdtempSync(join(tmpdir(), 'agentload-fuzz-inputs-'));
let fileNo = 0;

const summaryArb = fc.record(
  {
    metrics: maybe(metricsArb),
    options: maybe(fc.record({ summaryTrendStats: maybe(fc.array(fc.constantFrom('avg', 'p(95)', 'p(99.9)', 'bogus', '__proto__'), { maxLength: 4 })) }, { requiredKeys: [] })),
    agentload: maybe(fc.record({ meta: maybe(metaArb), thresholds: maybe(fc.array(maybe(thresholdArb), { maxLength: 3 })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
/** k6's --summary-export: metrics with values inline and no type. */
const k6ExportArb = fc.record({ metrics: fc.dictionary(fc.constantFrom(...METRIC_KEYS), fc.dictionary(fc.constantFrom(...STAT_KEYS, 'passes', 'thresholds'), maybe(num), { maxKeys: 5 }), { maxKeys: 4 }) });

test('summary files (agentload, k6 handleSummary and --summary-export shapes, corrupt text): usable runs, or an InputError naming the file', () => {
  const ctx: InputContext = { baselinesDir: join(root, 'baselines') };
  const text = fc.oneof(
    { weight: 4, arbitrary: summaryArb.map((s) => JSON.stringify(asFile(s))) },
    { weight: 2, arbitrary: k6ExportArb.map((s) => JSON.stringify(asFile(s))) },
    { weight: 1, arbitrary: baselineArb.map((s) => JSON.stringify(asFile(s))) },
    { weight: 1, arbitrary: userText(['{', '}', '"metrics"', ':', '[', ']', ',', 'null', '1', '"']) },
  );
  check('baseline:summary-file', [text], (content) => {
    const file = join(root, `input-${++fileNo}.json`);
    writeFileSync(file, content);
    parsesOrFails(() => loadRuns(file, ctx), InputError, [`${file}: `], usable);
  }, 200);
});

test('comparison specs (paths, globs, names, history references): runs or an InputError naming the spec', () => {
  const dir = join(root, 'specs');
  mkdirSync(join(dir, 'results', '20250226-100000-api'), { recursive: true });
  writeFileSync(join(dir, 'results', '20250226-100000-api', 'summary.json'), JSON.stringify({ metrics: run({ p95: 100 }).metrics, agentload: { meta: meta(), thresholds: [] } }));
  const historyPath = join(dir, 'history.db');
  HistoryStore.open(historyPath).close();
  let store: HistoryStore | undefined;
  // relative specs and globs resolve from here, not from wherever the tests run
  const cwd = process.cwd();
  process.chdir(dir);
  const ctx: InputContext = { baselinesDir: join(dir, 'baselines'), history: () => (store ??= HistoryStore.open(historyPath, { readonly: true })) };
  const history = glue(fc.constantFrom('history:', 'history:last:', 'history:last:', 'history:last', ''), fc.oneof(numberText, fc.constantFrom('last', 'last:', 'first', '')), fc.constantFrom('', '', '', ':', ':1', ' '));
  const spec = mostly(
    fc.oneof({ weight: 2, arbitrary: history }, glue(
      fc.constantFrom('', 'history:', 'history:last', 'history:last:', `${dir}/`, `${dir}/results/`, 'results/', './'),
      fc.oneof(fc.constantFrom('*', '?', '[', ']', '[z-a]', '[!a]', '[\\]', '**', '[a-', '*-api', '0', '-1', '42', '99999999999999999999', '1e3', 'last', ':'), fc.string({ maxLength: 6 })),
      fc.constantFrom('', '*', '/summary.json', ':5', ':0', '[]'),
    )),
    userText(['history:', 'last', ':', '*', '[', ']', '/', '1', 'api'], 5),
  );
  try {
    check('baseline:specs', [spec], (s) => {
      parsesOrFails(() => loadRuns(s, ctx), InputError, [], (runs) => assert.ok(runs.length > 0));
      try {
        loadRuns(s, ctx);
      } catch (e) {
        // the message names the spec, or the file it led to
        assert.ok((e as InputError).message.startsWith(`${s}: `) || (e as InputError).message.startsWith(`history:${s}: `) || (e as InputError).message.startsWith(`${dir}`) || (e as InputError).message.startsWith(historyPath), (e as Error).message);
      }
    }, 200);
  } finally {
    store?.close();
    process.chdir(cwd);
  }
});
