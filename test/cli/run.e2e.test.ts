/**
 * The CLI end to end (the build, as a user runs it) against local servers:
 * fast, slow, 500s, connection resets, a refused port; script errors, bad
 * thresholds, aborts and Ctrl-C. Asserts exit codes and summary contents.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { closedPort, startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

test('a passing run: exit 0, k6-shaped summary.json with p95 aliases, thresholds ok', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_reqs?.values.count, 20);
  assert.equal(s.metrics.iterations?.values.count, 20);
  assert.equal(s.metrics.http_req_failed?.values.rate, 0);
  const d = s.metrics.http_req_duration?.values ?? {};
  for (const k of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p90', 'p95', 'p99']) assert.equal(typeof d[k], 'number', k);
  assert.equal(d.p95, d['p(95)']);
  assert.deepEqual(s.metrics['http_req_duration{name:target}']?.thresholds, { 'p(95)<5000': { ok: true } });
  assert.deepEqual(s.metrics.http_req_failed?.thresholds, { 'rate<0.01': { ok: true } });
  assert.equal(s.metrics['http_req_duration{expected_response:true}']?.values.count, 20);
  assert.equal(s.root_group.checks[0]?.name, 'status is 200');
  assert.equal(s.root_group.checks[0]?.passes, 20);
  assert.equal(s.agentload.meta.status, 'passed');
  assert.equal(s.agentload.meta.exitCode, 0);
  assert.equal(s.agentload.endpoints[0]?.name, 'target');
  assert.equal(s.agentload.endpoints[0]?.count, 20);
  assert.match(r.stdout, /✓ 'p\(95\)<5000' p\(95\)=/);
  assert.match(r.stdout, /http_reqs\.+: 20/);
  const files = readdirSync(join(r.resultsDir, readdirSync(r.resultsDir)[0] as string)).sort();
  assert.deepEqual(files, ['report.html', 'series.json', 'summary.json', 'summary.txt', 'timeseries.json']);
});

test('500s fail http_req_failed and its threshold: exit 99', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '-e', 'ROUTE=/status/500', '--quiet']);
  assert.equal(r.code, 99, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_req_failed?.values.rate, 1);
  assert.equal(s.metrics.http_req_failed?.values.passes, 20);
  assert.deepEqual(s.metrics.http_req_failed?.thresholds, { 'rate<0.01': { ok: false } });
  assert.equal(s.metrics.checks?.values.fails, 20);
  assert.equal(s.agentload.meta.status, 'thresholds-failed');
  assert.match(r.stdout, /✗ 'rate<0.01' rate=100.00%/);
});

test('connection resets and refused ports are failed requests with an error_code, never a crash', async () => {
  const reset = await runCli(['run', fixture('http-basic.ts'), '-e', 'ROUTE=/reset', '--no-thresholds', '--quiet']);
  assert.equal(reset.code, 0, reset.stderr);
  const series = JSON.parse(readFileSync(join(reset.resultsDir, readdirSync(reset.resultsDir)[0] as string, 'series.json'), 'utf8')) as {
    series: { metric: { name: string }; tags: [string, string][]; acc: { count: number; sum: number } }[];
  };
  const codes = series.series.filter((x) => x.metric.name === 'http_reqs').map((x) => Object.fromEntries(x.tags).error_code);
  assert.ok(codes.every((c) => c === 'ECONNRESET' || c === 'UND_ERR_SOCKET'), `codes: ${codes.join(',')}`);
  assert.equal(readSummary(reset.resultsDir).metrics.http_req_failed?.values.rate, 1);

  const port = await closedPort();
  const refused = await runCli(['run', fixture('http-basic.ts'), '--base-url', `http://127.0.0.1:${port}`, '--no-thresholds', '--quiet']);
  assert.equal(refused.code, 0, refused.stderr);
  const rs = readFileSync(join(refused.resultsDir, readdirSync(refused.resultsDir)[0] as string, 'series.json'), 'utf8');
  assert.match(rs, /"error_code","ECONNREFUSED"/);
  assert.equal(readSummary(refused.resultsDir).metrics.http_reqs?.values.count, 20);
});

test('a response slower than the timeout fails with a timeout error_code', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '-e', 'ROUTE=/slow?ms=3000', '-e', 'TIMEOUT=150ms', '--no-thresholds', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const rs = readFileSync(join(r.resultsDir, readdirSync(r.resultsDir)[0] as string, 'series.json'), 'utf8');
  assert.match(rs, /"error_code","UND_ERR_HEADERS_TIMEOUT"/);
  assert.equal(readSummary(r.resultsDir).metrics.http_req_failed?.values.rate, 1);
});

test('a script that does not compile: exit 107 with file:line:column', async () => {
  const r = await runCli(['run', fixture('syntax-error.ts'), '--quiet']);
  assert.equal(r.code, 107);
  assert.match(r.stderr, /syntax-error\.ts:5:15: /);
  assert.deepEqual(readdirSync(r.resultsDir), []);
});

test('a script that throws while loading: exit 107 naming the line', async () => {
  const r = await runCli(['run', fixture('throws-at-load.ts'), '--quiet']);
  assert.equal(r.code, 107);
  assert.match(r.stderr, /throws-at-load\.ts:3:\d+/);
  assert.match(r.stderr, /JSON/);
});

test('a missing script: exit 107 naming it', async () => {
  const r = await runCli(['run', 'no/such/script.ts', '--quiet']);
  assert.equal(r.code, 107);
  assert.match(r.stderr, /no\/such\/script\.ts: script not found/);
});

test('exceptions in iterations are counted, logged once per message, and the run goes on', async () => {
  const r = await runCli(['run', fixture('iteration-error.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.iterations?.values.count, 10);
  assert.equal(s.metrics.iteration_errors?.values.count, 6);
  assert.equal(s.agentload.errors.length, 1);
  assert.equal(s.agentload.errors[0]?.count, 6);
  assert.match(s.agentload.errors[0]?.location ?? '', /iteration-error\.ts:10:\d+/);
  assert.equal(r.stderr.match(/payload rejected by the agent/g)?.length, 1, 'logged once');
  assert.match(r.stdout, /6× payload rejected by the agent/);
});

test('malformed thresholds are all rejected before the run, quoted: exit 104', async () => {
  const r = await runCli(['run', fixture('bad-threshold.ts'), '--quiet']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /threshold "p\(95\)<<500"/);
  assert.match(r.stderr, /threshold "p95<1"/);
  assert.match(r.stderr, /threshold key "nope\{"/);
  assert.match(r.stderr, /threshold "avg<3" on http_reqs: "avg" does not apply to a counter metric/);
  assert.deepEqual(readdirSync(r.resultsDir), []);
});

test('a --base-url that is not a URL is a configuration error (104) before any request', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '--base-url', 'notaurl', '--quiet']);
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /--base-url "notaurl": expected an absolute http:\/\/ or https:\/\/ URL/);
  assert.deepEqual(readdirSync(r.resultsDir), []);
});

test('run --help and merge --help: every exit code, and what the flags really do', async () => {
  // help text wraps at the terminal width: compare with whitespace collapsed
  const run = await runCli(['run', '--help']);
  assert.equal(run.code, 0);
  const runHelp = run.stdout.replace(/\s+/g, ' ');
  for (const re of [/2 bad command line/, /1 internal error/, /104 invalid options/, /i from 1 to n/, /largest scenario's VUs/, /-q, --quiet no header, progress line or results path/, /delayAbortEval/, /sleeps, waitTime think times, timeUnit and timeouts keep/, /the script reads ctx\.env\.TENANT/])
    assert.match(runHelp, re);
  assert.doesNotMatch(runHelp, /-e API_URL=/);
  const merge = await runCli(['merge', '--help']);
  assert.equal(merge.code, 0);
  const mergeHelp = merge.stdout.replace(/\s+/g, ' ');
  for (const re of [/Exit codes: 0 passed, 99 thresholds failed/, /105 a segment was stopped/, /108 a segment was aborted/, /2 unusable input/, /Thresholds: the union/, /Example: agentload run tests\/api\.ts --segment 1\/2/])
    assert.match(mergeHelp, re);
});

test('bad flag values: exit 104 naming the flag and value', async () => {
  const a = await runCli(['run', fixture('http-basic.ts'), '--stage', '30s-100']);
  assert.equal(a.code, 104);
  assert.match(a.stderr, /--stage "30s-100"/);
  const b = await runCli(['run', fixture('http-basic.ts'), '--duration', 'ten']);
  assert.equal(b.code, 104);
  assert.match(b.stderr, /--duration "ten"/);
  const c = await runCli(['run', fixture('http-basic.ts'), '--profile', 'nosuch']);
  assert.equal(c.code, 104);
  assert.match(c.stderr, /--profile "nosuch": no such profile/);
});

test('ctx.abortTest() stops the run: exit 108, summary still written', async () => {
  const r = await runCli(['run', fixture('abort.ts'), '--quiet']);
  assert.equal(r.code, 108, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'aborted-by-script');
  assert.match(s.agentload.meta.stopReason ?? '', /enough data/);
  assert.equal(s.metrics.iterations?.values.count, 3);
});

test('abortOnFail stops a failing run early: exit 99', async () => {
  const r = await runCli(['run', fixture('abort-on-fail.ts'), '--quiet']);
  assert.equal(r.code, 99, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'aborted-by-threshold');
  assert.ok(s.state.testRunDurationMs < 30_000);
});

// signals are sent once the script's VUs have iterated a while (it prints a line then), however slow the machine is
const ITERATING = /long-running: iterating/;

test('SIGINT stops gracefully, writes the full summary and exits 105', async () => {
  const r = await runCli(['run', fixture('long-running.ts')], { signals: [{ afterMs: 0, signal: 'SIGINT', afterOutput: ITERATING }] });
  assert.equal(r.code, 105, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'interrupted');
  assert.ok((s.metrics.http_reqs?.values.count ?? 0) > 0);
  assert.equal(s.metrics.http_reqs?.values.count, s.metrics.iterations?.values.count);
  assert.match(r.stderr, /stopping gracefully/);
});

test('a second SIGINT stops at once and still writes the summary; one while it is written does not kill the process', async () => {
  const r = await runCli(['run', fixture('long-running.ts')], {
    signals: [
      { afterMs: 0, signal: 'SIGINT', afterOutput: ITERATING },
      { afterMs: 0, signal: 'SIGINT', afterOutput: /stopping gracefully/ },
      // the summary is printed before the results folder is written: this one arrives while it is
      { afterMs: 0, signal: 'SIGINT', afterOutput: /█ RESULT/ },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  assert.match(r.stderr, /SIGINT: stopping now/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'interrupted');
  assert.ok((s.metrics.http_reqs?.values.count ?? 0) > 0);
  const files = readdirSync(join(r.resultsDir, readdirSync(r.resultsDir)[0] as string)).sort();
  assert.deepEqual(files, ['report.html', 'series.json', 'summary.json', 'summary.txt', 'timeseries.json']);
});

test('setup data, cookies, redirects, groups, JSON bodies and teardown', async () => {
  const r = await runCli(['run', fixture('setup-teardown.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.seen_token?.values.count, 6);
  assert.equal(s.metrics.checks?.values.fails, 0);
  assert.equal(s.metrics.checks?.values.passes, 18);
  const nested = s.root_group.groups.find((g) => g.name === 'nested');
  assert.equal(nested?.checks[0]?.name, 'inside group');
  assert.equal(nested?.path, '::nested');
  // setup POST + per iteration 4 requests (redirect counts twice) + teardown GET
  assert.equal(s.metrics.http_reqs?.values.count, 1 + 6 * 4 + 1);
  assert.ok((s.metrics.group_duration?.values.count ?? 0) === 6);
});

test('--out json streams every sample as a JSON line; --summary-export writes the summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-out-'));
  const jsonl = join(dir, 'samples.jsonl');
  const exported = join(dir, 'export.json');
  const r = await runCli(['run', fixture('http-basic.ts'), '--out', `json=${jsonl}`, '--summary-export', exported, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { value?: number; tags?: Record<string, string> } });
  const points = lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs');
  assert.equal(points.length, 20);
  assert.equal(points[0]?.data.tags?.name, 'target');
  assert.match(points[0]?.data.tags?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\//);
  // vus and vus_max are sampled by the controller and written as points too, as k6 does
  for (const m of ['vus', 'vus_max']) {
    assert.ok(lines.some((l) => l.type === 'Metric' && l.metric === m), `${m} declared`);
    const vp = lines.filter((l) => l.type === 'Point' && l.metric === m);
    assert.ok(vp.length >= 1, `${m} points`);
    assert.ok(vp.every((p) => typeof p.data.value === 'number'));
  }
  const summaryVusMax = (JSON.parse(readFileSync(exported, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> }).metrics.vus_max?.values.value;
  assert.equal(lines.filter((l) => l.type === 'Point' && l.metric === 'vus_max').at(-1)?.data.value, summaryVusMax);
  assert.ok(lines.some((l) => l.type === 'Metric' && l.metric === 'http_req_duration'));
  const e = JSON.parse(readFileSync(exported, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  assert.equal(e.metrics.http_reqs?.values.count, 20);
});

test('a rejection that escapes an iteration is counted, not a crash', async () => {
  const r = await runCli(['run', fixture('floating-rejection.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.iterations?.values.count, 3);
  assert.equal(s.metrics.iteration_errors?.values.count, 3);
  assert.equal(s.agentload.errors[0]?.count, 3);
});
