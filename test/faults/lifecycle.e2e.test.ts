/**
 * The run's lifecycle under faults, end to end (the CLI as a user runs it): a script that hangs while it
 * loads, in setup() or in teardown(), Ctrl-C twice or SIGINT then SIGTERM, kill -9 in the middle of a
 * run, a worker thread that dies. Each path ends with its exit code, leaves what was measured in the
 * results folder, and leaves no temporary bundle folder (each run gets its own TMPDIR, so the check is
 * exact).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli, type CliResult } from '../helpers/cli.ts';
import type { Summary } from '../../dist/report/summary-json.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

/** A fresh TMPDIR: the temporary folders a run leaves are exactly what is in it afterwards. */
function freshTmp(): string {
  return mkdtempSync(join(tmpdir(), 'al-faults-tmp-'));
}

function tempLeftovers(tmp: string): string[] {
  return readdirSync(tmp).filter((n) => n.startsWith('agentload-'));
}

/** The run's folder: the only one in the results folder. */
function runDir(resultsDir: string): string {
  const runs = readdirSync(resultsDir);
  assert.equal(runs.length, 1, `one run folder in ${resultsDir}: ${runs.join(', ')}`);
  return join(resultsDir, runs[0] as string);
}

function endpointCount(s: Summary, name: string): number {
  return s.agentload.endpoints.find((e) => e.name === name)?.count ?? 0;
}

function assertNoTemp(tmp: string, r: CliResult): void {
  assert.deepEqual(tempLeftovers(tmp), [], `temporary folders left by the run\n${r.stderr}`);
}

const STOPPING = /stopping gracefully/;

test('a script whose top-level await never ends: two SIGINTs end the run with 105, nothing measured, no temp folder left', async () => {
  const tmp = freshTmp();
  const hits0 = server.hits;
  const r = await runCli(['run', fixture('hang-at-load.ts'), '--no-history'], {
    env: { TMPDIR: tmp },
    // the script's output at load is held until its plan is known (it may name secrets): wait for its request
    signals: [
      { afterMs: 0, signal: 'SIGINT', when: () => server.hits > hits0 },
      { afterMs: 0, signal: 'SIGINT', afterOutput: STOPPING },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  assert.match(r.stderr, /SIGINT: stopping now/);
  assert.match(r.stderr, /stopped by SIGINT before the test started: nothing was measured/);
  // the plan was never known: no results folder
  assert.deepEqual(readdirSync(r.resultsDir), []);
  assertNoTemp(tmp, r);
});

test('a script whose top-level await never ends: SIGINT then SIGTERM ends it too (105)', async () => {
  const tmp = freshTmp();
  const hits0 = server.hits;
  const r = await runCli(['run', fixture('hang-at-load.ts'), '--no-history'], {
    env: { TMPDIR: tmp },
    // the script's output at load is held until its plan is known (it may name secrets): wait for its request
    signals: [
      { afterMs: 0, signal: 'SIGINT', when: () => server.hits > hits0 },
      { afterMs: 0, signal: 'SIGTERM', afterOutput: STOPPING },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  assert.match(r.stderr, /SIGTERM: stopping now/);
  assert.match(r.stderr, /stopped by SIGINT before the test started/);
  assertNoTemp(tmp, r);
});

test('setup() waiting forever, then two SIGINTs: 105 and a summary.json with what setup() measured', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('hang-in-setup.ts'), '--no-history'], {
    env: { TMPDIR: tmp },
    signals: [
      { afterMs: 0, signal: 'SIGINT', afterOutput: /setup\(\) hangs now/ },
      { afterMs: 0, signal: 'SIGINT', afterOutput: STOPPING },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'interrupted');
  assert.equal(s.agentload.meta.exitCode, 105);
  assert.equal(s.agentload.meta.stopReason, 'stopped by SIGINT');
  // setup()'s two answered requests; the one it was waiting for was aborted, and no iteration ran
  assert.equal(endpointCount(s, 'setup_fast'), 2);
  assert.equal(s.metrics.http_reqs?.values.count, 2);
  assert.equal(s.metrics.iterations?.values.count ?? 0, 0);
  assert.deepEqual(readdirSync(runDir(r.resultsDir)).sort(), ['report.html', 'series.json', 'summary.json', 'summary.txt', 'timeseries.json']);
  assertNoTemp(tmp, r);
});

test('setup() stuck in a loop that never yields, then two SIGINTs: its thread is terminated, 105 and a summary', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('hang-in-setup.ts'), '-e', 'HANG=sync', '--no-history'], {
    env: { TMPDIR: tmp },
    signals: [
      { afterMs: 0, signal: 'SIGINT', afterOutput: /setup\(\) hangs now/ },
      { afterMs: 0, signal: 'SIGINT', afterOutput: STOPPING },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'interrupted');
  assert.equal(s.metrics.iterations?.values.count ?? 0, 0);
  assertNoTemp(tmp, r);
});

test('setup() that throws after its requests: 107, and the results folder keeps what it measured', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('hang-in-setup.ts'), '-e', 'HANG=throw', '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /error: script error: .*setup\(\) failed: setup gave up/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'script-error');
  assert.equal(s.agentload.meta.exitCode, 107);
  assert.match(s.agentload.meta.stopReason ?? '', /setup\(\) failed: setup gave up/);
  assert.equal(endpointCount(s, 'setup_fast'), 2);
  assert.equal(s.metrics.iterations?.values.count ?? 0, 0);
  assertNoTemp(tmp, r);
});

test('teardown() waiting forever, then two SIGINTs: 105 and the iterations the test ran', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('hang-in-teardown.ts'), '--no-history'], {
    env: { TMPDIR: tmp },
    signals: [
      { afterMs: 0, signal: 'SIGINT', afterOutput: /teardown\(\) hangs now/ },
      { afterMs: 0, signal: 'SIGINT', afterOutput: STOPPING },
    ],
  });
  assert.equal(r.code, 105, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'interrupted');
  assert.equal(s.metrics.iterations?.values.count, 4);
  assert.equal(endpointCount(s, 'iteration'), 4);
  assertNoTemp(tmp, r);
});

/** The partial summary.json of a run in progress, once it counts requests (null until then). */
function partialWithRequests(resultsDir: string): boolean {
  const runs = existsSync(resultsDir) ? readdirSync(resultsDir) : [];
  if (runs.length !== 1) return false;
  const file = join(resultsDir, runs[0] as string, 'summary.json');
  if (!existsSync(file)) return false;
  // written atomically: never half a file
  const s = JSON.parse(readFileSync(file, 'utf8')) as Summary;
  return (s.metrics.http_reqs?.values.count ?? 0) > 0;
}

test('kill -9 in the middle of a run leaves a partial summary.json and timeseries.json; the next run sweeps its temp folder', async () => {
  const tmp = freshTmp();
  const results = mkdtempSync(join(tmpdir(), 'al-faults-results-'));
  const r = await runCli(['run', fixture('long-running.ts'), '--no-history', '--results-dir', results], {
    env: { TMPDIR: tmp },
    signals: [{ afterMs: 0, signal: 'SIGKILL', when: () => partialWithRequests(results) }],
  });
  assert.equal(r.code, null, r.stderr);
  const dir = runDir(results);
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['summary.json', 'timeseries.json']);
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary & { agentload: { meta: { partial?: boolean; status: string; exitCode: number | null } } };
  assert.equal(s.agentload.meta.status, 'running');
  assert.equal(s.agentload.meta.partial, true);
  assert.equal(s.agentload.meta.exitCode, null);
  // the k6 shape is intact
  assert.ok((s.metrics.http_reqs?.values.count ?? 0) > 0);
  assert.equal(typeof s.metrics.http_req_duration?.values['p(95)'], 'number');
  assert.equal(s.root_group.path, '');
  const points = JSON.parse(readFileSync(join(dir, 'timeseries.json'), 'utf8')) as { metrics: Record<string, { count: number }> }[];
  assert.ok(points.length > 0);
  assert.ok(points.some((p) => (p.metrics.http_reqs?.count ?? 0) > 0));
  // partial results are not a finished run: merge and compare refuse them by name, never as a pass
  const merged = await runCli(['merge', dir, '--out', join(results, 'merged')]);
  assert.equal(merged.code, 2, merged.stderr);
  assert.match(merged.stderr, /the partial results of a run that did not end \(killed, or still running, last written /);
  const compared = await runCli(['compare', dir, dir]);
  assert.equal(compared.code, 2, compared.stderr);
  assert.match(compared.stderr, /the partial results of a run that did not end/);
  // a killed process cannot clean up: its bundle folder stays until the next run sees that its pid is gone
  const stale = tempLeftovers(tmp);
  assert.equal(stale.length, 1, stale.join(', '));
  assert.match(stale[0] as string, /^agentload-bundle-\d+-/);
  const next = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(next.code, 0, next.stderr);
  assertNoTemp(tmp, next);
});

test('a worker thread ended by the script (process.exit): the run completes, counts what that worker measured and says so', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('worker-crash.ts'), '-e', 'CRASH=exit', '--workers', '2', '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /worker \d exited \(code 3\) while the test ran/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'passed');
  // VU 2: 5 iterations; VU 1: 2 iterations and the request of the third, flushed as its thread ended
  assert.equal(s.metrics.http_reqs?.values.count, 8);
  assert.equal(s.metrics.iterations?.values.count, 7);
  assert.equal(s.agentload.errors.filter((e) => /exited \(code 3\)/.test(e.message)).length, 1);
  assertNoTemp(tmp, r);
});

test('an exception thrown from a timer in a worker is counted; the run completes', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('worker-crash.ts'), '-e', 'CRASH=timer', '--workers', '2', '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_reqs?.values.count, 10);
  assert.equal(s.metrics.iterations?.values.count, 10);
  assert.equal(s.metrics.iteration_errors?.values.count, 2);
  assert.equal(s.agentload.errors.find((e) => e.message === 'thrown from a timer')?.count, 2);
  assertNoTemp(tmp, r);
});

test('code the script started on the main thread throws mid-run: 107, final results with what was measured, no temp folder', async () => {
  const tmp = freshTmp();
  const r = await runCli(['run', fixture('main-thread-throw.ts'), '--no-history'], {
    env: { TMPDIR: tmp },
    signals: [{ afterMs: 0, signal: 'SIGUSR2', afterOutput: /main-thread-throw: iterating/ }],
  });
  assert.equal(r.code, 107, r.stderr);
  assert.match(r.stderr, /error: script error: the script threw on the main thread.*thrown on the main thread/s);
  assert.match(r.stderr, /main-thread-throw\.ts:\d+:\d+/);
  assert.doesNotMatch(r.stderr, /internal error/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'script-error');
  assert.equal(s.agentload.meta.exitCode, 107);
  assert.ok(endpointCount(s, 'before_the_throw') >= 6, JSON.stringify(s.agentload.endpoints));
  assert.deepEqual(readdirSync(runDir(r.resultsDir)).sort(), ['report.html', 'series.json', 'summary.json', 'summary.txt', 'timeseries.json']);
  assertNoTemp(tmp, r);
});

test('a normal run and a script error leave no temporary folder', async () => {
  const tmp = freshTmp();
  const ok = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(ok.code, 0, ok.stderr);
  assertNoTemp(tmp, ok);
  const bad = await runCli(['run', fixture('throws-at-load.ts'), '--quiet', '--no-history'], { env: { TMPDIR: tmp } });
  assert.equal(bad.code, 107, bad.stderr);
  assertNoTemp(tmp, bad);
});
