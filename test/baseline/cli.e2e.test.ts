import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, runCli } from '../helpers/cli.ts';
import { run, writeRunFolder } from './make-runs.ts';

// Every load below goes to a local server on port 0, 20 requests per run.
let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

const tmp = (): string => mkdtempSync(join(tmpdir(), 'agentload-gate-'));
const BASE = { p95: 400, p99: 800, errorRate: 0.002, rps: 150 };

test('compare: exit 0 without regression, 1 with one (Markdown and JSON written), 2 for unusable input', async () => {
  const root = tmp();
  const base = writeRunFolder(join(root, 'base'), run(BASE));
  const same = writeRunFolder(join(root, 'same'), run({ ...BASE, p95: 470 }));
  const worse = writeRunFolder(join(root, 'worse'), run({ ...BASE, p95: 520, rps: 120 }));
  const ok = await runCli(['compare', base, same]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /http_req_duration p\(95\) +\+20% +400\.00ms +470\.00ms +\+17\.5% +single run +ok/);
  assert.match(ok.stdout, /verdict: no regression/);

  const md = join(root, 'c.md');
  const js = join(root, 'c.json');
  const bad = await runCli(['compare', base, worse, '--markdown', md, '--json', js]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /verdict: REGRESSION \(2 metrics\)/);
  assert.match(readFileSync(md, 'utf8'), /^## agentload compare: ❌ regression \(2 metrics\)/);
  const json = JSON.parse(readFileSync(js, 'utf8')) as { agentloadComparison: number; regressions: number; mode: string; rows: { metric: string; verdict: string }[] };
  assert.equal(json.agentloadComparison, 1);
  assert.equal(json.regressions, 2);
  assert.equal(json.mode, 'single-run');
  assert.deepEqual(json.rows.filter((r) => r.verdict === 'regression').map((r) => r.metric), ['http_req_duration p(95)', 'http_reqs rate']);

  const corrupt = join(root, 'corrupt.json');
  writeFileSync(corrupt, '{ "metrics": ');
  const c = await runCli(['compare', base, corrupt]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, new RegExp(`error: ${corrupt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
  const other = writeRunFolder(join(root, 'other'), run(BASE, 'x', { suite: 'a2a' }));
  const m = await runCli(['compare', base, other]);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /other: test "a2a" .* does not match .*base: test "api"/);
  const missing = await runCli(['compare', base, join(root, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope: no such file, results folder, baseline/);
  // several runs on one side: a glob, and the noise-aware note
  writeRunFolder(join(root, 'multi', 'r1'), run({ ...BASE, p95: 398 }));
  writeRunFolder(join(root, 'multi', 'r2'), run({ ...BASE, p95: 404 }));
  const multi = await runCli(['compare', join(root, 'multi', 'r*'), same, '-b', base]);
  assert.equal(multi.code, 0, multi.stderr);
  assert.match(multi.stdout, /baseline: 3 runs/);
  assert.match(multi.stdout, /noise-aware: 3 baseline runs vs 1 current run/);
});

test('baseline save from results folders, then compare by name', async () => {
  const root = tmp();
  const dir = join(root, 'baselines');
  writeRunFolder(join(root, 'results', 'a'), run(BASE));
  writeRunFolder(join(root, 'results', 'b'), run({ ...BASE, p95: 410 }));
  const saved = await runCli(['baseline', 'save', '--from', join(root, 'results'), '--baselines-dir', dir]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stdout, /saved .*api\.staging\.json: 2 runs of api \(staging, profile load\)/);
  const file = JSON.parse(readFileSync(join(dir, 'api.staging.json'), 'utf8')) as { agentloadBaseline: number; runs: unknown[] };
  assert.equal(file.agentloadBaseline, 1);
  assert.equal(file.runs.length, 2);
  const list = await runCli(['baseline', 'list', '--baselines-dir', dir]);
  assert.match(list.stdout, /api\.staging +2 runs/);
  const cur = writeRunFolder(join(root, 'cur'), run({ ...BASE, p95: 405 }));
  const cmp = await runCli(['compare', 'api.staging', cur, '--baselines-dir', dir]);
  assert.equal(cmp.code, 0, cmp.stderr);
  assert.match(cmp.stdout, /baseline: 2 runs/);
  const interrupted = writeRunFolder(join(root, 'int'), run(BASE, 'x', { status: 'interrupted', exitCode: 105 }));
  const refused = await runCli(['baseline', 'save', '--from', interrupted, '--baselines-dir', dir]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /int: the run ended as interrupted/);
});

test('run records history, --baseline folds the verdict into the exit code, history prints it', async () => {
  const root = tmp();
  const history = join(root, 'h.db');
  const first = await runCli(['run', fixture('http-basic.ts'), '--workers', '1', '--quiet', '--history', history]);
  assert.equal(first.code, 0, first.stderr);
  const firstDir = join(first.resultsDir, readdirSync(first.resultsDir)[0] as string);
  // the baseline is the first run with its latencies pinned to 1 ms: measured ones vary with the machine's load
  // (a busy machine once gave the first run a p95 within 20 % of the slow run's), the server's 40 ms delay does not
  const baseDir = join(root, 'base');
  mkdirSync(baseDir);
  const summary = JSON.parse(readFileSync(join(firstDir, 'summary.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  for (const [key, m] of Object.entries(summary.metrics)) {
    if (!key.startsWith('http_req_duration')) continue;
    for (const stat of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p90', 'p95', 'p99']) if (stat in m.values) m.values[stat] = 1;
  }
  writeFileSync(join(baseDir, 'summary.json'), JSON.stringify(summary));

  // a slower route: p95 goes from 1 ms to 40+ ms (the server answers after 40 ms), thresholds still pass → 98
  const slow = await runCli(['run', fixture('http-basic.ts'), '--workers', '1', '--quiet', '--history', history, '-e', 'ROUTE=/slow?ms=40', '--baseline', baseDir]);
  assert.equal(slow.code, 98, slow.stderr);
  assert.match(slow.stdout, /http_req_duration p\(95\) .* regression/);
  const slowDir = join(slow.resultsDir, readdirSync(slow.resultsDir)[0] as string);
  assert.match(readFileSync(join(slowDir, 'comparison.md'), 'utf8'), /### Comparison to baseline .*: ❌ regression/);
  assert.equal((JSON.parse(readFileSync(join(slowDir, 'comparison.json'), 'utf8')) as { regression: boolean }).regression, true);

  // history:last is the newest earlier run of the same test (run 2 here); loopback latency is too noisy to
  // assert a verdict, so this checks the wiring and that the exit code is one of the two verdicts
  const again = await runCli(['run', fixture('http-basic.ts'), '--workers', '1', '--quiet', '--history', history, '--baseline', 'history:last', '--no-thresholds']);
  assert.ok(again.code === 0 || again.code === 98, `exit ${again.code}: ${again.stderr}`);
  assert.match(again.stdout, /baseline: history:2/);

  const list = await runCli(['history', '--history', history]);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trim().split('\n');
  assert.equal(lines.length, 4, list.stdout);
  assert.match(lines[2] ?? '', /^ {2}#2 .* http-basic +local +- .* passed, regression/);
  const trend = await runCli(['history', '--history', history, '--trend', 'http_req_duration{name:target}:p95']);
  assert.match(trend.stdout, /http_req_duration\{name:target\} p\(95\) {2}[▁-█]{3}/);
  const table = await runCli(['history', '--history', history, '--table', '--limit', '2']);
  assert.match(table.stdout, /^\| Date \| Test \| Environment \| Profile \| API p95 \| Error rate \| Connections \|/);
  assert.equal(table.stdout.trim().split('\n').length, 4);
  assert.match(table.stdout, /❌ regression vs /);

  // --no-history records nothing; an unknown baseline fails before the run
  const quiet = await runCli(['run', fixture('http-basic.ts'), '--workers', '1', '--quiet', '--no-history']);
  assert.equal(quiet.code, 0, quiet.stderr);
  const after = await runCli(['history', '--history', history, '--json']);
  assert.equal((JSON.parse(after.stdout) as unknown[]).length, 3);
  const typo = await runCli(['run', fixture('http-basic.ts'), '--workers', '1', '--quiet', '--history', history, '--baseline', join(root, 'no-such-baseline.json')]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /--baseline: .*no-such-baseline\.json: no such file/);
  assert.equal(readdirSync(typo.resultsDir).length, 0, 'nothing ran');
});

test('init: CI jobs for GitHub and GitLab, config and example; existing files are not overwritten without --force', async () => {
  const dir = tmp();
  const gh = await runCli(['init', '--ci', 'github', '--dir', dir, '--suite', 'api']);
  assert.equal(gh.code, 0, gh.stderr);
  const wf = readFileSync(join(dir, '.github', 'workflows', 'agentload.yml'), 'utf8');
  assert.match(wf, /\n {2}pull_request:\n/);
  assert.match(wf, /cron: '0 2 \* \* \*' # nightly: stress/);
  assert.match(wf, /cron: '0 3 \* \* 6' # weekly \(Saturday\): spike and soak/);
  for (const profile of ['load', 'stress', 'spike', 'soak']) assert.match(wf, new RegExp(`--profile ${profile} --baseline --results-dir results`));
  assert.match(wf, /AGENTLOAD_TEST: "--suite api"/);
  assert.match(wf, /uses: actions\/upload-artifact@v4/);
  assert.match(wf, /gh api "repos\/\$GITHUB_REPOSITORY\/issues\/\$PR\/comments"/);
  const again = await runCli(['init', '--ci', 'github', '--dir', dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /agentload\.yml already exists; pass --force to overwrite/);
  assert.equal(readFileSync(join(dir, '.github', 'workflows', 'agentload.yml'), 'utf8'), wf, 'untouched');
  const forced = await runCli(['init', '--ci', 'github', '--dir', dir, '--force']);
  assert.equal(forced.code, 0);
  assert.match(readFileSync(join(dir, '.github', 'workflows', 'agentload.yml'), 'utf8'), /AGENTLOAD_TEST: "load\/api\.ts"/);

  const gl = await runCli(['init', '--ci', 'gitlab', '--dir', dir]);
  assert.equal(gl.code, 0, gl.stderr);
  const jobs = readFileSync(join(dir, '.gitlab', 'agentload.yml'), 'utf8');
  assert.match(jobs, /\nload-test:\n {2}extends: \.agentload\n {2}rules:\n {4}- if: '\$CI_COMMIT_BRANCH == "main" \|\| \$CI_COMMIT_BRANCH == "develop"'\n {6}when: manual\n {6}allow_failure: true\n/);
  assert.match(jobs, /\nload-test-production:\n {2}extends: \.agentload\n {2}rules:\n {4}- if: '\$CI_COMMIT_BRANCH == "main"'\n {6}when: manual\n {6}allow_failure: false\n/);
  assert.match(jobs, /--env staging [^\n]*\n(?:.*\n){2} {4}expire_in: 30 days/);
  assert.match(jobs, /--env production [^\n]*\n(?:.*\n){2} {4}expire_in: 90 days/);
  assert.match(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'), /include:\n {2}- local: \.gitlab\/agentload\.yml/);

  const project = await runCli(['init', '--dir', dir]);
  assert.equal(project.code, 0, project.stderr);
  assert.match(readFileSync(join(dir, 'agentload.config.ts'), 'utf8'), /http_req_failed: \{ rate: '\+0\.1pp' \}/);
  assert.ok(existsSync(join(dir, 'load', 'api.ts')));
  assert.deepEqual(readFileSync(join(dir, '.gitignore'), 'utf8').trim().split('\n'), ['results/', '.agentload/']);
  const wrong = await runCli(['init', '--ci', 'jenkins', '--dir', dir]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--ci "jenkins": expected github or gitlab/);
});

test('names with "," ":" "{" "}" are recorded in the history and compared without a crash', async () => {
  const root = tmp();
  const history = join(root, 'h.db');
  const first = await runCli(['run', fixture('odd-check-names.ts'), '--workers', '1', '--quiet', '--history', history]);
  assert.equal(first.code, 0, first.stderr);
  const baseDir = join(first.resultsDir, readdirSync(first.resultsDir)[0] as string);
  const second = await runCli(['run', fixture('odd-check-names.ts'), '--workers', '1', '--quiet', '--history', history, '--baseline', baseDir]);
  assert.ok(second.code === 0 || second.code === 98, `exit ${second.code}: ${second.stderr}`);
  assert.doesNotMatch(second.stderr, /internal error/);
  const summary = JSON.parse(readFileSync(join(second.resultsDir, readdirSync(second.resultsDir)[0] as string, 'summary.json'), 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
  };
  assert.equal(summary.metrics.checks?.values.passes, 2);
});
