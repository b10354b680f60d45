import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

test('segments run apart merge into exactly the whole test', async () => {
  const dirs: string[] = [];
  let sumP95Counts = 0;
  for (const seg of ['1/3', '2/3', '3/3']) {
    const r = await runCli(['run', fixture('http-basic.ts'), '--segment', seg, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    dirs.push(join(r.resultsDir, readdirSync(r.resultsDir)[0] as string));
    sumP95Counts += readSummary(r.resultsDir).metrics.http_req_duration?.values.count ?? 0;
  }
  assert.equal(sumP95Counts, 20);
  const out = join(mkdtempSync(join(tmpdir(), 'agentload-merge-')), 'merged');
  const m = await runCli(['merge', ...dirs, '--out', out]);
  assert.equal(m.code, 0, m.stderr);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>; agentload: { meta: { segment: string } } };
  assert.equal(s.metrics.http_reqs?.values.count, 20);
  assert.equal(s.metrics.iterations?.values.count, 20);
  assert.equal(s.metrics.http_req_duration?.values.count, 20);
  assert.deepEqual(s.metrics.http_req_failed?.thresholds, { 'rate<0.01': { ok: true } });
  assert.match(s.agentload.meta.segment, /merged from 1\/3, 2\/3, 3\/3/);
});

/** A script with a threshold on a metric that gets no samples in a clean run (iteration_errors). */
function quietMetricScript(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-merge-script-'));
  const file = join(dir, 'clean.ts');
  writeFileSync(
    file,
    `import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: process.env.AL_URL ?? '' },
  scenarios: { main: { executor: 'shared-iterations', vus: 4, iterations: 8, exec: async (ctx) => { await ctx.http.get('/fast'); } } },
  thresholds: { iteration_errors: ['count==0'], http_req_failed: ['rate<0.01'] },
});
`,
  );
  return file;
}

async function segmentRun(script: string, seg: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['run', script, '--segment', seg, '--quiet', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return join(r.resultsDir, readdirSync(r.resultsDir)[0] as string);
}

interface MergedSummary {
  metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
  agentload: { thresholds: { metric: string; expression: string; ok: boolean; value: number | null }[] };
}

test('a threshold on a metric without samples passes in the merge as in each segment (evaluated on 0); thresholds are the union of the segments', async () => {
  const script = quietMetricScript();
  // segment 1 ran with --no-thresholds: the merge still evaluates the thresholds segment 2 has
  const a = await segmentRun(script, '1/2', ['--no-thresholds']);
  const b = await segmentRun(script, '2/2');
  const out = join(mkdtempSync(join(tmpdir(), 'agentload-merge-')), 'merged');
  const m = await runCli(['merge', a, b, '--out', out]);
  assert.equal(m.code, 0, m.stderr + m.stdout);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as MergedSummary;
  assert.deepEqual(
    s.agentload.thresholds.map((t) => [t.metric, t.expression, t.ok, t.value]),
    [
      ['iteration_errors', 'count==0', true, 0],
      ['http_req_failed', 'rate<0.01', true, 0],
    ],
  );
  assert.equal(s.metrics.iteration_errors?.values.count, 0);
  assert.deepEqual(s.metrics.iteration_errors?.thresholds, { 'count==0': { ok: true } });
  assert.equal(s.metrics.http_reqs?.values.count, 8);
});

test('merge rejects a segment given twice or missing: exit 2 saying which', async () => {
  const script = quietMetricScript();
  const a = await segmentRun(script, '1/2');
  const out = join(mkdtempSync(join(tmpdir(), 'agentload-merge-')), 'merged');
  const twice = await runCli(['merge', a, a, '--out', out]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /segment 1\/2 given twice: /);
  const missing = await runCli(['merge', a, '--out', out]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing segment 2\/2: merge all 2 segments of the run \(given: 1\/2\)/);
  assert.equal(existsSync(out), false, 'nothing written');
});

test('merge rejects a folder that is not a results folder: exit 2 naming it', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'agentload-notresults-'));
  const r = await runCli(['merge', empty, '--out', join(empty, 'x')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${empty}/summary.json: missing`));
});
