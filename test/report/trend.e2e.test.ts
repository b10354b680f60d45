/**
 * The trend panel from the CLI: `agentload run` records each run and rewrites
 * its report with the last runs of the same test and environment (none with
 * --no-history); `agentload report DIR` takes the trend from the history up to
 * that run (--history PATH, --no-trend) and refuses a history it cannot use.
 * Runs the build (npm run build first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const html = (dir: string): string => readFileSync(join(dir, 'report.html'), 'utf8');

/** The first cell of each row of the trend table: `#3 this run`, `#2`, … (empty when there is no panel). */
function trendRuns(page: string): string[] {
  const table = /<table class="trend">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page);
  if (table === null) return [];
  return [...(table[1] as string).matchAll(/<tr[^>]*><td>([\s\S]*?)<\/td>/g)].map((m) => (m[1] as string).replace(/<[^>]+>/g, ''));
}

test('run: the report gets the trend from the second recorded run on; agentload report rebuilds it up to that run', async () => {
  const work = mkdtempSync(join(tmpdir(), 'agentload-trend-'));
  const history = join(work, 'history.db');
  const dirs: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--history', history]);
    assert.equal(r.code, 0, r.stderr);
    dirs.push(runFolder(r.resultsDir));
  }
  const [first, second, third] = dirs as [string, string, string];
  assert.deepEqual(trendRuns(html(first)), [], 'one run is no trend');
  assert.doesNotMatch(html(first), /id="trend"/);
  assert.deepEqual(trendRuns(html(second)), ['#2 this run', '#1']);
  assert.deepEqual(trendRuns(html(third)), ['#3 this run', '#2', '#1']);
  assert.match(html(third), /The last 3 runs of <code>http-basic<\/code> in the default environment \(no <code>--env<\/code>\)/);
  assert.match(html(third), /"id":"trend-latency","title":"http_req_duration over runs","unit":"ms","panel":"trend","kind":"runs","xLabel":"run","x":\[0,1,2\],"xLabels":\["#1","#2","#3"\],"marker":2/);

  // --no-history: not recorded, no panel, though the history has runs of this test
  const off = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--history', history, '--no-history']);
  assert.equal(off.code, 0, off.stderr);
  const unrecorded = runFolder(off.resultsDir);
  assert.doesNotMatch(html(unrecorded), /id="trend"/);

  // rebuilt from the history: the runs up to that one (not the later ones), the same page as the run wrote
  const written = html(second);
  const rebuilt = await runCli(['report', second, '--history', history]);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stderr, /trend: 2 runs from .*history\.db/);
  assert.deepEqual(trendRuns(html(second)), ['#2 this run', '#1']);
  assert.equal(html(second).replace(` · ${second}</footer>`, '</footer>'), written);

  const moved = join(work, 'moved.html');
  const noTrend = await runCli(['report', third, '--history', history, '--no-trend', '-o', moved]);
  assert.equal(noTrend.code, 0, noTrend.stderr);
  assert.doesNotMatch(readFileSync(moved, 'utf8'), /id="trend"/);

  const alone = await runCli(['report', first, '--history', history]);
  assert.equal(alone.code, 0, alone.stderr);
  assert.match(alone.stderr, /note: the history has no other run of http-basic: no trend panel/);

  const notThere = await runCli(['report', unrecorded, '--history', history]);
  assert.equal(notThere.code, 0, notThere.stderr);
  assert.match(notThere.stderr, /note: the run is not in the history .*history\.db: no trend panel/);
  assert.doesNotMatch(html(unrecorded), /id="trend"/);

  // an explicit --history that cannot be used is an error naming it
  const missing = await runCli(['report', third, '--history', join(work, 'nope.db')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error: --history .*nope\.db: no such history file/);
  const corrupt = join(work, 'corrupt.db');
  writeFileSync(corrupt, 'this is not a database, just text long enough to have a header of its own……');
  const bad = await runCli(['report', third, '--history', corrupt]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error: --history: .*corrupt\.db: not a usable history file/);
});
