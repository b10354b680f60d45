/**
 * Bad values for every flag a user types, through the real CLI: exit 104
 * (invalid options, docs/cli.md) with the value quoted, no crash, no stack
 * trace, no request sent and no results folder. A sample per flag — the
 * property-based suite (test/fuzz/) covers the parsers themselves.
 * `compare` refuses unusable inputs with 2, as it documents.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, runCli, type CliResult } from '../helpers/cli.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(async () => {
  delete process.env.AL_URL;
  await server.close();
});

/** flag arguments, and the text stderr must quote */
const RUN_CASES: [string[], string][] = [
  [['--vus', 'ten'], '--vus "ten"'],
  [['--vus', '0'], '--vus "0"'],
  [['--vus', '99999999999999999999999'], '--vus "99999999999999999999999"'], // was a heap OOM (exit 134)
  [['--iterations', '1.5'], '--iterations "1.5"'],
  [['--iterations', '-1'], '--iterations "-1"'],
  [['--duration', '30x'], '--duration "30x"'],
  [['--duration', '30d'], '--duration "30d"'], // was one iteration and PASSED: the timer overflowed
  [['--duration', ''], '--duration ""'],
  [['--stage', '30s'], '--stage "30s"'],
  [['--stage', '30s:1e3'], '--stage "30s:1e3"'],
  [['--stage', '1s:99999999999999999999999'], '--stage "1s:99999999999999999999999"'], // was a hang creating VUs
  [['--segment', '4/3'], '--segment "4/3"'],
  [['--segment', '0/0'], '--segment "0/0"'],
  [['--segment', '99999999999999999999/99999999999999999999'], '--segment "99999999999999999999/99999999999999999999"'],
  [['--time-scale', '0'], '--time-scale "0"'],
  [['--time-scale', '0x10'], '--time-scale "0x10"'],
  [['--time-scale', '1e-320'], '--time-scale "1e-320"'], // made every duration Infinity
  [['--workers', 'many'], '--workers "many"'],
  [['-e', '=x'], '-e "=x"'],
  [['-e', 'NOEQUALS'], '-e "NOEQUALS"'],
  [['--tag', '=v'], '--tag "=v"'],
  [['--out', 'xml=x.xml'], '--out "xml=x.xml"'],
  [['--out', 'json'], '--out "json"'],
  [['--out', 'json=a.jsonl', '--out', 'json=b.jsonl'], '--out "json=b.jsonl"'], // the first was silently dropped
  [['--env', 'nope'], '--env "nope"'],
  [['--env', 'toString'], '--env "toString"'], // was a TypeError, exit 1
  [['--env', '__proto__'], '--env "__proto__"'],
  [['--dashboard-port', '99999'], '--dashboard-port "99999"'],
  [['--dashboard-port', '99999999999999999999'], '--dashboard-port "99999999999999999999"'],
  [['--base-url', 'ftp://x'], '--base-url "ftp://x"'],
  [['--base-url', 'not a url'], '--base-url "not a url"'],
  [['--profile', 'nope'], '--profile "nope"'],
  [['--config', 'no-such.config.ts'], '--config "no-such.config.ts"'],
];

/** At most two CLIs at a time: the machine is shared. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

function refused(r: CliResult, code: number, quoted: string, what: string): void {
  assert.equal(r.code, code, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.ok(r.stderr.includes(quoted), `${what}: stderr does not quote ${quoted}:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at .+:\d+:\d+/, `${what}: a crash, not a refusal`);
}

test(`run: ${RUN_CASES.length} bad flag values exit 104 quoting the value, before any request or results folder`, { timeout: 300_000 }, async () => {
  const hitsBefore = server.hits;
  const results = await pool(RUN_CASES, 2, ([args]) => runCli(['run', fixture('http-basic.ts'), ...args, '--quiet', '--no-history'], { timeoutMs: 60_000 }));
  RUN_CASES.forEach(([args, quoted], i) => {
    const r = results[i] as CliResult;
    refused(r, 104, quoted, args.join(' '));
    assert.deepEqual(readdirSync(r.resultsDir), [], `${args.join(' ')}: a results folder was written`);
  });
  assert.equal(server.hits, hitsBefore, 'no request was sent');
  // the same fixture with good flags does send requests: the check above can fail
  const good = await runCli(['run', fixture('http-basic.ts'), '--vus', '1', '--iterations', '2', '--quiet', '--no-history']);
  assert.equal(good.code, 0, good.stderr);
  assert.equal(server.hits, hitsBefore + 2);
});

test('compare: unusable inputs exit 2 naming them, never a crash', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-bad-inputs-'));
  const corrupt = join(dir, 'corrupt.json');
  writeFileSync(corrupt, '{"metrics": {');
  const badThreshold = join(dir, 'threshold.json');
  writeFileSync(badThreshold, JSON.stringify({ metrics: {}, agentload: { meta: { name: 'api', status: 'passed', startedAt: '2025-01-01T00:00:00Z' }, thresholds: [{}] } }));
  const history = join(dir, 'h.db');
  const cases: [string[], string][] = [
    [[corrupt, corrupt], `${corrupt}: not valid JSON`],
    [[badThreshold, badThreshold], `${badThreshold}: agentload: thresholds[0] must hold`],
    [[join(dir, '[z-a]'), join(dir, '[z-a]')], `${join(dir, '[z-a]')}: no file or folder matches`], // was a SyntaxError
    [['history:last:99999999999999999999', 'history:last:99999999999999999999', '--history', history], 'history:last:99999999999999999999'], // was a SqliteError
  ];
  // the history must exist for history:… to be read
  const seed = await runCli(['run', fixture('http-basic.ts'), '--vus', '1', '--iterations', '1', '--quiet', '--history', history]);
  assert.equal(seed.code, 0, seed.stderr);
  for (const [args, quoted] of cases) refused(await runCli(['compare', ...args, '--no-color']), 2, quoted, args.join(' '));
});
