/**
 * Option validation through the CLI (the build): a typo'd or wrongly typed option stops the run before any
 * load, with exit 104 and an error naming the key path and the closest valid key; every error at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { runCli } from '../helpers/cli.ts';
import { writeScript } from '../helpers/run-script.ts';
import { startTestServer, type TestServer } from '../helpers/servers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

async function refused(options: string): Promise<string> {
  const script = writeScript(`import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: ${JSON.stringify(server.url)} },
  ${options}
});
`);
  const hits = server.hits;
  const r = await runCli(['run', script, '--quiet']);
  assert.equal(r.code, 104, r.stdout + r.stderr);
  assert.equal(server.hits, hits, 'no request was sent');
  assert.deepEqual(readdirSync(r.resultsDir), [], 'no results folder for a run that did not start');
  return r.stderr;
}

test('duraton: exit 104, the key and the option it resembles', async () => {
  const stderr = await refused(`exec: async (ctx) => { await ctx.http.get('/fast'); }, vus: 1, duraton: '5s',`);
  assert.match(stderr, /^error: invalid configuration:\n {2}- duraton: unknown option \(did you mean "duration"\?\)\n/m);
});

test("a scenario's bogusKey: exit 104 naming scenarios.<name>.bogusKey", async () => {
  const stderr = await refused(`scenarios: { api: { executor: 'constant-vus', vus: 1, duration: '5s', bogusKey: true, exec: async (ctx) => { await ctx.http.get('/fast'); } } },`);
  assert.match(stderr, / {2}- scenarios\.api\.bogusKey: unknown option of the constant-vus executor; known: executor, exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight, vus, duration\n/);
});

test("abortOnFail: 'yes': exit 104 naming the threshold entry; every error listed at once", async () => {
  const stderr = await refused(`exec: async (ctx) => { await ctx.http.get('/fast'); }, vus: 1, iterations: 2,
  thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: 'yes' }] },
  scenarioz: {},
  env: { PORT: 8080 },`);
  const listed = stderr.split('\n').filter((l) => l.startsWith('  - '));
  assert.deepEqual(listed, [
    '  - thresholds.http_req_failed[0].abortOnFail: must be true or false, got "yes"',
    '  - scenarioz: unknown option (did you mean "scenarios"?)',
    '  - env.PORT: must be a string, got 8080',
  ]);
});
