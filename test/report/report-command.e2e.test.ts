/**
 * Reports from the CLI: every run writes report.html; --junit and --markdown
 * write their files (and a copy in the results folder); `agentload report DIR`
 * rebuilds the report from the folder, and refuses what is not one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, runCli } from '../helpers/cli.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

const runFolder = (resultsDir: string): string => join(resultsDir, readdirSync(resultsDir)[0] as string);

test('a run writes report.html, and JUnit and Markdown on request', async () => {
  const out = mkdtempSync(join(tmpdir(), 'agentload-reports-'));
  const r = await runCli(['run', fixture('http-basic.ts'), '-e', 'ROUTE=/status/500', '--quiet', '--junit', join(out, 'junit.xml'), '--markdown', join(out, 'summary.md')]);
  assert.equal(r.code, 99, r.stderr);
  const dir = runFolder(r.resultsDir);
  assert.deepEqual(readdirSync(dir).sort(), ['junit.xml', 'report.html', 'series.json', 'summary.json', 'summary.md', 'summary.txt', 'timeseries.json']);
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<span class="verdict-status">Thresholds failed<\/span>/);
  assert.match(html, /<td><code>HTTP 500<\/code><\/td><td><code>http_reqs<\/code><\/td><td class="num" data-v="20">20<\/td>/);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.equal(junit, readFileSync(join(dir, 'junit.xml'), 'utf8'));
  assert.match(junit, /<testcase classname="agentload.http-basic.thresholds.http_req_failed" name="rate&lt;0.01" time="0">\n {6}<failure message="http_req_failed: rate&lt;0.01 failed, measured rate=100.00%" type="threshold">/);
  const md = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(md, /^## agentload: http-basic — ❌ THRESHOLDS FAILED\n/);
  assert.match(md, /\| ❌ \| http\\_req\\_failed \| rate&lt;0.01 \| rate=100.00% \|/);
});

test('agentload report DIR rebuilds report.html from the folder', async () => {
  // not recorded: the page rebuilt must not gain a trend panel from other runs in the working directory's history
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--no-history']);
  assert.equal(r.code, 0, r.stderr);
  const dir = runFolder(r.resultsDir);
  const original = readFileSync(join(dir, 'report.html'), 'utf8');
  rmSync(join(dir, 'report.html'));
  const rebuilt = await runCli(['report', dir]);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stderr, new RegExp(`report: ${join(dir, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  // the same page, with the folder named in the footer
  assert.equal(html.replace(` · ${dir}</footer>`, '</footer>'), original);
  assert.ok(html.includes(`${dir}</footer>`));

  const other = join(mkdtempSync(join(tmpdir(), 'agentload-rebuilt-')), 'r.html');
  const again = await runCli(['report', dir, '-o', other, '--junit', join(dir, 'j.xml'), '--markdown', join(dir, 's.md')]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(existsSync(other) && existsSync(join(dir, 'j.xml')) && existsSync(join(dir, 's.md')));

  // without the time series and series files: still a report, with a note
  rmSync(join(dir, 'timeseries.json'));
  rmSync(join(dir, 'series.json'));
  const partial = await runCli(['report', dir]);
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stderr, /timeseries\.json and series\.json not found/);
});

test('agentload report refuses what is not a results folder, naming the file', async () => {
  const missing = await runCli(['report', join(tmpdir(), 'no-such-folder-agentload')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-folder-agentload: no such results folder/);
  const dir = mkdtempSync(join(tmpdir(), 'agentload-notresults-'));
  const empty = await runCli(['report', dir]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /summary\.json: missing/);
  writeFileSync(join(dir, 'summary.json'), '{ not json');
  const corrupt = await runCli(['report', dir]);
  assert.equal(corrupt.code, 2);
  assert.match(corrupt.stderr, /summary\.json: not valid JSON/);
  writeFileSync(join(dir, 'summary.json'), '{"metrics":{}}');
  const foreign = await runCli(['report', dir]);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /summary\.json: not an agentload summary/);
});

test('a bad --dashboard-port is refused before the test starts', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--dashboard-port', 'abc']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--dashboard-port "abc": expected an integer >= 0/);
  assert.deepEqual(readdirSync(r.resultsDir), [], 'no run, no results folder');
});
