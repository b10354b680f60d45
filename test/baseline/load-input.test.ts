import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, parseBaseline, writeBaseline } from '../../src/baseline/baseline-file.ts';
import { expandGlob } from '../../src/baseline/glob.ts';
import { HistoryStore } from '../../src/baseline/history-store.ts';
import { loadRuns, type InputContext } from '../../src/baseline/load-input.ts';
import { defaultBaselineName, recordFromSummary } from '../../src/baseline/run-record.ts';
import { Accumulator } from '../../src/metrics/accumulator.ts';
import { RunMetrics } from '../../src/metrics/run-metrics.ts';
import { seriesFile } from '../../src/outputs/results-folder.ts';
import { meta, run, writeRunFolder } from './make-runs.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'agentload-inputs-'));

function throwsNaming(fn: () => unknown, file: string, detail: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof InputError && e.message.startsWith(`${file}: `) && detail.test(e.message), `${file} ${detail}`);
}

test('results folders, folders of them, globs and summary files', () => {
  const root = tmp();
  const ctx: InputContext = { baselinesDir: join(root, 'baselines') };
  const a = writeRunFolder(join(root, 'results', '20250226-100000-api'), run({ p95: 100 }, 'a'));
  writeRunFolder(join(root, 'results', '20250226-110000-api'), run({ p95: 110 }, 'b'));
  writeRunFolder(join(root, 'results', '20250226-120000-a2a'), run({ p95: 120 }, 'c'));
  const one = loadRuns(a, ctx);
  assert.equal(one.length, 1);
  assert.equal(one[0]?.source, a);
  assert.equal(one[0]?.metrics.http_req_duration?.values['p(95)'], 100);
  assert.equal(loadRuns(join(root, 'results'), ctx).length, 3);
  const globbed = loadRuns(join(root, 'results', '*-api'), ctx);
  assert.deepEqual(globbed.map((r) => r.metrics.http_req_duration?.values['p(95)']), [100, 110]);
  assert.deepEqual(expandGlob('results/2025022?-1[01]*', root).map((p) => p.slice(root.length + 1)), ['results/20250226-100000-api', 'results/20250226-110000-api']);
  assert.equal(loadRuns(join(a, 'summary.json'), ctx).length, 1);
  throwsNaming(() => loadRuns(join(root, 'results', '*-nope'), ctx), join(root, 'results', '*-nope'), /no file or folder matches/);
  throwsNaming(() => loadRuns(join(root, 'nothing-here'), ctx), join(root, 'nothing-here'), /no such file, results folder, baseline/);
  mkdirSync(join(root, 'empty'));
  throwsNaming(() => loadRuns(join(root, 'empty'), ctx), join(root, 'empty'), /not a results folder/);
});

test('corrupt and foreign inputs are refused with the file named', () => {
  const root = tmp();
  const ctx: InputContext = { baselinesDir: root };
  const bad = join(root, 'bad.json');
  writeFileSync(bad, '{"metrics": {');
  throwsNaming(() => loadRuns(bad, ctx), bad, /not valid JSON/);
  const notSummary = join(root, 'other.json');
  writeFileSync(notSummary, '{"hello": 1}');
  throwsNaming(() => loadRuns(notSummary, ctx), notSummary, /not a summary\.json/);
  const badValue = join(root, 'badvalue.json');
  writeFileSync(badValue, JSON.stringify({ metrics: { http_req_duration: { type: 'trend', contains: 'time', values: { 'p(95)': 'fast' } } } }));
  throwsNaming(() => loadRuns(badValue, ctx), badValue, /"http_req_duration" value "p\(95\)" is not a number/);
  const badMeta = join(root, 'badmeta.json');
  writeFileSync(badMeta, JSON.stringify({ metrics: {}, agentload: { meta: { name: 3 } } }));
  throwsNaming(() => loadRuns(badMeta, ctx), badMeta, /"meta" must hold/);
  const folder = writeRunFolder(join(root, 'run'), run({ p95: 1 }));
  writeFileSync(join(folder, 'series.json'), '{"version": 2}');
  throwsNaming(() => loadRuns(folder, ctx), join(folder, 'series.json'), /not an agentload series\.json/);
  const badBaseline = join(root, 'baseline.json');
  writeFileSync(badBaseline, JSON.stringify({ agentloadBaseline: 1, runs: [] }));
  throwsNaming(() => loadRuns(badBaseline, ctx), badBaseline, /at least one run/);
  throwsNaming(() => loadRuns('history:3', ctx), 'history:3', /history is turned off/);
});

test('fields the later steps use are checked on load (counterexamples of test/fuzz/baseline.fuzz.test.ts)', () => {
  const root = tmp();
  const ctx: InputContext = { baselinesDir: root };
  const write = (name: string, data: unknown): string => {
    const f = join(root, name);
    writeFileSync(f, JSON.stringify(data));
    return f;
  };
  const okMeta = { name: 'api', startedAt: '2025-02-26T10:00:00.000Z', status: 'passed' };
  // a threshold entry that is not one: compare and the history table read t.metric and t.ok
  const emptyThreshold = write('t.json', { metrics: {}, agentload: { meta: okMeta, thresholds: [{}] } });
  throwsNaming(() => loadRuns(emptyThreshold, ctx), emptyThreshold, /agentload: thresholds\[0\] must hold metric, expression and ok, got \{\}/);
  const inBaseline = write('b.json', { agentloadBaseline: 1, runs: [{ meta: null, metrics: {}, thresholds: [null] }] });
  throwsNaming(() => loadRuns(inBaseline, ctx), inBaseline, /runs\[0\]: thresholds\[0\] must hold/);
  // suite: 0 made `baseline save` crash (suite.replace is not a function)
  const suite = write('s.json', { metrics: {}, agentload: { meta: { ...okMeta, suite: 0 } } });
  throwsNaming(() => loadRuns(suite, ctx), suite, /agentload: "meta.suite" must be a string or null, got 0/);
  const timeScale = write('ts.json', { metrics: {}, agentload: { meta: { ...okMeta, timeScale: 'fast' } } });
  throwsNaming(() => loadRuns(timeScale, ctx), timeScale, /"meta.timeScale" must be a number, got "fast"/);
  assert.equal(loadRuns(write('fine.json', { metrics: {}, agentload: { meta: { ...okMeta, suite: null, durationMs: 1000 }, thresholds: [{ metric: 'checks', expression: 'rate>0.9', ok: true }] } }), ctx).length, 1);
  // a glob with a class a RegExp cannot hold threw a SyntaxError ("Range out of order")
  throwsNaming(() => loadRuns(join(root, '[z-a]'), ctx), join(root, '[z-a]'), /no file or folder matches/);
  writeFileSync(join(root, '[z-a].json'), '{}');
  assert.deepEqual(expandGlob('[z-a].json', root), [join(root, '[z-a].json')], 'an invalid class matches literally, as in a shell');
});

test('k6 summaries: handleSummary and --summary-export shapes', () => {
  const root = tmp();
  const handle = join(root, 'k6-handle.json');
  writeFileSync(handle, JSON.stringify({ metrics: { http_req_duration: { type: 'trend', contains: 'time', values: { 'p(95)': 210, avg: 100 } } } }));
  const [h] = loadRuns(handle, { baselinesDir: root });
  assert.equal(h?.meta, null);
  assert.equal(h?.metrics.http_req_duration?.values['p(95)'], 210);
  const exported = join(root, 'k6-export.json');
  writeFileSync(
    exported,
    JSON.stringify({
      metrics: {
        http_req_duration: { avg: 100, min: 1, med: 90, max: 900, 'p(90)': 180, 'p(95)': 220 },
        http_req_failed: { passes: 3, fails: 997, value: 0.003 },
        http_reqs: { count: 6000, rate: 100 },
        vus: { value: 10, min: 1, max: 10 },
      },
    }),
  );
  const [x] = loadRuns(exported, { baselinesDir: root });
  assert.deepEqual(
    [x?.metrics.http_req_duration?.type, x?.metrics.http_req_duration?.contains, x?.metrics.http_req_duration?.values.p95],
    ['trend', 'time', 220],
  );
  assert.deepEqual([x?.metrics.http_req_failed?.type, x?.metrics.http_req_failed?.values.rate], ['rate', 0.003]);
  assert.deepEqual([x?.metrics.http_reqs?.type, x?.metrics.vus?.type], ['counter', 'gauge']);
});

test('series.json gives submetrics by tag; baseline files round-trip and are found by name', () => {
  const root = tmp();
  const metrics = new RunMetrics();
  const info = { name: 'http_req_duration', type: 'trend' as const, contains: 'time' as const };
  for (const [name, values] of [['create_run', [10, 20, 30, 40]], ['list_runs', [1, 2, 3, 4]]] as const) {
    const acc = new Accumulator('trend');
    for (const v of values) acc.add(v);
    metrics.ingest([{ metric: info, tags: [['method', 'GET'], ['name', name]], acc: acc.encode() }]);
  }
  const r = run({ p95: 50 }, 'x');
  const folder = writeRunFolder(join(root, 'run'), r);
  writeFileSync(join(folder, 'series.json'), JSON.stringify(seriesFile(metrics)));
  const [loaded] = loadRuns(folder, { baselinesDir: root, extraKeys: ['http_req_duration{method:GET,name:*}'] });
  assert.equal(loaded?.metrics['http_req_duration{name:create_run}']?.values.max, 40);
  assert.equal(loaded?.metrics['http_req_duration{name:list_runs}']?.values.count, 4);
  assert.equal(loaded?.metrics['http_req_duration{method:GET}']?.values.count, 8);
  assert.equal(loaded?.metrics['http_req_duration{method:GET,name:list_runs}']?.values.max, 4);
  // summary.json's own numbers win over recomputed ones
  assert.equal(loaded?.metrics.http_req_duration?.values['p(95)'], 50);

  const dir = join(root, 'baselines');
  const name = defaultBaselineName(loaded?.meta ?? meta());
  assert.equal(name, 'api.staging');
  assert.equal(defaultBaselineName(meta({ profile: 'stress', environment: null, suite: null, name: 'my test' })), 'my-test.local.stress');
  const path = join(dir, `${name}.json`);
  writeBaseline(path, name, [loaded ?? r, run({ p95: 55 }, 'y')], new Date('2025-02-27T00:00:00Z'));
  const text = readFileSync(path, 'utf8');
  assert.match(text, /\n {8}"http_req_duration": \{"type":"trend"/, 'one line per metric');
  const parsed = parseBaseline(JSON.parse(text), path);
  assert.equal(parsed.savedAt, '2025-02-27T00:00:00.000Z');
  assert.deepEqual(parsed.runs[0]?.metrics, loaded?.metrics);
  assert.deepEqual(parsed.runs[0]?.meta, loaded?.meta);
  const byName = loadRuns('api.staging', { baselinesDir: dir });
  assert.deepEqual(byName.map((x) => x.source), [`${path}#1`, `${path}#2`]);
});

test('history references: by id, newest N of the same test, none found', () => {
  const root = tmp();
  const store = HistoryStore.open(join(root, 'h.db'));
  for (let i = 0; i < 4; i++) {
    const r = run({ p95: 100 + i }, 'x', { startedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(), suite: i === 3 ? 'a2a' : 'api' });
    store.record({ meta: r.meta ?? meta(), metrics: r.metrics, thresholds: [] });
  }
  const ctx: InputContext = { baselinesDir: root, history: () => store, historyFilter: { test: 'api' } };
  assert.deepEqual(loadRuns('history:2', ctx).map((r) => r.source), ['history:2']);
  assert.deepEqual(loadRuns('2', ctx).map((r) => r.source), ['history:2']);
  assert.deepEqual(loadRuns('history:last:5', ctx).map((r) => r.source), ['history:3', 'history:2', 'history:1']);
  assert.deepEqual(loadRuns('history:last', ctx).map((r) => r.source), ['history:3']);
  throwsNaming(() => loadRuns('history:9', ctx), 'history:9', /no run 9 in the history/);
  throwsNaming(() => loadRuns('history:first', ctx), 'history:first', /history:ID, history:last or history:last:N/);
  // fuzz: past 2^53 SQLite refused the LIMIT (SqliteError: datatype mismatch, exit 1)
  throwsNaming(() => loadRuns('history:last:9999999999999999999', ctx), 'history:last:9999999999999999999', /needs 1 <= N <= 9007199254740991/);
  throwsNaming(() => loadRuns('history:last:0', ctx), 'history:last:0', /needs 1 <= N/);
  throwsNaming(() => loadRuns('history:last', { ...ctx, historyFilter: { test: 'websocket' } }), 'history:last', /no completed run .* for websocket/);
  store.close();
});

test('recordFromSummary keeps the summary and adds submetrics', () => {
  const metrics = new RunMetrics();
  const acc = new Accumulator('rate');
  acc.add(1);
  acc.add(0);
  metrics.ingest([{ metric: { name: 'http_req_failed', type: 'rate', contains: 'default' }, tags: [['status', '500']], acc: acc.encode() }]);
  const r = run({ errorRate: 0.5 });
  const summary = {
    root_group: { name: '', path: '', id: '', groups: [], checks: [] },
    options: { summaryTrendStats: ['p(95)'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: { ...r.metrics, 'http_req_failed{ status : 500 }': { type: 'rate' as const, contains: 'default' as const, values: { rate: 0.5 } } },
    agentload: { meta: meta(), thresholds: [], errors: [], endpoints: [] },
  };
  const rec = recordFromSummary(summary, 'dir', metrics);
  assert.equal(rec.metrics['http_req_failed{status:500}']?.values.rate, 0.5);
  assert.equal(rec.metrics.http_req_failed?.values.rate, 0.5);
  assert.equal(rec.source, 'dir');
});
